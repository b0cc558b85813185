/* mime-date.c — RFC 5322 3.3 date-time, with the obsolete forms of 4.3
 * (two- and three-digit years, named and military zones) and comments. */
#include "mime-private.h"

#include "lib/str.h"

#include <string.h>

struct date_scan {
	const unsigned char *s;
	size_t len, pos;
};

static void skip_cfws(struct date_scan *d)
{
	while (d->pos < d->len) {
		if (ascii_isspace(d->s[d->pos]))
			d->pos++;
		else if (d->s[d->pos] == '(')
			mime_skip_comment(d->s, d->len, &d->pos);
		else
			break;
	}
}

/* Read up to max digits; returns the count read (0: none). */
static int read_number(struct date_scan *d, int max, int *value_r)
{
	int n = 0, v = 0;

	skip_cfws(d);
	while (d->pos < d->len && n < max && ascii_isdigit(d->s[d->pos])) {
		v = v * 10 + (d->s[d->pos++] - '0');
		n++;
	}
	*value_r = v;
	return n;
}

static size_t read_word(struct date_scan *d, const unsigned char **w_r)
{
	size_t start;

	skip_cfws(d);
	start = d->pos;
	while (d->pos < d->len && ascii_isalpha(d->s[d->pos]))
		d->pos++;
	*w_r = d->s + start;
	return d->pos - start;
}

static bool read_char(struct date_scan *d, char c)
{
	skip_cfws(d);
	if (d->pos < d->len && d->s[d->pos] == (unsigned char)c) {
		d->pos++;
		return true;
	}
	return false;
}

/* "Jan".."Dec", or any word that starts with those letters ("January"). */
static int month_number(const unsigned char *w, size_t len)
{
	static const char months[] = "janfebmaraprmayjunjulaugsepoctnovdec";

	if (len < 3)
		return 0;
	for (int m = 0; m < 12; m++)
		if (ascii_tolower(w[0]) == months[3 * m] &&
		    ascii_tolower(w[1]) == months[3 * m + 1] &&
		    ascii_tolower(w[2]) == months[3 * m + 2])
			return m + 1;
	return 0;
}

/* RFC 5322 4.3 zone names; military letters other than Z mean -0000. */
static bool zone_name(const unsigned char *w, size_t len, int *minutes_r)
{
	static const struct {
		const char *name;
		int hours;
	} zones[] = {{"UT", 0},   {"GMT", 0},  {"UTC", 0},  {"Z", 0},    {"EST", -5}, {"EDT", -4},
		     {"CST", -6}, {"CDT", -5}, {"MST", -7}, {"MDT", -6}, {"PST", -8}, {"PDT", -7}};

	for (size_t i = 0; i < HF_N_ELEMENTS(zones); i++)
		if (str_eq_ci_n((const char *)w, len, zones[i].name)) {
			*minutes_r = zones[i].hours * 60;
			return true;
		}
	/* Military letters and unknown names: -0000, "no information". */
	*minutes_r = 0;
	return len > 0;
}

static bool read_zone(struct date_scan *d, int *minutes_r)
{
	const unsigned char *w;
	size_t n;

	skip_cfws(d);
	*minutes_r = 0;
	if (d->pos < d->len && (d->s[d->pos] == '+' || d->s[d->pos] == '-')) {
		int sign = d->s[d->pos++] == '-' ? -1 : 1, v, m;
		int digits = read_number(d, 4, &v);

		/* "+01:00" is no RFC 5322 zone, but some mailers write it. */
		if (digits == 2 && d->pos < d->len && d->s[d->pos] == ':') {
			d->pos++;
			if (read_number(d, 2, &m) != 2)
				return false;
			v = v * 100 + m;
			digits = 4;
		}
		if (digits != 4 || v % 100 > 59)
			return false;
		*minutes_r = sign * (v / 100 * 60 + v % 100);
		return true;
	}
	n = read_word(d, &w);
	if (n == 0)
		return true; /* no zone at all: taken as UTC */
	return zone_name(w, n, minutes_r);
}

static int64_t days_from_civil(int64_t y, int m, int d)
{
	/* Howard Hinnant's algorithm, proleptic Gregorian. */
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

static bool read_date(struct date_scan *d, int *day, int *month, int *year)
{
	const unsigned char *w;
	size_t wl;
	int n;

	/* [day-of-week ","] */
	wl = read_word(d, &w);
	if (wl > 0)
		(void)read_char(d, ',');
	if (read_number(d, 2, day) == 0)
		return false;
	(void)read_char(d, '-');
	wl = read_word(d, &w);
	*month = month_number(w, wl);
	if (*month == 0)
		return false;
	(void)read_char(d, '-');
	n = read_number(d, 4, year);
	if (n < 2)
		return false;
	/* RFC 5322 4.3: 2-digit years below 50 are 20xx, others 19xx;
	 * three digits add 1900. */
	if (n == 2)
		*year += *year < 50 ? 2000 : 1900;
	else if (n == 3)
		*year += 1900;
	return *day >= 1 && *day <= days_in_month(*year, *month);
}

int mime_parse_date(const char *s, size_t len, int64_t *unix_time_r, int *tz_offset_minutes_r)
{
	struct date_scan d = {(const unsigned char *)s, len, 0};
	int day, month, year, hour, min, sec = 0, zone;

	if (!read_date(&d, &day, &month, &year))
		return -1;
	if (read_number(&d, 2, &hour) == 0 || !read_char(&d, ':') || read_number(&d, 2, &min) == 0)
		return -1;
	if (read_char(&d, ':') && read_number(&d, 2, &sec) == 0)
		return -1;
	if (hour > 23 || min > 59 || sec > 60 || !read_zone(&d, &zone))
		return -1;
	*unix_time_r = days_from_civil(year, month, day) * 86400 + hour * 3600 + min * 60 + sec -
		       (int64_t)zone * 60;
	*tz_offset_minutes_r = zone;
	return 0;
}
