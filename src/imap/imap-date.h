/* imap-date.h — IMAP dates: the search "date" (d-Mon-yyyy) and the quoted
 * "date-time" of INTERNALDATE and APPEND (RFC 9051 section 9).
 *
 * Parsing is strict: the month name is one of the twelve English
 * abbreviations (any case), the day must exist in that month (leap years
 * counted), hours 00-23, minutes 00-59, seconds 00-60 (a leap second), and
 * the zone +/-hhmm with minutes below 60. Years are the four digits given
 * (0001-9999; "0000" is refused).
 */
#ifndef HAFEN_IMAP_DATE_H
#define HAFEN_IMAP_DATE_H

#include "lib/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct imap_date {
	uint16_t year; /* 1..9999 */
	uint8_t month; /* 1..12 */
	uint8_t day;   /* 1..31, valid for the month */
};

struct imap_datetime {
	struct imap_date date;
	uint8_t hour, min, sec;
	int16_t zone; /* minutes east of UTC, -5999..5999 (from +/-hhmm) */
};

/* Parse a search date "d-Mon-yyyy" or "dd-Mon-yyyy" (no quotes). */
bool imap_date_parse(const char *s, size_t len, struct imap_date *date_r);
/* Parse a date-time without its quotes: "dd-Mon-yyyy hh:mm:ss +zzzz"; the
 * day may be space padded (" 5-Jan-...") as date-day-fixed allows. */
bool imap_datetime_parse(const char *s, size_t len, struct imap_datetime *dt_r);
/* Is this a real calendar date? */
bool imap_date_is_valid(const struct imap_date *date);
bool imap_datetime_is_valid(const struct imap_datetime *dt);

/* Append "d-Mon-yyyy" (no quotes, no padding: the search-key form). */
void imap_date_write(struct buf *out, const struct imap_date *date);
/* Append the quoted date-time "dd-Mon-yyyy hh:mm:ss +zzzz" (day zero padded). */
void imap_datetime_write(struct buf *out, const struct imap_datetime *dt);

/* Days since 1970-01-01 (negative before) of a valid date. */
int64_t imap_date_to_days(const struct imap_date *date);
/* Seconds since the epoch (UTC) of a valid date-time, zone applied. */
int64_t imap_datetime_to_unix(const struct imap_datetime *dt);
/* The date-time of unix time t as seen in a zone (minutes east of UTC,
 * -5999..5999). False when the result falls outside years 1..9999. */
bool imap_datetime_from_unix(int64_t t, int zone, struct imap_datetime *dt_r);

#endif
