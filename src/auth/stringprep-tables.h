/* stringprep-tables.h — RFC 3454 code point tables (generated into
 * stringprep-tables.c by stringprep-tables.py) and their lookup. Private to
 * saslprep.c and its tests. */
#ifndef HAFEN_AUTH_STRINGPREP_TABLES_H
#define HAFEN_AUTH_STRINGPREP_TABLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Inclusive range of code points; tables are sorted and disjoint. */
struct stringprep_range {
	uint32_t lo, hi;
};

extern const struct stringprep_range stringprep_unassigned[];
extern const size_t stringprep_unassigned_count;
extern const struct stringprep_range stringprep_map_nothing[];
extern const size_t stringprep_map_nothing_count;
extern const struct stringprep_range stringprep_space[];
extern const size_t stringprep_space_count;
extern const struct stringprep_range stringprep_prohibited[];
extern const size_t stringprep_prohibited_count;
extern const struct stringprep_range stringprep_randalcat[];
extern const size_t stringprep_randalcat_count;
extern const struct stringprep_range stringprep_lcat[];
extern const size_t stringprep_lcat_count;

/* Is cp in the table? Binary search. */
bool stringprep_in_table(const struct stringprep_range *table, size_t count, uint32_t cp);

#endif
