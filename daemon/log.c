/*
 * log.c - one line per message: RFC 3339 UTC time, level, stage, text; for
 * the journal, the syslog priority instead of the time (see log.h).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"
#include "truce/date.h"
#include "truce/wire.h"

static const char *const level_tags[] = {"ERROR", "WARN", "INFO", "DEBUG"};

const char *const truced_log_level_names[] = {"error", "warn", "info", "debug", NULL};

int truced_log_is_journal(int fd)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	char tail;
	/* systemd sets it for the service's stdout/stderr; a child whose
	 * stderr was redirected inherits the variable but not the stream. */
	return js != NULL && sscanf(js, "%llu:%llu%c", &dev, &ino, &tail) == 2 &&
	       fstat(fd, &st) == 0 && (unsigned long long)st.st_dev == dev &&
	       (unsigned long long)st.st_ino == ino;
}

void truced_log_msg(const truced_log *lg, int level, const char *stage, const char *fmt, ...)
{
	/* syslog priorities: err, warning, info, debug */
	static const int priority[] = {3, 4, 6, 7};
	int lv = level < 0 ? 0 : level > 3 ? 3 : level;
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	FILE *out = lg->out != NULL ? lg->out : stderr;
	/* One fprintf per line keeps lines whole when threads log. */
	if (lg->journal) {
		fprintf(out, "<%d>%s %s: %s\n", priority[lv], level_tags[lv], stage, line);
		return;
	}
	char when[40];
	truce_rfc3339(truce_now_us(), when, sizeof(when));
	fprintf(out, "%s %-5s %s: %s\n", when, level_tags[lv], stage, line);
}
