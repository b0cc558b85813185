/* mailgen-words.c — the vocabulary: English words at the top ranks,
 * pseudo-words below, Zipf-distributed draws and per-message counting. */
#include "mailgen-private.h"

#include <string.h>

/* Frequent English words, roughly most frequent first, then words of
 * office mail. The order only shapes the frequencies. */
static const char *const english[] = {
	"the",
	"of",
	"and",
	"to",
	"a",
	"in",
	"is",
	"you",
	"that",
	"it",
	"for",
	"we",
	"on",
	"be",
	"this",
	"with",
	"are",
	"have",
	"as",
	"at",
	"not",
	"will",
	"can",
	"from",
	"or",
	"but",
	"your",
	"if",
	"all",
	"our",
	"by",
	"an",
	"they",
	"so",
	"was",
	"there",
	"would",
	"about",
	"what",
	"which",
	"one",
	"do",
	"me",
	"when",
	"some",
	"more",
	"out",
	"up",
	"like",
	"their",
	"them",
	"time",
	"just",
	"could",
	"also",
	"should",
	"been",
	"know",
	"other",
	"thanks",
	"please",
	"into",
	"than",
	"then",
	"these",
	"need",
	"new",
	"team",
	"think",
	"next",
	"week",
	"work",
	"make",
	"only",
	"because",
	"first",
	"any",
	"still",
	"project",
	"meeting",
	"people",
	"well",
	"before",
	"after",
	"change",
	"where",
	"those",
	"review",
	"update",
	"today",
	"tomorrow",
	"again",
	"might",
	"each",
	"between",
	"question",
	"number",
	"since",
	"around",
	"looking",
	"release",
	"version",
	"customer",
	"issue",
	"report",
	"another",
	"both",
	"going",
	"while",
	"already",
	"never",
	"always",
	"found",
	"problem",
	"server",
	"system",
	"data",
	"using",
	"without",
	"though",
	"every",
	"under",
	"right",
	"better",
	"agenda",
	"budget",
	"schedule",
	"deadline",
	"morning",
	"afternoon",
	"regards",
	"attached",
	"document",
	"draft",
	"proposal",
	"contract",
	"invoice",
	"payment",
	"office",
	"travel",
	"client",
	"support",
	"request",
	"feedback",
	"discussion",
	"decision",
	"plan",
	"quarter",
	"numbers",
	"figures",
	"results",
	"test",
	"tests",
	"build",
	"deploy",
	"branch",
	"commit",
	"patch",
	"bug",
	"fix",
	"feature",
	"design",
	"notes",
	"minutes",
	"call",
	"phone",
	"calendar",
	"invite",
	"monday",
	"tuesday",
	"wednesday",
	"thursday",
	"friday",
	"weekend",
	"holiday",
	"lunch",
	"coffee",
	"dinner",
	"family",
	"children",
	"school",
	"house",
	"garden",
	"weather",
	"summer",
	"winter",
	"spring",
	"autumn",
	"evening",
	"night",
	"early",
	"late",
	"quickly",
	"slowly",
	"important",
	"urgent",
	"simple",
	"example",
	"possible",
	"answer",
	"remember",
	"forward",
	"together",
	"several",
	"different",
	"general",
	"information",
	"available",
	"interesting",
	"certainly",
	"probably",
	"actually",
	"however",
	"therefore",
	"although",
	"whether",
	"through",
	"during",
	"against",
	"within",
	"almost",
	"enough",
	"perhaps",
	"finally",
	"recently",
	"currently",
	"contact",
	"address",
	"account",
	"password",
	"security",
	"access",
	"network",
	"storage",
	"backup",
	"database",
	"migration",
	"performance",
	"latency",
	"memory",
	"process",
	"service",
	"platform",
	"product",
	"market",
	"sales",
	"marketing",
	"strategy",
	"company",
	"manager",
	"director",
	"colleague",
	"partner",
	"supplier",
	"vendor",
	"shipping",
	"delivery",
	"order",
	"price",
	"quote",
	"discount",
	"offer",
	"agreement",
	"approval",
	"signature",
	"milestone",
	"roadmap",
	"priority",
	"estimate",
	"workshop",
	"conference",
	"presentation",
	"slides",
	"training",
	"interview",
	"candidate",
	"position",
	"salary",
	"expense",
	"receipt",
	"ticket",
	"flight",
	"hotel",
	"booking",
	"station",
	"airport",
	"museum",
	"concert",
	"library",
	"hospital",
	"doctor",
	"appointment",
	"birthday",
	"wedding",
	"congratulations",
	"welcome",
	"apologies",
	"unfortunately",
	"hopefully",
	"basically",
	"definitely",
	"obviously",
};

