/*
 * progress.c - the progress bar of `truce replay`: drawn on stderr when it
 * is a terminal and the run is long, with a rate and an ETA.
 */
#include <stdio.h>
#include <string.h>

#include "replay.h"
#include "truce/date.h"

/* --- progress ----------------------------------------------------------- */

#define PROGRESS_AFTER_MS 1000 /* short runs draw nothing */
#define PROGRESS_EVERY_MS 200
#define PROGRESS_WIDTH 30

void replay_progress_start(replay_progress *p, int enabled, uint64_t total)
{
	memset(p, 0, sizeof(*p));
	p->enabled = enabled;
	p->total = total;
	p->start_ms = truce_mono_ms();
}

void replay_progress_update(replay_progress *p, uint64_t done, const char *extra)
{
	if (!p->enabled)
		return;
	int64_t now = truce_mono_ms();
	if (now - p->start_ms < PROGRESS_AFTER_MS || now - p->last_ms < PROGRESS_EVERY_MS)
		return;
	p->last_ms = now;
	char bar[PROGRESS_WIDTH + 1];
	uint64_t total = p->total > done ? p->total : done;
	size_t fill = total > 0 ? (size_t)(done * PROGRESS_WIDTH / total) : 0;
	for (size_t i = 0; i < PROGRESS_WIDTH; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[PROGRESS_WIDTH] = '\0';
	double rate = (double)done * 1000.0 / (double)(now - p->start_ms);
	long eta = rate > 0 ? (long)((double)(total - done) / rate) : 0;
	fprintf(stderr, "\rreplay [%s] %llu/%llu %3d%% eta %lds%s%s\033[K", bar,
	        (unsigned long long)done, (unsigned long long)total,
	        total > 0 ? (int)(done * 100 / total) : 100, eta, extra ? " " : "",
	        extra ? extra : "");
	fflush(stderr);
	p->drawn = 1;
}

void replay_progress_end(replay_progress *p)
{
	if (p->drawn) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	p->drawn = 0;
}
