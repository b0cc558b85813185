/* mbox-from.c — parse and write mbox From_ lines (see mbox-from.h). */
#include "mbox-from.h"
#include "lib/str.h"

#include <string.h>
#include <time.h>

static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
static const char weekdays[] = "SunMonTueWedThuFriSat";

struct cursor {
	const char *p, *end;
};

static void skip_spaces(struct cursor *c)
{
	while (c->p < c->end && *c->p == ' ')
		c->p++;
}

/* A run of up to max digits; -1 when there is none. */
static long read_number(struct cursor *c, size_t max)
{
	long v = 0;
	size_t n = 0;

	while (c->p < c->end && ascii_isdigit(*c->p) && n < max) {
		v = v * 10 + (*c->p++ - '0');
		n++;
	}
	return n == 0 ? -1 : v;
}

static size_t word_len(const struct cursor *c)
{
	size_t n = 0;

	while (c->p + n < c->end && c->p[n] != ' ')
		n++;
	return n;
}

static int read_month(struct cursor *c)
{
	if (c->end - c->p < 3)
		return -1;
	for (int i = 0; i < 12; i++)
		if (str_has_prefix_ci(c->p, 3,
				      (const char[4]){months[i * 3], months[i * 3 + 1],
						      months[i * 3 + 2], '\0'})) {
			c->p += 3;
			return i;
		}
	return -1;
}

/* hh:mm or hh:mm:ss into tm. */
static int read_time(struct cursor *c, struct tm *tm)
{
	long h = read_number(c, 2), m = -1, s = 0;

	if (h >= 0 && c->p < c->end && *c->p == ':') {
		c->p++;
		m = read_number(c, 2);
	}
	if (m >= 0 && c->p < c->end && *c->p == ':') {
		c->p++;
		s = read_number(c, 2);
	}
	if (h < 0 || h > 23 || m < 0 || m > 59 || s < 0 || s > 60)
		return -1;
	tm->tm_hour = (int)h;
	tm->tm_min = (int)m;
	tm->tm_sec = (int)s;
	return 0;
}

/* "+hhmm"/"-hhmm", or a zone name we know; 1 when one was read. */
static int read_zone(struct cursor *c, int *tz_r)
{
	static const struct {
		const char *name;
		int minutes;
	} names[] = {{"UT", 0},     {"UTC", 0},    {"GMT", 0},    {"EST", -300},
		     {"EDT", -240}, {"CST", -360}, {"CDT", -300}, {"MST", -420},
		     {"MDT", -360}, {"PST", -480}, {"PDT", -420}};
	size_t n = word_len(c);

	if (n == 5 && (c->p[0] == '+' || c->p[0] == '-')) {
		struct cursor d = {c->p + 1, c->p + 5};
		long v = read_number(&d, 4);

		if (v < 0 || d.p != d.end || v % 100 > 59 || v / 100 > 23)
			return -1;
		*tz_r = (int)((v / 100) * 60 + v % 100) * (c->p[0] == '-' ? -1 : 1);
		c->p += 5;
		return 1;
	}
	for (size_t i = 0; i < HF_N_ELEMENTS(names); i++)
		if (n == strlen(names[i].name) && str_has_prefix_ci(c->p, n, names[i].name)) {
			*tz_r = names[i].minutes;
			c->p += n;
			return 1;
		}
	/* Another zone name ("EEST"): ignored, the time read as local. */
	if (n >= 2 && n <= 6 && ascii_isalpha(c->p[0]))
		c->p += n;
	return 0;
}

/* ctime form after the weekday: "Mmm dd hh:mm[:ss] [ZONE] yyyy [+zzzz]". */
static int parse_ctime(struct cursor *c, struct tm *tm, int *tz, bool *has_zone)
{
	long day, year;
	int z;

	if ((tm->tm_mon = read_month(c)) < 0)
		return -1;
	skip_spaces(c);
	day = read_number(c, 2);
	skip_spaces(c);
	if (day < 1 || day > 31 || read_time(c, tm) < 0)
		return -1;
	skip_spaces(c);
	if (c->p < c->end && !ascii_isdigit(*c->p)) {
		if ((z = read_zone(c, tz)) < 0)
			return -1;
		*has_zone = z == 1;
		skip_spaces(c);
	}
	year = read_number(c, 4);
	if (year < 1900)
		return -1;
	skip_spaces(c);
	if (!*has_zone && c->p < c->end && read_zone(c, tz) == 1)
		*has_zone = true;
	tm->tm_mday = (int)day;
	tm->tm_year = (int)year - 1900;
	return 0;
}

