/*
 * test_date.c - unit tests of truce/date.h: day counts, date strings,
 * RFC 3339 in both directions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "truce/date.h"

static void test_days(void **state)
{
	(void)state;
	assert_int_equal(truce_days_from_civil(1970, 1, 1), 0);
	assert_int_equal(truce_days_from_civil(2000, 3, 1), 11017);
	assert_int_equal(truce_days_from_civil(1969, 12, 31), -1);
	/* Every day of four centuries round-trips, leap rules included. */
	long first = truce_days_from_civil(1900, 1, 1), last = truce_days_from_civil(2300, 1, 1);
	int py = 1899, pm = 12, pd = 31;
	for (long n = first; n < last; n++) {
		int y, m, d;
		truce_civil_from_days(n, &y, &m, &d);
		assert_int_equal(truce_days_from_civil(y, m, d), n);
		assert_true(d == pd + 1 || (d == 1 && (m == pm + 1 || (m == 1 && y == py + 1))));
		py = y, pm = m, pd = d;
	}
}

static void test_date_strings(void **state)
{
	(void)state;
	int y = 0, m = 0, d = 0;
	long day;
	assert_int_equal(truce_date_parse("2022-08-03", &y, &m, &d), 0);
	assert_true(y == 2022 && m == 8 && d == 3);
	assert_int_equal(truce_date_check("2000-02-29"), 0);
	assert_int_not_equal(truce_date_check("1900-02-29"), 0);
	assert_int_not_equal(truce_date_check("2023-02-29"), 0);
	assert_int_not_equal(truce_date_check("2022-04-31"), 0);
	assert_int_not_equal(truce_date_check("2022-13-01"), 0);
	assert_int_not_equal(truce_date_check("2022-8-03"), 0);
	assert_int_not_equal(truce_date_check("2022-08-03 "), 0);
	assert_int_not_equal(truce_date_check("1899-12-31"), 0);
	assert_int_not_equal(truce_date_check(NULL), 0);
	/* A failed parse leaves the outputs alone. */
	y = m = d = 7;
	assert_int_not_equal(truce_date_parse("2022-02-30", &y, &m, &d), 0);
	assert_true(y == 7 && m == 7 && d == 7);

	assert_int_equal(truce_date_day("2022-08-03", &day), 0);
	assert_int_equal(day, 19207);
	char out[11];
	truce_date_format(day, out);
	assert_string_equal(out, "2022-08-03");
	truce_date_format(day - 215, out);
	assert_string_equal(out, "2021-12-31");
}

static void test_rfc3339(void **state)
{
	(void)state;
	int64_t us;
	assert_int_equal(truce_parse_rfc3339("1970-01-01T00:00:01Z", &us), 0);
	assert_true(us == 1000000);
	assert_int_equal(truce_parse_rfc3339("1970-01-01T02:00:01.5+02:00", &us), 0);
	assert_true(us == 1500000);
	assert_int_equal(truce_parse_rfc3339("2022-08-03", &us), 0);
	char out[40];
	truce_rfc3339(us, out, sizeof(out));
	assert_string_equal(out, "2022-08-03T00:00:00.000000Z");
	truce_rfc3339(us + 86399 * (int64_t)1000000 + 42, out, sizeof(out));
	assert_string_equal(out, "2022-08-03T23:59:59.000042Z");
	truce_rfc3339(-1, out, sizeof(out));
	assert_string_equal(out, "1969-12-31T23:59:59.999999Z");
	assert_int_not_equal(truce_parse_rfc3339("2022-08-03T25:00:00Z", &us), 0);
	assert_int_not_equal(truce_parse_rfc3339("2022-08-03T10:00:00", &us), 0);
	assert_int_not_equal(truce_parse_rfc3339("soon", &us), 0);
	/* Each field is exactly two digits: no sign, blank or short field. */
	assert_int_not_equal(truce_parse_rfc3339("2022-08-03T-1:00:00Z", &us), 0);
	assert_int_not_equal(truce_parse_rfc3339("2022-08-03T 1:00:00Z", &us), 0);
	assert_int_not_equal(truce_parse_rfc3339("2022-08-03T1:00:00Z", &us), 0);
	assert_int_not_equal(truce_parse_rfc3339("2022-08-03T10:00:00+99:00", &us), 0);
	assert_int_not_equal(truce_parse_rfc3339("2022-08-03T10:00:00+1:00", &us), 0);
	assert_int_equal(truce_parse_rfc3339("1970-01-01T00:00:00-01:30", &us), 0);
	assert_true(us == 5400 * (int64_t)1000000);
}

static void test_clocks(void **state)
{
	(void)state;
	int64_t a = truce_mono_us(), b = truce_mono_us();
	assert_true(b >= a);
	assert_true(truce_mono_ms() >= a / 1000);
	/* The wall clock is after this code was written. */
	assert_true(truce_now_us() > 1700000000LL * 1000000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_days),
	    cmocka_unit_test(test_date_strings),
	    cmocka_unit_test(test_rfc3339),
	    cmocka_unit_test(test_clocks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
