/*
 * log.h - leveled, timestamped logging to stderr. The logger is a value
 * owned by the daemon's top level and handed to each stage, so that no
 * module keeps mutable global state.
 */
#ifndef TRUCE_LOG_H
#define TRUCE_LOG_H

#include <stdio.h>

enum truce_log_level { TRUCE_LOG_ERROR = 0, TRUCE_LOG_WARN, TRUCE_LOG_INFO, TRUCE_LOG_DEBUG };

typedef struct truce_log {
	int level;
	FILE *out;
} truce_log;

/* Parses "error" | "warn" | "info" | "debug"; 0 on success. */
int truce_log_parse_level(const char *s, int *level);

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
void truce_log_msg(const truce_log *lg, int level, const char *stage, const char *fmt, ...);

#define TRUCE_LOGF(lg, lvl, stage, ...)                                                            \
	do {                                                                                       \
		if ((lg) != NULL && (lvl) <= (lg)->level)                                          \
			truce_log_msg((lg), (lvl), (stage), __VA_ARGS__);                          \
	} while (0)

#endif