/* Non-ASCII words, placed deep in the ranks so that roughly one message
 * in ten needs UTF-8 and a transfer encoding. */
static const char *const international[] = {
	"café",   "Grüße",    "für",         "naïve",  "résumé", "Zürich", "São",     "Ångström",
	"façade", "jalapeño", "smörgåsbord", "Привет", "東京",   "Málaga", "Øresund", "crème",
};
#define INTL_FIRST 9000u
#define INTL_STEP  2500u

/* Pseudo-words are two syllables of English-like spelling (onset, vowel,
 * coda), so their letters and trigrams spread as a real vocabulary's do:
 * names, jargon and typos rather than a handful of repeated patterns. */
static const char *const onsets[] = {
	"",   "b",  "bl", "br", "c",  "ch", "cl", "cr", "d",  "dr", "f",  "fl", "fr",
	"g",  "gl", "gr", "h",  "j",  "k",  "kl", "kr", "l",  "m",  "n",  "p",  "pl",
	"pr", "qu", "r",  "s",  "sc", "sh", "sk", "sl", "sm", "sn", "sp", "st", "str",
	"sw", "t",  "th", "tr", "tw", "v",  "w",  "wh", "y",  "z",
};
static const char *const nuclei[] = {"a",  "e",  "i",  "o",  "u",  "y",
				     "ai", "ea", "ee", "ie", "oo", "ou"};
static const char *const codas[] = {
	"",  "b", "ck", "d",  "f",  "g",  "k", "l",  "ll", "m",  "n", "nd", "ng", "nk", "nt",
	"p", "r", "rd", "rk", "rn", "rt", "s", "sh", "ss", "st", "t", "th", "x",  "z",
};
#define N_ONSETS     (sizeof(onsets) / sizeof(onsets[0]))
#define N_NUCLEI     (sizeof(nuclei) / sizeof(nuclei[0]))
#define N_CODAS      (sizeof(codas) / sizeof(codas[0]))
#define SYLLABLES    ((uint32_t)(N_ONSETS * N_NUCLEI * N_CODAS))
#define SYLLABLE_MIX 7919u /* spreads the second syllable; see pseudo_word() */

#define N_ENGLISH (sizeof(english) / sizeof(english[0]))
#define N_INTL    (sizeof(international) / sizeof(international[0]))

static int intl_index(uint32_t rank)
{
	if (rank < INTL_FIRST || (rank - INTL_FIRST) % INTL_STEP != 0)
		return -1;
	rank = (rank - INTL_FIRST) / INTL_STEP;
	return rank < N_INTL ? (int)rank : -1;
}

bool mailgen_word_is_english(uint32_t rank)
{
	return rank < N_ENGLISH;
}

static size_t append_syllable(uint32_t syl, char *out, size_t len)
{
	const char *parts[3] = {onsets[syl % N_ONSETS], nuclei[syl / N_ONSETS % N_NUCLEI],
				codas[syl / N_ONSETS / N_NUCLEI]};

	for (int i = 0; i < 3; i++)
		for (const char *p = parts[i]; *p != '\0'; p++)
			out[len++] = *p;
	return len;
}

/* Rank n (below SYLLABLES^2) to two syllables. (first, second) =
 * (n % S, (n / S + first * MIX) % S) is one-to-one, and every first
 * syllable meets many second ones even for small n. */
static size_t pseudo_word(uint32_t n, char *out)
{
	uint32_t first = n % SYLLABLES;
	uint32_t second = (uint32_t)((n / SYLLABLES + (uint64_t)first * SYLLABLE_MIX) % SYLLABLES);
	size_t len = append_syllable(first, out, 0);

	len = append_syllable(second, out, len);
	out[len] = '\0';
	return len;
}

size_t mailgen_word(uint32_t rank, char *out)
{
	int intl = intl_index(rank);
	const char *w = NULL;
	size_t len;

	if (rank < N_ENGLISH)
		w = english[rank];
	else if (intl >= 0)
		w = international[intl];
	if (w == NULL)
		return pseudo_word(rank - (uint32_t)N_ENGLISH, out);
	len = strlen(w);
	memcpy(out, w, len + 1);
	return len;
}

