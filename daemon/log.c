/*
 * log.c - one line per message: RFC 3339 UTC time, level, stage, text.
 */
#include <stdarg.h>
#include <string.h>

#include "log.h"
#include "truce/date.h"
#include "truce/wire.h"

static const char *const level_names[] = {"ERROR", "WARN", "INFO", "DEBUG"};

int truced_log_parse_level(const char *s, int *level)
{
	static const char *const names[] = {"error", "warn", "info", "debug"};
	for (int i = 0; i < 4; i++) {
		if (strcmp(s, names[i]) == 0) {
			*level = i;
			return 0;
		}
	}
	return -1;
}

void truced_log_msg(const truced_log *lg, int level, const char *stage, const char *fmt, ...)
{
	char when[40];
	truce_rfc3339(truce_now_us(), when, sizeof(when));
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* One fprintf per line keeps lines whole when threads log. */
	fprintf(lg->out != NULL ? lg->out : stderr, "%s %-5s %s: %s\n", when,
	        level_names[level < 0   ? 0
	                    : level > 3 ? 3
	                                : level],
	        stage, line);
}
