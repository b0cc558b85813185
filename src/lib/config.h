/* config.h — a small "key = value" configuration file reader.
 *
 * Syntax: one setting per line, `key = value`; `#` starts a comment (at the
 * start of a line or after whitespace); blank lines are ignored; a value
 * may be quoted with double quotes to keep leading/trailing spaces or a
 * '#'. A key may appear several times (e.g. `listen`), in order.
 * Which keys exist, and their types, is the caller's table: config_apply()
 * refuses unknown keys with a message naming the file and line.
 */
#ifndef HAFEN_LIB_CONFIG_H
#define HAFEN_LIB_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct config_entry {
	char *key;
	char *value;
	unsigned line;
};

struct config {
	char *path;
	struct config_entry *entries;
	size_t count;
};

/* Read and split a file. -1 with *error_r (static buffer) on I/O or syntax errors. */
int config_read(const char *path, struct config *cfg_r, const char **error_r);
/* Parse text (for tests); name is used in messages. */
int config_parse(const char *name, const char *text, size_t len, struct config *cfg_r,
		 const char **error_r);
void config_free(struct config *cfg);

/* The typed setters the caller's table uses. Each returns 0, or -1 with a
 * message in err (size errsize) that does not repeat the key or line. */
int config_parse_bool(const char *value, bool *out, char *err, size_t errsize);
int config_parse_uint(const char *value, uint64_t max, uint64_t *out, char *err, size_t errsize);
/* Sizes with an optional K, M or G suffix (powers of 1024). */
int config_parse_size(const char *value, uint64_t *out, char *err, size_t errsize);
/* Durations with an optional s, m, h or d suffix; result in seconds. */
int config_parse_duration(const char *value, uint64_t *out, char *err, size_t errsize);

#endif
