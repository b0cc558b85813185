/* log.c — leveled logging (see log.h). One write(2) per line so lines from
 * several worker processes sharing stderr do not interleave. */
#include "log.h"
#include "str.h"

#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

static enum log_level cur_level = LOG_LEVEL_INFO;
static char ident[64] = "hafen";
static bool to_syslog;

void log_set_level(enum log_level level)
{
	cur_level = level;
}

enum log_level log_get_level(void)
{
	return cur_level;
}

void log_set_ident(const char *s)
{
	snprintf(ident, sizeof(ident), "%s", s);
}

void log_use_syslog(bool on)
{
	if (on && !to_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_MAIL);
	else if (!on && to_syslog)
		closelog();
	to_syslog = on;
}

bool log_level_parse(const char *name, enum log_level *level_r)
{
	static const char *const names[] = {"error", "warn", "info", "debug"};

	for (size_t i = 0; i < HF_N_ELEMENTS(names); i++) {
		if (str_casecmp(name, names[i]) == 0) {
			*level_r = (enum log_level)i;
			return true;
		}
	}
	return false;
}

void log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	static const char *const tags[] = {"error", "warning", "info", "debug"};
	static const int prio[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};
	char line[2048];
	size_t n;
	int r;

	if (level > cur_level)
		return;
	if (to_syslog) {
		vsyslog(prio[level], fmt, ap);
		return;
	}
	r = snprintf(line, sizeof(line), "%s: %s: ", ident, tags[level]);
	n = r < 0 ? 0 : (size_t)r;
	if (n < sizeof(line)) {
		r = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
		n += r < 0 ? 0 : (size_t)r;
	}
	if (n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, n) < 0) {
		/* Nowhere left to report it. */
	}
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}
