/*
 * date.c - calendar days and clocks (see truce/date.h): the one place that
 * turns "YYYY-MM-DD" into day counts and back, reads the clocks, and prints
 * and parses RFC 3339.
 *
 * Day arithmetic is integer-only (H. Hinnant's days-from-civil), so it needs
 * no time zone, no struct tm and no locale, and it is the same in the
 * extractor, the incident matcher and the wire checks.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "truce/date.h"

long truce_days_from_civil(int y, int m, int d)
{
	long yy = (long)y - (m <= 2);
	/* floor division: years before 0 belong to the era before */
	// cppcheck-suppress knownConditionTrueFalse ; true for the callers cppcheck sees, not all
	long era = (yy >= 0 ? yy : yy - 399) / 400;
	long yoe = yy - era * 400;
	long mp = (m + 9) % 12;
	long doy = (153 * mp + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void truce_civil_from_days(long days, int *y, int *m, int *d)
{
	long z = days + 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/* n decimal digits at s, nothing else. */
static int digits(const char *s, int n, int *v)
{
	int x = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		x = x * 10 + (s[i] - '0');
	}
	*v = x;
	return 0;
}

int truce_date_parse(const char *s, int *y, int *m, int *d)
{
	int yy, mm, dd;
	if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-' || digits(s, 4, &yy) != 0 ||
	    digits(s + 5, 2, &mm) != 0 || digits(s + 8, 2, &dd) != 0)
		return TRUCE_EINVAL;
	if (yy < 1900 || mm < 1 || mm > 12 || dd < 1)
		return TRUCE_EINVAL;
	/* A real day: the day count converts back to the same date. */
	int ry, rm, rd;
	truce_civil_from_days(truce_days_from_civil(yy, mm, dd), &ry, &rm, &rd);
	if (ry != yy || rm != mm || rd != dd)
		return TRUCE_EINVAL;
	*y = yy;
	*m = mm;
	*d = dd;
	return 0;
}

int truce_date_check(const char *s)
{
	int y, m, d;
	return truce_date_parse(s, &y, &m, &d);
}

int truce_date_day(const char *s, long *day)
{
	int y, m, d;
	if (truce_date_parse(s, &y, &m, &d) != 0)
		return TRUCE_EINVAL;
	*day = truce_days_from_civil(y, m, d);
	return 0;
}

void truce_date_format(long day, char out[11])
{
	int y, m, d;
	truce_civil_from_days(day, &y, &m, &d);
	if (y < 0 || y > 9999) /* not a date any record holds; keep the width */
		y = y < 0 ? 0 : 9999;
	/* By hand: incidents format a few dates per claim, and snprintf
	 * costs more than the rest of the arithmetic. */
	const int parts[3][2] = {{y, 4}, {m, 2}, {d, 2}};
	char *p = out;
	for (int i = 0; i < 3; i++) {
		for (int k = parts[i][1] - 1, v = parts[i][0]; k >= 0; k--, v /= 10)
			p[k] = (char)('0' + v % 10);
		p += parts[i][1];
		*p++ = i < 2 ? '-' : '\0';
	}
}

static int64_t clock_us(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t truce_now_us(void)
{
	return clock_us(CLOCK_REALTIME);
}

int64_t truce_mono_us(void)
{
	return clock_us(CLOCK_MONOTONIC);
}

int64_t truce_mono_ms(void)
{
	return truce_mono_us() / 1000;
}

void truce_rfc3339(int64_t us, char *out, size_t len)
{
	int64_t sec = us / 1000000, frac = us % 1000000;
	if (frac < 0) { /* before the epoch: the fraction counts forward */
		frac += 1000000;
		sec--;
	}
	long day = (long)(sec / 86400);
	long tod = (long)(sec % 86400);
	if (tod < 0) {
		tod += 86400;
		day--;
	}
	char date[11];
	truce_date_format(day, date);
	snprintf(out, len, "%sT%02ld:%02ld:%02ld.%06lldZ", date, tod / 3600, tod / 60 % 60,
	         tod % 60, (long long)frac);
}

static int parse_fraction(const char **p, int64_t *us)
{
	int64_t scale = 100000, v = 0;
	if (**p != '.')
		return 0;
	(*p)++;
	if (!isdigit((unsigned char)**p))
		return -1;
	while (isdigit((unsigned char)**p)) {
		v += (**p - '0') * scale;
		scale /= 10;
		(*p)++;
	}
	*us = v;
	return 0;
}

/* Exactly two digits at p, at most max. Stricter than sscanf's %2d, which
 * takes a sign, leading blanks or a single digit ("T-1:00:00Z"). */
static int two_digits(const char *p, int max, int *v)
{
	if (digits(p, 2, v) != 0)
		return -1;
	return *v <= max ? 0 : -1;
}

static int parse_offset(const char *p, int64_t *offset_s)
{
	if (*p == 'Z' || *p == 'z')
		return p[1] == '\0' ? 0 : -1;
	int hh, mm;
	if ((*p != '+' && *p != '-') || two_digits(p + 1, 23, &hh) != 0 || p[3] != ':' ||
	    two_digits(p + 4, 59, &mm) != 0 || p[6] != '\0')
		return -1;
	*offset_s = (*p == '-' ? -1 : 1) * (int64_t)(hh * 3600 + mm * 60);
	return 0;
}

int truce_parse_rfc3339(const char *s, int64_t *us)
{
	char date[11];
	if (s == NULL || strlen(s) < 10)
		return TRUCE_EINVAL;
	memcpy(date, s, 10);
	date[10] = '\0';
	long day;
	if (truce_date_day(date, &day) != 0)
		return TRUCE_EINVAL;
	int hour = 0, min = 0, sec = 0;
	int64_t frac = 0, offset = 0;
	const char *p = s + 10;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		if (two_digits(p + 1, 23, &hour) != 0 || p[3] != ':' ||
		    two_digits(p + 4, 59, &min) != 0 || p[6] != ':' ||
		    two_digits(p + 7, 60, &sec) != 0)
			return TRUCE_EINVAL;
		p += 9;
		if (parse_fraction(&p, &frac) != 0 || parse_offset(p, &offset) != 0)
			return TRUCE_EINVAL;
	} else if (*p != '\0') {
		return TRUCE_EINVAL;
	}
	int64_t secs = (int64_t)day * 86400 + (int64_t)hour * 3600 + (int64_t)min * 60 + sec;
	*us = (secs - offset) * 1000000 + frac;
	return 0;
}