/* RFC 5322 form after "Www,": "dd Mmm yyyy hh:mm[:ss] [+zzzz]". */
static int parse_rfc5322(struct cursor *c, struct tm *tm, int *tz, bool *has_zone)
{
	long day = read_number(c, 2), year;

	skip_spaces(c);
	if (day < 1 || day > 31 || (tm->tm_mon = read_month(c)) < 0)
		return -1;
	skip_spaces(c);
	year = read_number(c, 4);
	skip_spaces(c);
	if (year < 1900 || read_time(c, tm) < 0)
		return -1;
	skip_spaces(c);
	*has_zone = c->p < c->end && read_zone(c, tz) == 1;
	tm->tm_mday = (int)day;
	tm->tm_year = (int)year - 1900;
	return 0;
}

static int parse_date(struct cursor *c, struct mbox_from *from_r)
{
	struct tm tm;
	int tz = 0, ret;
	bool has_zone = false;

	memset(&tm, 0, sizeof(tm));
	if (c->end - c->p < 4 || !ascii_isalpha(c->p[0]) || !ascii_isalpha(c->p[1]) ||
	    !ascii_isalpha(c->p[2]))
		return -1;
	c->p += 3;
	if (*c->p == ',') {
		c->p++;
		skip_spaces(c);
		ret = parse_rfc5322(c, &tm, &tz, &has_zone);
	} else {
		skip_spaces(c);
		ret = parse_ctime(c, &tm, &tz, &has_zone);
	}
	if (ret < 0)
		return -1;
	if (has_zone) {
		from_r->time = (int64_t)timegm(&tm) - (int64_t)tz * 60;
		from_r->tz = tz;
	} else {
		/* Traditional writers (Postfix local, procmail, mutt) put local
		 * time without a zone. */
		tm.tm_isdst = -1;
		from_r->time = (int64_t)mktime(&tm);
		from_r->tz = (int)(tm.tm_gmtoff / 60);
	}
	from_r->has_zone = has_zone;
	return 0;
}

int mbox_from_parse(const char *line, size_t len, struct mbox_from *from_r)
{
	struct cursor c = {line, line + (len > MBOX_FROM_MAX ? MBOX_FROM_MAX : len)};

	memset(from_r, 0, sizeof(*from_r));
	/* The sender: a quoted local part may hold spaces ("a b"@example.org). */
	if (c.p < c.end && *c.p == '"') {
		const char *q = memchr(c.p + 1, '"', (size_t)(c.end - c.p - 1));

		if (q == NULL)
			return -1;
		c.p = q + 1;
	}
	c.p += word_len(&c);
	skip_spaces(&c);
	return parse_date(&c, from_r);
}

static bool sender_ok(const char *s, size_t len)
{
	if (len == 0 || len > 255)
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f || s[i] == '"')
			return false;
	return true;
}

void mbox_from_write(const char *sender, size_t sender_len, int64_t time, int tz, struct buf *out)
{
	time_t local = (time_t)(time + (int64_t)tz * 60);
	int atz = tz < 0 ? -tz : tz;
	struct tm tm;

	if (gmtime_r(&local, &tm) == NULL) {
		local = 0;
		gmtime_r(&local, &tm);
	}
	buf_append_str(out, "From ");
	if (sender_ok(sender, sender_len))
		buf_append(out, sender, sender_len);
	else
		buf_append_str(out, "MAILER-DAEMON");
	buf_printf(out, " %.3s %.3s %2d %02d:%02d:%02d %04d %c%02d%02d\n",
		   weekdays + tm.tm_wday * 3, months + tm.tm_mon * 3, tm.tm_mday, tm.tm_hour,
		   tm.tm_min, tm.tm_sec, tm.tm_year + 1900, tz < 0 ? '-' : '+', atz / 60, atz % 60);
}
