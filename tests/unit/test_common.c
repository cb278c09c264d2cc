/*
 * test_common.c - the core library's shared helpers: error strings, number
 * parsing and array growth (common.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "truce/truce.h"

/* Growth doubles from `first`, keeps what the array held, and leaves a full
 * array alone only while there is room. */
static void test_grow_keeps_contents(void **state)
{
	(void)state;
	uint64_t *v = NULL;
	size_t cap = 0;
	for (size_t n = 0; n < 1000; n++) {
		assert_int_equal(truce_grow(&v, &cap, n, sizeof(*v), 4), 0);
		assert_true(cap > n);
		v[n] = n * 7;
	}
	assert_int_equal(cap, 1024); /* 4, 8, ..., 1024 */
	for (size_t n = 0; n < 1000; n++)
		assert_int_equal(v[n], n * 7);
	uint64_t *before = v;
	assert_int_equal(truce_grow(&v, &cap, 1000, sizeof(*v), 4), 0);
	assert_ptr_equal(v, before); /* room left: nothing moves */
	free(v);
}

/* A size that would overflow is refused with the array as it was. */
static void test_grow_overflow(void **state)
{
	(void)state;
	char *v = malloc(16);
	assert_non_null(v);
	memcpy(v, "fifteen letters", 16);
	size_t cap = SIZE_MAX / 2 + 1;
	assert_int_equal(truce_grow(&v, &cap, cap, 1, 4), TRUCE_ENOMEM);
	assert_int_equal(cap, SIZE_MAX / 2 + 1);
	assert_string_equal(v, "fifteen letters");
	size_t small = 16;
	assert_int_equal(truce_grow(&v, &small, 16, SIZE_MAX / 16, 4), TRUCE_ENOMEM);
	assert_int_equal(small, 16);
	free(v);
}

static void test_parse_u64(void **state)
{
	(void)state;
	uint64_t x = 5;
	assert_int_equal(truce_parse_u64("18446744073709551615", &x), 0);
	assert_true(x == UINT64_MAX);
	x = 5;
	assert_int_equal(truce_parse_u64("18446744073709551616", &x), TRUCE_EINVAL);
	assert_int_equal(truce_parse_u64("-1", &x), TRUCE_EINVAL);
	assert_int_equal(truce_parse_u64(" 1", &x), TRUCE_EINVAL);
	assert_int_equal(truce_parse_u64("1k", &x), TRUCE_EINVAL);
	assert_int_equal(truce_parse_u64("", &x), TRUCE_EINVAL);
	assert_int_equal(x, 5);
	assert_string_not_equal(truce_strerror(TRUCE_ENOMEM), truce_strerror(TRUCE_EINVAL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_grow_keeps_contents),
	    cmocka_unit_test(test_grow_overflow),
	    cmocka_unit_test(test_parse_u64),
	};
	return cmocka_run_group_tests_name("common", tests, NULL, NULL);
}
