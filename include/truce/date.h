/*
 * date.h - calendar days and clocks, one copy for the whole project.
 *
 * Days are counted from 1970-01-01 (day 0) in the proleptic Gregorian
 * calendar, so "two days apart" is a subtraction. Dates on the wire and in
 * the store are "YYYY-MM-DD" strings; times are microseconds since the
 * epoch, printed as RFC 3339 in UTC.
 */
#ifndef TRUCE_DATE_H
#define TRUCE_DATE_H

#include <stdint.h>

#include "truce.h"

/* Days since 1970-01-01 of a civil date (any y, m 1..12, d 1..31; an
 * out-of-range day rolls over, as the arithmetic of H. Hinnant does). */
long truce_days_from_civil(int y, int m, int d);

/* The civil date of a day count. */
void truce_civil_from_days(long days, int *y, int *m, int *d);

/* Parses "YYYY-MM-DD" (exactly that, a real day, year 1900 or later) into
 * its parts; TRUCE_EINVAL otherwise, with *y, *m, *d untouched. */
int truce_date_parse(const char *s, int *y, int *m, int *d);

/* 0 when s is a valid "YYYY-MM-DD" (as truce_date_parse), else TRUCE_EINVAL. */
int truce_date_check(const char *s);

/* The day count of a valid "YYYY-MM-DD". */
int truce_date_day(const char *s, long *day);

/* Writes the "YYYY-MM-DD" of a day count into out (11 bytes with the NUL). */
void truce_date_format(long day, char out[11]);

/* Wall-clock time, microseconds since the epoch (receipt times, events). */
int64_t truce_now_us(void);

/* A monotonic clock in milliseconds and microseconds, for timeouts and
 * latencies: it never jumps with the wall clock. */
int64_t truce_mono_ms(void);
int64_t truce_mono_us(void);

/* RFC 3339 in UTC with microseconds: "2022-08-03T10:15:00.000000Z". */
void truce_rfc3339(int64_t us, char *out, size_t len);

/* Parses RFC 3339 ("YYYY-MM-DD", or with a time, fraction and Z/±hh:mm
 * offset) into microseconds since the epoch. */
int truce_parse_rfc3339(const char *s, int64_t *us);

#endif
