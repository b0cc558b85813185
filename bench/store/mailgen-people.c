/* mailgen-people.c — the correspondents: names (some non-ASCII, some
 * "Surname, First"), addresses, and how their mailers write them. */
#include "mailgen-private.h"

#include <stdio.h>
#include <string.h>

struct name {
	const char *display; /* UTF-8 */
	const char *ascii;   /* for the address */
};

static const struct name first_names[] = {
	{"Anna", "anna"},
	{"Ben", "ben"},
	{"Clara", "clara"},
	{"David", "david"},
	{"Emma", "emma"},
	{"Felix", "felix"},
	{"Grace", "grace"},
	{"Hannah", "hannah"},
	{"Ivan", "ivan"},
	{"Julia", "julia"},
	{"Karl", "karl"},
	{"Laura", "laura"},
	{"Martin", "martin"},
	{"Nina", "nina"},
	{"Oscar", "oscar"},
	{"Paula", "paula"},
	{"Quentin", "quentin"},
	{"Rosa", "rosa"},
	{"Simon", "simon"},
	{"Tina", "tina"},
	{"Uwe", "uwe"},
	{"Vera", "vera"},
	{"William", "william"},
	{"Xenia", "xenia"},
	{"Yusuf", "yusuf"},
	{"Zoë", "zoe"},
	{"Jörg", "joerg"},
	{"François", "francois"},
	{"Søren", "soren"},
	{"José", "jose"},
	{"Małgorzata", "malgorzata"},
	{"Björn", "bjorn"},
	{"Chloé", "chloe"},
	{"Ahmed", "ahmed"},
	{"Mei", "mei"},
	{"Hiroshi", "hiroshi"},
	{"Priya", "priya"},
	{"Olga", "olga"},
	{"Pedro", "pedro"},
	{"Sarah", "sarah"},
	{"Thomas", "thomas"},
	{"Lena", "lena"},
	{"Marco", "marco"},
	{"Elif", "elif"},
	{"Noah", "noah"},
	{"Ingrid", "ingrid"},
	{"Tomás", "tomas"},
	{"Katarzyna", "katarzyna"},
};

static const struct name surnames[] = {
	{"Smith", "smith"},
	{"Müller", "mueller"},
	{"García", "garcia"},
	{"Nowak", "nowak"},
	{"Rossi", "rossi"},
	{"Jensen", "jensen"},
	{"Dubois", "dubois"},
	{"Schmidt", "schmidt"},
	{"Johnson", "johnson"},
	{"Kowalski", "kowalski"},
	{"Fernández", "fernandez"},
	{"Novák", "novak"},
	{"Andersson", "andersson"},
	{"Yılmaz", "yilmaz"},
	{"Tanaka", "tanaka"},
	{"Wang", "wang"},
	{"Kumar", "kumar"},
	{"Ivanova", "ivanova"},
	{"Silva", "silva"},
	{"Brown", "brown"},
	{"Weber", "weber"},
	{"Lefèvre", "lefevre"},
	{"Bianchi", "bianchi"},
	{"Hansen", "hansen"},
	{"O'Brien", "obrien"},
	{"Nguyen", "nguyen"},
	{"Kim", "kim"},
	{"Virtanen", "virtanen"},
	{"Horváth", "horvath"},
	{"Petrović", "petrovic"},
	{"Wilson", "wilson"},
	{"Taylor", "taylor"},
	{"Fischer", "fischer"},
	{"Moreau", "moreau"},
	{"Romano", "romano"},
	{"Larsen", "larsen"},
	{"Costa", "costa"},
	{"Papadopoulos", "papadopoulos"},
	{"Cohen", "cohen"},
	{"Sato", "sato"},
};

static const char *const domains[] = {
	"example.com",
	"example.org",
	"example.net",
	"mail.example.de",
	"corp.example",
	"lists.example.org",
	"university.example.edu",
	"shop.example.co.uk",
	"startup.example.io",
	"agency.example.fr",
	"bank.example.ch",
	"city.example.gov",
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static bool has_8bit(const char *s)
{
	return mailgen_has_8bit(s, strlen(s));
}

void mailgen_people_init(struct mailgen *g)
{
	for (unsigned i = 0; i < MAILGEN_PEOPLE; i++) {
		struct mailgen_person *p = &g->people[i];
		const struct name *f = &first_names[bench_rand_below(&g->rnd, N(first_names))];
		unsigned si = bench_rand_below(&g->rnd, N(surnames));
		const struct name *l = &surnames[si];
		const char *dom = domains[bench_rand_below(&g->rnd, N(domains))];

		p->surname = (uint16_t)si;
		if (bench_rand_chance(&g->rnd, 0.1))
			snprintf(p->name, sizeof(p->name), "%s, %s", l->display, f->display);
		else
			snprintf(p->name, sizeof(p->name), "%s %s", f->display, l->display);
		/* Same names are common; the number keeps addresses apart. */
		snprintf(p->addr, sizeof(p->addr), "%s.%s%u@%s", f->ascii, l->ascii, i % 7 ? i : 0,
			 dom);
		p->encode_name = has_8bit(p->name) || bench_rand_chance(&g->rnd, 0.05);
	}
}

static bool mentions(const char *text, const char *word)
{
	return strcasestr(text, word) != NULL;
}

bool mailgen_people_mention(const char *word)
{
	for (size_t i = 0; i < N(first_names); i++)
		if (mentions(first_names[i].display, word) || mentions(first_names[i].ascii, word))
			return true;
	for (size_t i = 0; i < N(surnames); i++)
		if (mentions(surnames[i].display, word) || mentions(surnames[i].ascii, word))
			return true;
	for (size_t i = 0; i < N(domains); i++)
		if (mentions(domains[i], word))
			return true;
	return false;
}

const char *mailgen_surname(unsigned idx)
{
	return idx < N(surnames) ? surnames[idx].display : "";
}

const char *mailgen_first_name(const struct mailgen_person *p)
{
	const char *comma = strstr(p->name, ", ");

	return comma ? comma + 2 : p->name;
}

void mailgen_write_mailbox(struct buf *out, const struct mailgen_person *p)
{
	if (p->encode_name)
		mailgen_encoded_word(out, p->name);
	else if (strpbrk(p->name, ",'") != NULL)
		buf_printf(out, "\"%s\"", p->name);
	else
		buf_append_str(out, p->name);
	buf_printf(out, " <%s>", p->addr);
}

const char *mailgen_frequent_surname(struct mailgen *g, uint32_t *messages_r)
{
	unsigned best = 0;

	for (unsigned i = 1; i < MAILGEN_PEOPLE; i++)
		if (g->sender_msgs[i] > g->sender_msgs[best])
			best = i;
	*messages_r = g->surname_msgs[g->people[best].surname];
	return mailgen_surname(g->people[best].surname);
}
