/*
 * sched.c - when to poll a feed next (see feed.h): pure functions, so the
 * policy is tested without a clock.
 *
 * A feed that publishes often is polled often and one that rarely does is
 * left alone: the interval halves when a poll finds something new and grows
 * by half when it finds nothing, between a floor and a ceiling. The
 * publisher's own hints (Cache-Control max-age, RSS ttl, sy:updatePeriod)
 * can only lengthen it. Errors back off exponentially from the floor with
 * jitter, up to the ceiling and no further: a feed that is down for a week
 * is still tried every ceiling, and picked up again when it comes back
 * (readers that give feeds up for good are a common complaint).
 */
#include "feed.h"

static int64_t clamp(int64_t v, const feed_limits *lim)
{
	if (v < lim->floor_ms)
		return lim->floor_ms;
	if (v > lim->ceiling_ms)
		return lim->ceiling_ms;
	return v;
}

int64_t feed_sched_adapt(int64_t interval_ms, size_t new_items, int first_poll,
                         const feed_limits *lim)
{
	if (interval_ms <= 0)
		interval_ms = lim->floor_ms;
	if (first_poll)
		return clamp(interval_ms, lim);
	return clamp(new_items > 0 ? interval_ms / 2 : interval_ms + interval_ms / 2, lim);
}

int64_t feed_sched_ok(int64_t interval_ms, int64_t hint_ms, const feed_limits *lim, uint32_t rnd)
{
	int64_t wait = clamp(interval_ms, lim);
	/* +-10 %: rnd / 2^32 in [0, 1) mapped to [-0.1, 0.1) of the wait */
	int64_t spread = wait / 5;
	wait = wait - wait / 10 + (int64_t)(((uint64_t)rnd * (uint64_t)spread) >> 32);
	if (hint_ms > wait) {
		/* A hint is a lower bound ("not before"): the spread goes above it. */
		int64_t h = hint_ms < lim->ceiling_ms ? hint_ms : lim->ceiling_ms;
		wait = h + (int64_t)(((uint64_t)rnd * (uint64_t)(h / 10)) >> 32);
	}
	return wait < lim->ceiling_ms ? wait : lim->ceiling_ms;
}

int64_t feed_sched_error(uint32_t errors, int64_t retry_after_ms, const feed_limits *lim,
                         uint32_t rnd)
{
	int64_t wait = lim->floor_ms;
	for (uint32_t i = 1; i < errors && wait < lim->ceiling_ms; i++)
		wait *= 2;
	if (wait > lim->ceiling_ms)
		wait = lim->ceiling_ms;
	/* full jitter in the upper half: [wait/2, wait) */
	int64_t half = wait / 2;
	wait = half + (int64_t)(((uint64_t)rnd * (uint64_t)(wait - half)) >> 32);
	if (retry_after_ms > FEED_MAX_RETRY_AFTER_MS)
		retry_after_ms = FEED_MAX_RETRY_AFTER_MS;
	return retry_after_ms > wait ? retry_after_ms : wait;
}
