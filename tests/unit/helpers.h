/*
 * helpers.h - what the unit tests of tests/unit share: a scratch directory
 * per test, and a clock the test moves by hand.
 */
#ifndef TRUCE_TEST_UNIT_HELPERS_H
#define TRUCE_TEST_UNIT_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define SCRATCH_LEN 64

/* Makes a fresh directory /tmp/truce-<what>-XXXXXX into dir. */
static inline void scratch_make(char dir[SCRATCH_LEN], const char *what)
{
	snprintf(dir, SCRATCH_LEN, "/tmp/truce-%s-XXXXXX", what);
	assert_non_null(mkdtemp(dir));
}

/* Removes a scratch directory and everything in it. */
static inline void scratch_remove(const char *dir)
{
	char cmd[SCRATCH_LEN + 16];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

/* dir/name into out. */
static inline void scratch_path(char *out, size_t len, const char *dir, const char *name)
{
	assert_true((size_t)snprintf(out, len, "%s/%s", dir, name) < len);
}

#ifdef TRUCE_TEST_FAKE_CLOCK
/*
 * A test built with TRUCE_TEST_FAKE_CLOCK is linked with
 * -Wl,--wrap=truce_mono_ms (tests/unit/CMakeLists.txt): every call of the
 * libraries' monotonic clock comes here, and reads fake_ms while it is 0 or
 * more (the test moves it), the real clock otherwise. Timing logic is then
 * tested by the clock's value, never by how fast the machine runs.
 */
static int64_t fake_ms = -1;

int64_t __real_truce_mono_ms(void);
int64_t __wrap_truce_mono_ms(void);

int64_t __wrap_truce_mono_ms(void)
{
	return fake_ms >= 0 ? fake_ms : __real_truce_mono_ms();
}
#endif

#endif
