/* log.h — leveled logging to stderr (or syslog once log_use_syslog() is called).
 *
 * Messages start lowercase, name the connection or user, say what failed
 * first, and never contain a password (STYLE.md).
 */
#ifndef HAFEN_LIB_LOG_H
#define HAFEN_LIB_LOG_H

#include "err.h"

#include <stdarg.h>
#include <stdbool.h>

enum log_level { LOG_LEVEL_ERROR, LOG_LEVEL_WARN, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };

void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* Prefix every line with this (e.g. "hafend[1234]"); the string is copied. */
void log_set_ident(const char *ident);
/* Send messages to syslog(3) with the mail facility instead of stderr. */
void log_use_syslog(bool on);
/* Parse "error", "warn", "info", "debug"; false when unknown. */
bool log_level_parse(const char *name, enum log_level *level_r);

void log_msg(enum log_level level, const char *fmt, ...) HF_PRINTF(2, 3);
void log_vmsg(enum log_level level, const char *fmt, va_list ap) HF_PRINTF(2, 0);

#define log_error(...) log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...)                                                                             \
	do {                                                                                       \
		if (log_get_level() >= LOG_LEVEL_DEBUG)                                            \
			log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__);                                     \
	} while (0)

#endif
