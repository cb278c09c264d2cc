/*
 * pubdate.c - publication dates as feeds write them (see feedparse.h).
 *
 * Two readers. ISO 8601 / RFC 3339 first, because its numbers are in a
 * fixed order; then a tokenizer for everything else (RFC 822 and its many
 * broken cousins), which sorts words into weekdays, months, AM/PM and zone
 * names, numbers into year, day and time, and a sign after the time into a
 * zone offset. The day handed back is the day as written, in the outlet's
 * own zone: "00:30 +0400 on the 4th" is the 4th where the story was filed,
 * and that is the date the extractor's "yesterday" counts from.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "feedparse.h"
#include "truce/date.h"

typedef struct when {
	int y, m, d;
	int hh, mm, ss;
	long frac_us;
	int zone_min; /* offset east of UTC */
} when;

static int take_digits(const char **p, int max, int *v)
{
	int n = 0, val = 0;
	while (n < max && isdigit((unsigned char)**p)) {
		val = val * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	*v = val;
	return n;
}

static long take_fraction(const char **p)
{
	long us = 0, scale = 100000;
	while (isdigit((unsigned char)**p)) {
		us += (**p - '0') * scale;
		scale /= 10;
		(*p)++;
	}
	return us;
}

/* Zone names feeds use, in minutes east of UTC. Military letters and
 * anything unknown read as UTC (RFC 5322 calls the letters unreliable). */
static int zone_name(const char *w, size_t n, int *min)
{
	static const struct {
		const char *name;
		int min;
	} zones[] = {
	    {"ut", 0},        {"utc", 0},       {"gmt", 0},       {"z", 0},
	    {"wet", 0},       {"bst", 60},      {"cet", 60},      {"west", 60},
	    {"cest", 120},    {"eet", 120},     {"eest", 180},    {"msk", 180},
	    {"azt", 240},     {"amt", 240},     {"ist", 330},     {"hkt", 480},
	    {"jst", 540},     {"kst", 540},     {"aest", 600},    {"aedt", 660},
	    {"est", -5 * 60}, {"edt", -4 * 60}, {"cst", -6 * 60}, {"cdt", -5 * 60},
	    {"mst", -7 * 60}, {"mdt", -6 * 60}, {"pst", -8 * 60}, {"pdt", -7 * 60},
	};
	for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
		if (strlen(zones[i].name) == n && strncasecmp(w, zones[i].name, n) == 0) {
			*min = zones[i].min;
			return 1;
		}
	}
	return 0;
}

/* "+03:00", "+0300", "+03", "-5"; p at the sign. 1 when read. */
static int take_offset(const char **p, int *min)
{
	const char *s = *p;
	int sign = *s == '-' ? -1 : 1, h = 0, m = 0;
	s++;
	int nh = take_digits(&s, 2, &h);
	if (nh == 0)
		return 0;
	if (*s == ':')
		s++;
	if (nh == 2 && isdigit((unsigned char)*s) && take_digits(&s, 2, &m) != 2)
		return 0;
	if (h > 14 || m > 59)
		return 0;
	*min = sign * (h * 60 + m);
	*p = s;
	return 1;
}

/* hh:mm[:ss[.frac]] at p. 1 when read. */
static int take_time(const char **p, when *w)
{
	const char *s = *p;
	int h, m, sec = 0;
	if (take_digits(&s, 2, &h) == 0 || *s != ':')
		return 0;
	s++;
	if (take_digits(&s, 2, &m) != 2)
		return 0;
	if (*s == ':' && isdigit((unsigned char)s[1])) {
		s++;
		take_digits(&s, 2, &sec);
		if (*s == '.' || *s == ',') {
			s++;
			w->frac_us = take_fraction(&s);
		}
	}
	w->hh = h;
	w->mm = m;
	w->ss = sec;
	*p = s;
	return 1;
}

/* A zone after a time: spaces, then an offset, 'Z' or a zone name. */
static void take_zone(const char *s, when *w)
{
	while (*s == ' ')
		s++;
	if (*s == '+' || *s == '-') {
		take_offset(&s, &w->zone_min);
		return;
	}
	size_t n = 0;
	while (isalpha((unsigned char)s[n]))
		n++;
	if (n > 0 && zone_name(s, n, &w->zone_min) && (s[n] == '+' || s[n] == '-')) {
		/* "GMT+3", "UTC-05:00" */
		const char *o = s + n;
		int extra;
		if (take_offset(&o, &extra))
			w->zone_min += extra;
	}
}