void mailgen_count_word(struct mailgen *g, uint32_t rank)
{
	/* Once per message: the benchmark's expected hit counts. */
	if (g->word_last[rank] != g->count + 1) {
		g->word_last[rank] = g->count + 1;
		g->word_msgs[rank]++;
	}
}

uint32_t mailgen_emit_word(struct mailgen *g, struct buf *out, bool capital)
{
	uint32_t rank = bench_rand_zipf(&g->rnd, MAILGEN_VOCAB);
	char word[MAILGEN_WORD_MAX + 1];
	size_t len = mailgen_word(rank, word);

	mailgen_count_word(g, rank);
	if (capital && word[0] >= 'a' && word[0] <= 'z')
		word[0] = (char)(word[0] - 'a' + 'A');
	buf_append(out, word, len);
	return rank;
}

void mailgen_emit_sentence(struct mailgen *g, struct buf *out, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (i > 0)
			buf_append_byte(out, bench_rand_chance(&g->rnd, 0.06) ? ',' : ' ');
		if (i > 0 && out->data[out->len - 1] == ',')
			buf_append_byte(out, ' ');
		mailgen_emit_word(g, out, i == 0);
	}
	buf_append_byte(out, bench_rand_chance(&g->rnd, 0.1) ? '?' : '.');
}

/* Wrap one paragraph (a single line in g->scratch) into out. */
static void wrap_paragraph(struct buf *out, const struct buf *para, const char *prefix)
{
	const char *p = (const char *)para->data, *end = p + para->len;

	while (p < end) {
		const char *line_end = p + 72 > end ? end : p + 72;

		if (line_end < end) {
			const char *sp = line_end;

			while (sp > p && *sp != ' ')
				sp--;
			if (sp > p)
				line_end = sp;
		}
		buf_append_str(out, prefix);
		buf_append(out, p, (size_t)(line_end - p));
		buf_append_str(out, "\r\n");
		p = line_end;
		while (p < end && *p == ' ')
			p++;
	}
}

void mailgen_emit_text(struct mailgen *g, struct buf *out, size_t target, const char *prefix)
{
	size_t start = out->len;

	while (out->len - start < target) {
		unsigned sentences = 1 + bench_rand_below(&g->rnd, 6);

		buf_reset(&g->scratch);
		for (unsigned i = 0; i < sentences; i++) {
			if (i > 0)
				buf_append_byte(&g->scratch, ' ');
			mailgen_emit_sentence(g, &g->scratch, 4 + bench_rand_below(&g->rnd, 16));
		}
		wrap_paragraph(out, &g->scratch, prefix);
		buf_append_str(out, prefix[0] ? ">\r\n" : "\r\n");
	}
}

/* Six different trigrams, as a name or a code has: a word like
 * "bababa" would only measure two trigrams. */
static bool distinct_trigrams(const char *w)
{
	for (size_t i = 0; w[i + 2] != '\0'; i++)
		for (size_t j = 0; j < i; j++)
			if (memcmp(w + i, w + j, 3) == 0)
				return false;
	return true;
}

const char *mailgen_rare_word(struct mailgen *g, uint32_t *messages_r)
{
	/* A pseudo-word of eight or more letters in 3..8 messages, from the
	 * middle of the rare ranks. */
	uint32_t first = (uint32_t)N_ENGLISH;

	for (uint32_t r = first + (MAILGEN_VOCAB - first) / 2; r < MAILGEN_VOCAB; r++) {
		if (intl_index(r) >= 0 || g->word_msgs[r] < 3 || g->word_msgs[r] > 8)
			continue;
		if (mailgen_word(r, g->picked[0]) < 8 || !distinct_trigrams(g->picked[0]))
			continue;
		*messages_r = g->word_msgs[r];
		return g->picked[0];
	}
	*messages_r = 0;
	return NULL;
}

const char *mailgen_common_word(struct mailgen *g, double share, uint32_t *messages_r)
{
	double best = 2.0;
	uint32_t best_rank = 0;

	for (uint32_t r = 0; r < N_ENGLISH; r++) {
		double d = (double)g->word_msgs[r] / (g->count ? g->count : 1) - share;

		/* Words the templates use would be found in every message. */
		if (strlen(english[r]) < 5 || mailgen_in_boilerplate(english[r]))
			continue;
		if (d < 0)
			d = -d;
		if (d < best) {
			best = d;
			best_rank = r;
		}
	}
	mailgen_word(best_rank, g->picked[1]);
	*messages_r = g->word_msgs[best_rank];
	return g->picked[1];
}
