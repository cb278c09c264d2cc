/*
 * log.h - leveled, timestamped logging to stderr. The logger is a value
 * owned by the daemon's top level and handed to each stage, so that no
 * module keeps mutable global state.
 */
#ifndef TRUCED_LOG_H
#define TRUCED_LOG_H

#include <stdio.h>

enum truced_log_level { TRUCED_LOG_ERROR = 0, TRUCED_LOG_WARN, TRUCED_LOG_INFO, TRUCED_LOG_DEBUG };

typedef struct truced_log {
	int level;
	FILE *out;
} truced_log;

/* Parses "error" | "warn" | "info" | "debug"; 0 on success. */
int truced_log_parse_level(const char *s, int *level);

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
