/*
 * cli_log.c - log lines of the commands that run until stopped (`truce
 * feed`, `truce collect --watch`; see cli.h): RFC 3339 UTC time, level,
 * stage, message; the shape of truced's, so one grep reads both.
 */
#include <stdarg.h>
#include <string.h>

#include "cli.h"
#include "truce/date.h"

int cli_log_parse_level(const char *s, int *level)
{
	static const char *const names[] = {"error", "warn", "info", "debug"};
	for (int i = 0; i < 4; i++) {
		if (strcmp(s, names[i]) == 0) {
			*level = i;
			return 0;
		}
	}
	return TRUCE_EINVAL;
}

void cli_logf(const cli_log *lg, int level, const char *stage, const char *fmt, ...)
{
	static const char *const names[] = {"ERROR", "WARN", "INFO", "DEBUG"};
	if (lg == NULL || level > lg->level)
		return;
	char when[40], line[1536];
	truce_rfc3339(truce_now_us(), when, sizeof(when));
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(lg->out != NULL ? lg->out : stderr, "%s %-5s %s: %s\n", when,
	        names[level < 0   ? 0
	              : level > 3 ? 3
	                          : level],
	        stage, line);
	fflush(lg->out != NULL ? lg->out : stderr);
}
