/* imap-date.c — IMAP date and date-time parsing and writing (see imap-date.h). */
#include "imap-date.h"
#include "lib/str.h"

static const char month_names[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

static bool is_leap(unsigned year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static unsigned days_in_month(unsigned year, unsigned month)
{
	static const unsigned char days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	return month == 2 && is_leap(year) ? 29 : days[month - 1];
}

bool imap_date_is_valid(const struct imap_date *d)
{
	return d->year >= 1 && d->year <= 9999 && d->month >= 1 && d->month <= 12 && d->day >= 1 &&
	       d->day <= days_in_month(d->year, d->month);
}

bool imap_datetime_is_valid(const struct imap_datetime *dt)
{
	int zone = dt->zone < 0 ? -dt->zone : dt->zone;

	return imap_date_is_valid(&dt->date) && dt->hour <= 23 && dt->min <= 59 && dt->sec <= 60 &&
	       zone / 60 <= 99 && zone % 60 <= 59;
}

static bool parse_digits(const char *s, size_t n, unsigned *value_r)
{
	unsigned v = 0;

	for (size_t i = 0; i < n; i++) {
		if (!ascii_isdigit((unsigned char)s[i]))
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*value_r = v;
	return true;
}

static bool parse_month(const char *s, unsigned *month_r)
{
	for (unsigned i = 0; i < 12; i++) {
		if (str_eq_ci_n(s, 3, month_names[i])) {
			*month_r = i + 1;
			return true;
		}
	}
	return false;
}

/* "-Mon-yyyy" after the day. */
static bool parse_month_year(const char *s, unsigned day, struct imap_date *date_r)
{
	unsigned month, year;

	if (s[0] != '-' || s[4] != '-' || !parse_month(s + 1, &month) ||
	    !parse_digits(s + 5, 4, &year))
		return false;
	date_r->year = (uint16_t)year;
	date_r->month = (uint8_t)month;
	date_r->day = (uint8_t)day;
	return imap_date_is_valid(date_r);
}

bool imap_date_parse(const char *s, size_t len, struct imap_date *date_r)
{
	unsigned day;
	size_t day_len = len == 10 ? 1 : 2;

	/* date-day = 1*2DIGIT, then "-Mon-yyyy" (9 bytes). */
	if (len != 10 && len != 11)
		return false;
	if (!parse_digits(s, day_len, &day))
		return false;
	return parse_month_year(s + day_len, day, date_r);
}

static bool parse_zone(const char *s, int16_t *zone_r)
{
	unsigned hh, mm;

	if ((s[0] != '+' && s[0] != '-') || !parse_digits(s + 1, 2, &hh) ||
	    !parse_digits(s + 3, 2, &mm) || mm > 59)
		return false;
	*zone_r = (int16_t)((s[0] == '-' ? -1 : 1) * (int)(hh * 60 + mm));
	return true;
}

bool imap_datetime_parse(const char *s, size_t len, struct imap_datetime *dt_r)
{
	unsigned day, hour, min, sec;

	/* "dd-Mon-yyyy hh:mm:ss +zzzz" is exactly 26 bytes. */
	if (len != 26)
		return false;
	if (s[0] == ' ') {
		if (!parse_digits(s + 1, 1, &day))
			return false;
	} else if (!parse_digits(s, 2, &day)) {
		return false;
	}
	if (!parse_month_year(s + 2, day, &dt_r->date))
		return false;
	if (s[11] != ' ' || s[14] != ':' || s[17] != ':' || s[20] != ' ' ||
	    !parse_digits(s + 12, 2, &hour) || !parse_digits(s + 15, 2, &min) ||
	    !parse_digits(s + 18, 2, &sec) || !parse_zone(s + 21, &dt_r->zone))
		return false;
	dt_r->hour = (uint8_t)hour;
	dt_r->min = (uint8_t)min;
	dt_r->sec = (uint8_t)sec;
	return imap_datetime_is_valid(dt_r);
}

void imap_date_write(struct buf *out, const struct imap_date *d)
{
	buf_printf(out, "%u-%s-%04u", d->day, month_names[(d->month - 1) % 12], d->year);
}

void imap_datetime_write(struct buf *out, const struct imap_datetime *dt)
{
	int zone = dt->zone < 0 ? -dt->zone : dt->zone;

	buf_printf(out, "\"%02u-%s-%04u %02u:%02u:%02u %c%02d%02d\"", dt->date.day,
		   month_names[(dt->date.month - 1) % 12], dt->date.year, dt->hour, dt->min,
		   dt->sec, dt->zone < 0 ? '-' : '+', zone / 60, zone % 60);
}

/* Civil date to a day count: shift the year to start in March so the leap
 * day is the last day of the year, then count 400-year eras. */
int64_t imap_date_to_days(const struct imap_date *d)
{
	int64_t y = (int64_t)d->year - (d->month <= 2);
	int64_t era = y / 400;
	int64_t yoe = y - era * 400;
	int64_t mp = (d->month + 9) % 12;
	int64_t doy = (153 * mp + 2) / 5 + d->day - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

int64_t imap_datetime_to_unix(const struct imap_datetime *dt)
{
	int64_t t = imap_date_to_days(&dt->date) * 86400;

	t += (int64_t)dt->hour * 3600 + dt->min * 60 + dt->sec;
	return t - (int64_t)dt->zone * 60;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

bool imap_datetime_from_unix(int64_t t, int zone, struct imap_datetime *dt_r)
{
	int64_t local, days, secs, era, doe, yoe, y, doy, mp;

	/* Years 1..9999 span about +/-3e11 seconds; refuse anything further
	 * before doing arithmetic that could overflow. */
	if (t < -62135596800LL - 86400 || t > 253402300799LL + 86400 || zone < -5999 || zone > 5999)
		return false;
	local = t + (int64_t)zone * 60;
	days = floor_div(local, 86400);
	secs = local - days * 86400;
	days += 719468;
	era = floor_div(days, 146097);
	doe = days - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	dt_r->date.day = (uint8_t)(doy - (153 * mp + 2) / 5 + 1);
	dt_r->date.month = (uint8_t)(mp < 10 ? mp + 3 : mp - 9);
	y += dt_r->date.month <= 2;
	if (y < 1 || y > 9999)
		return false;
	dt_r->date.year = (uint16_t)y;
	dt_r->hour = (uint8_t)(secs / 3600);
	dt_r->min = (uint8_t)(secs / 60 % 60);
	dt_r->sec = (uint8_t)(secs % 60);
	dt_r->zone = (int16_t)zone;
	return true;
}