/* YYYY-MM-DD, YYYY/MM/DD or YYYY.MM.DD, then [T or space] time and zone. */
static int read_iso(const char *s, when *w)
{
	while (isspace((unsigned char)*s))
		s++;
	char sep;
	if (take_digits(&s, 4, &w->y) != 4 || (*s != '-' && *s != '/' && *s != '.'))
		return 0;
	sep = *s++;
	if (take_digits(&s, 2, &w->m) == 0 || *s != sep)
		return 0;
	s++;
	if (take_digits(&s, 2, &w->d) == 0 || isdigit((unsigned char)*s))
		return 0;
	if (*s == 'T' || *s == 't' || *s == ' ') {
		const char *t = s + 1;
		while (*t == ' ')
			t++;
		if (take_time(&t, w))
			take_zone(t, w);
	}
	return 1;
}

static int month_word(const char *w, size_t n)
{
	static const char *const months[] = {"jan", "feb", "mar", "apr", "may", "jun",
	                                     "jul", "aug", "sep", "oct", "nov", "dec"};
	if (n < 3)
		return 0;
	for (int i = 0; i < 12; i++)
		if (strncasecmp(w, months[i], 3) == 0)
			return i + 1;
	return 0;
}

/* The tokenizer for RFC 822 and the broken forms. */
static int read_loose(const char *s, when *w)
{
	int nums[3], nnum = 0, year4 = 0, have_time = 0, pm = -1;
	while (*s != '\0') {
		unsigned char c = (unsigned char)*s;
		if (isdigit(c)) {
			const char *t = s;
			if (!have_time && take_time(&t, w)) {
				have_time = 1;
				s = t;
				continue;
			}
			int v, n = take_digits(&s, 9, &v);
			if (n == 4 && year4 == 0)
				year4 = v;
			else if (n <= 2 && nnum < 3)
				nums[nnum++] = v;
			else if (n > 4)
				return 0;
			continue;
		}
		if (isalpha(c)) {
			size_t n = 0;
			while (isalpha((unsigned char)s[n]))
				n++;
			int mon = month_word(s, n), zmin;
			if (mon != 0 && w->m == 0)
				w->m = mon;
			else if (n == 2 && strncasecmp(s, "am", 2) == 0)
				pm = 0;
			else if (n == 2 && strncasecmp(s, "pm", 2) == 0)
				pm = 1;
			else if (have_time && zone_name(s, n, &zmin))
				take_zone(s, w);
			s += n;
			continue;
		}
		if ((c == '+' || c == '-') && have_time && isdigit((unsigned char)s[1])) {
			if (take_offset(&s, &w->zone_min))
				continue;
		}
		s++;
	}
	if (pm == 1 && w->hh < 12)
		w->hh += 12;
	else if (pm == 0 && w->hh == 12)
		w->hh = 0;
	if (w->m != 0) {
		/* "03 Aug 2022", "Aug 3, 2022", "03-Aug-22": the first small
		 * number is the day, a second one a two-digit year. */
		if (nnum == 0)
			return 0;
		w->d = nums[0];
		if (year4 != 0)
			w->y = year4;
		else if (nnum >= 2)
			w->y = nums[1] < 50 ? 2000 + nums[1] : 1900 + nums[1];
		else
			return 0;
		return 1;
	}
	/* All numbers: "03/08/2022" is D/M when the first cannot be a month,
	 * else M/D as in the US, where most such feeds come from. */
	if (nnum != 2 || year4 == 0)
		return 0;
	w->y = year4;
	if (nums[0] > 12) {
		w->d = nums[0];
		w->m = nums[1];
	} else {
		w->m = nums[0];
		w->d = nums[1];
	}
	return 1;
}

static int valid(const when *w)
{
	if (w->y < 1900 || w->y > 9999 || w->m < 1 || w->m > 12 || w->d < 1 || w->d > 31)
		return 0;
	int y, m, d;
	truce_civil_from_days(truce_days_from_civil(w->y, w->m, w->d), &y, &m, &d);
	if (d != w->d) /* the 31st of a 30-day month */
		return 0;
	if (w->hh > 24 || w->mm > 59 || w->ss > 60 || (w->hh == 24 && (w->mm != 0 || w->ss != 0)))
		return 0;
	return 1;
}

int feed_parse_date(const char *s, int64_t *us, char day[11])
{
	if (s == NULL)
		return TRUCE_EINVAL;
	when w;
	memset(&w, 0, sizeof(w));
	if (!read_iso(s, &w)) {
		memset(&w, 0, sizeof(w));
		if (!read_loose(s, &w))
			return TRUCE_EINVAL;
	}
	if (!valid(&w))
		return TRUCE_EINVAL;
	int sec = w.ss == 60 ? 59 : w.ss; /* a leap second is the second before */
	int64_t t = (int64_t)truce_days_from_civil(w.y, w.m, w.d) * 86400 + (int64_t)w.hh * 3600 +
	            (int64_t)w.mm * 60 + sec - (int64_t)w.zone_min * 60;
	*us = t * 1000000 + w.frac_us;
	snprintf(day, 11, "%04d-%02d-%02d", w.y, w.m, w.d);
	return 0;
}
