/*
 * log.h - leveled logging to stderr. The logger is a value owned by the
 * daemon's top level and handed to each stage, so that no module keeps
 * mutable global state.
 *
 * A line is "TIME LEVEL stage: text". Under systemd, when stderr is the
 * journal's stream (JOURNAL_STREAM names it), the journal stamps each line
 * itself, so the time is left out and the line starts with the syslog
 * priority ("<4>WARN main: ...") that journald reads as the entry's
 * priority.
 */
#ifndef TRUCED_LOG_H
#define TRUCED_LOG_H

#include <stdio.h>

enum truced_log_level { TRUCED_LOG_ERROR = 0, TRUCED_LOG_WARN, TRUCED_LOG_INFO, TRUCED_LOG_DEBUG };

typedef struct truced_log {
	int level;
	FILE *out;
	int journal; /* out is the journal's stream: priority prefix, no time */
} truced_log;

/* "error", "warn", "info", "debug" (by level), then NULL. */
extern const char *const truced_log_level_names[];

/* 1 when fd is the stream JOURNAL_STREAM ("DEV:INODE") names. */
int truced_log_is_journal(int fd);

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
void truced_log_msg(const truced_log *lg, int level, const char *stage, const char *fmt, ...);

#define TRUCED_LOGF(lg, lvl, stage, ...)                                                           \
	do {                                                                                       \
		if ((lg) != NULL && (lvl) <= (lg)->level)                                          \
			truced_log_msg((lg), (lvl), (stage), __VA_ARGS__);                         \
	} while (0)

#endif
