/*
 * test_config.c - unit tests of truced's configuration (daemon/config.c):
 * every key of the option table round-trips through the file format, the
 * example file (defaults) reads back as the defaults, every kind of bad
 * line is an error naming file, line and reason, and flags win over the
 * file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"

/* A value for every key, and how the file spells it back. */
static const struct sample {
	const char *key;
	const char *value;
	const char *canonical;
} samples[] = {
    {"data", "/var/lib/truce", "/var/lib/truce"},
    {"ingest", "tcp://127.0.0.1:9701", "tcp://127.0.0.1:9701"},
    {"publish", "ipc:///run/truce/pub.sock", "ipc:///run/truce/pub.sock"},
    {"query", "tcp://[::1]:9703", "tcp://[::1]:9703"},
    {"batch", "512", "512"},
    {"parse-threads", "3", "3"},
    {"sync", "meta", "meta"},
    {"map-size", "1024", "1024"},
    {"max-message", "1048576", "1048576"},
    {"max-body", "65536", "65536"},
    {"rules", "/etc/truce/rules", "/etc/truce/rules"},
    {"pub-hwm", "5000", "5000"},
    {"curve-secret", "/etc/truce/server.key", "/etc/truce/server.key"},
    {"allow", "/etc/truce/allow", "/etc/truce/allow"},
    {"insecure", "true", "yes"},
    {"log-level", "debug", "debug"},
    {"disk-warn", "25", "25"},
};

static const struct sample *sample_of(const char *key)
{
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++)
		if (strcmp(samples[i].key, key) == 0)
			return &samples[i];
	return NULL;
}

/* Collects reported errors, one per line. */
typedef struct errs {
	char text[4096];
	int n;
} errs;

static void collect(void *ctx, const char *msg)
{
	errs *e = ctx;
	size_t at = strlen(e->text);
	snprintf(e->text + at, sizeof(e->text) - at, "%s\n", msg);
	e->n++;
}

static int read_text(truced_config *c, const char *text, errs *e)
{
	FILE *in = fmemopen((void *)text, strlen(text), "r");
	assert_non_null(in);
	int rc = truced_config_read(c, in, "t.conf", collect, e);
	fclose(in);
	return rc;
}

static char *print_config(const truced_config *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	assert_non_null(out);
	truced_config_print(c, out);
	fclose(out);
	return buf;
}

/* Each key alone: set from the file, formatted back the same. */
static void test_every_key(void **state)
{
	(void)state;
	for (size_t i = 0; i < truced_option_count; i++) {
		const truced_option *o = &truced_options[i];
		const struct sample *s = sample_of(o->name);
		if (s == NULL)
			fail_msg("option %s has no sample in test_config.c", o->name);
		truced_config c, def;
		errs e = {"", 0};
		char line[256], got[1024];
		assert_int_equal(truced_config_init(&c), 0);
		assert_int_equal(truced_config_init(&def), 0);
		snprintf(line, sizeof(line), "%s = %s\n", s->key, s->value);
		assert_int_equal(read_text(&c, line, &e), 0);
		assert_int_equal(e.n, 0);
		truced_option_format(&c, o, got, sizeof(got));
		assert_string_equal(got, s->canonical);
		assert_false(truced_option_equal(&c, &def, o)); /* samples are not defaults */
		truced_config_free(&c);
		truced_config_free(&def);
	}
}

/* All keys at once: print, read back, print again: the same text and
 * the same values. */
static void test_round_trip(void **state)
{
	(void)state;
	truced_config a, b;
	errs e = {"", 0};
	char why[256];
	assert_int_equal(truced_config_init(&a), 0);
	for (size_t i = 0; i < truced_option_count; i++)
		assert_int_equal(truced_option_set(&a, &truced_options[i],
		                                   sample_of(truced_options[i].name)->value, why,
		                                   sizeof(why)),
		                 0);
	char *text = print_config(&a);
	assert_int_equal(truced_config_init(&b), 0);
	assert_int_equal(read_text(&b, text, &e), 0);
	for (size_t i = 0; i < truced_option_count; i++)
		assert_true(truced_option_equal(&a, &b, &truced_options[i]));
	char *again = print_config(&b);
	assert_string_equal(text, again);
	/* every key is written active, none commented out */
	for (size_t i = 0; i < truced_option_count; i++) {
		char want[128];
		snprintf(want, sizeof(want), "\n%s = ", truced_options[i].name);
		assert_non_null(strstr(text, want));
	}
	free(text);
	free(again);
	truced_config_free(&a);
	truced_config_free(&b);
}

/* The example file (the defaults printed) has every key commented out and
 * reads back as the defaults. */
static void test_example_file(void **state)
{
	(void)state;
	truced_config def, c;
	errs e = {"", 0};
	assert_int_equal(truced_config_init(&def), 0);
	char *text = print_config(&def);
	for (size_t i = 0; i < truced_option_count; i++) {
		char want[128];
		snprintf(want, sizeof(want), "\n#%s = ", truced_options[i].name);
		assert_non_null(strstr(text, want));
	}
	assert_int_equal(truced_config_init(&c), 0);
	assert_int_equal(read_text(&c, text, &e), 0);
	for (size_t i = 0; i < truced_option_count; i++)
		assert_true(truced_option_equal(&c, &def, &truced_options[i]));
	free(text);
	truced_config_free(&def);
	truced_config_free(&c);
}

static void test_syntax(void **state)
{
	(void)state;
	truced_config c;
	errs e = {"", 0};
	char why[256];
	assert_int_equal(truced_config_init(&c), 0);
	assert_int_equal(truced_option_set(&c, truced_option_find("rules"), "/r", why, sizeof(why)),
	                 0);
	/* comments, blank lines, tabs, CRLF; an empty string value unsets */
	assert_int_equal(read_text(&c,
	                           "# a comment\n\n   # another\n\tbatch\t=\t7  \r\n"
	                           "rules =\nparse-threads = auto\ninsecure = off\n",
	                           &e),
	                 0);
	assert_int_equal(e.n, 0);
	assert_int_equal(c.batch, 7);
	assert_null(c.rules_dir);
	assert_int_equal(c.parse_threads, TRUCED_THREADS_AUTO);
	assert_int_equal(c.insecure, 0);
	assert_int_equal(read_text(&c, "map-size = 2", &e), 0); /* no final newline */
	assert_int_equal(c.map_size, (size_t)2 << 20);
	truced_config_free(&c);
}

/* Each bad line: an error with file, line and reason; the good lines
 * around it still count, and every error is reported. */
static void test_errors(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		const char *message;
	} cases[] = {
	    {"nosuch = 1\n", "t.conf:1: unknown key 'nosuch' (see truced --help)\n"},
	    {"\n\nsync = fast\n", "t.conf:3: sync wants one of full, meta, none, not 'fast'\n"},
	    {"batch = 0\n", "t.conf:1: batch wants a number from 1 to 1000000, not '0'\n"},
	    {"batch = 12x\n", "t.conf:1: batch wants a number from 1 to 1000000, not '12x'\n"},
	    {"batch = -1\n", "t.conf:1: batch wants a number from 1 to 1000000, not '-1'\n"},
	    {"parse-threads = 65\n",
	     "t.conf:1: parse-threads wants a number from 0 to 64 or auto, not '65'\n"},
	    {"disk-warn = 101\n", "t.conf:1: disk-warn wants a number from 0 to 100, not '101'\n"},
	    {"pub-hwm = 99999999999999999999\n",
	     "t.conf:1: pub-hwm wants a number from 1 to 2147483647, not "
	     "'99999999999999999999'\n"},
	    {"insecure = maybe\n", "t.conf:1: insecure wants yes or no, not 'maybe'\n"},
	    {"log-level = loud\n",
	     "t.conf:1: log-level wants one of error, warn, info, debug, not 'loud'\n"},
	    {"batch\n", "t.conf:1: not a 'key = value' line: 'batch'\n"},
	    {"batch =\n", "t.conf:1: batch has no value\n"},
	    {"= 5\n", "t.conf:1: unknown key '' (see truced --help)\n"},
	    {"batch = 5\n# x\nbatch = 6\n", "t.conf:3: batch is set again (first on line 1)\n"},
	    {"--batch = 5\n", "t.conf:1: unknown key '--batch' (see truced --help)\n"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		truced_config c;
		errs e = {"", 0};
		assert_int_equal(truced_config_init(&c), 0);
		assert_int_equal(read_text(&c, cases[i].text, &e), TRUCE_EINVAL);
		assert_int_equal(e.n, 1);
		assert_string_equal(e.text, cases[i].message);
		truced_config_free(&c);
	}
	/* several errors: all reported, the good line between them applied */
	truced_config c;
	errs e = {"", 0};
	assert_int_equal(truced_config_init(&c), 0);
	assert_int_equal(read_text(&c, "a = 1\nbatch = 9\nsync = x\n", &e), TRUCE_EINVAL);
	assert_int_equal(e.n, 2);
	assert_int_equal(c.batch, 9);
	truced_config_free(&c);
	/* a line too long for the reader */
	char *big = malloc(10000);
	assert_non_null(big);
	memset(big, 'x', 9998);
	memcpy(big, "rules = ", 8);
	big[9998] = '\n';
	big[9999] = '\0';
	e = (errs){"", 0};
	assert_int_equal(truced_config_init(&c), 0);
	assert_int_equal(read_text(&c, big, &e), TRUCE_EINVAL);
	assert_string_equal(e.text, "t.conf:1: line longer than 4096 bytes\n");
	free(big);
	truced_config_free(&c);
}

/* A file and flags: the flags win; the file's other keys stay. */
static void test_flags_win(void **state)
{
	(void)state;
	char path[] = "/tmp/truce-config-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char *text = "batch = 5\nsync = none\n";
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	char *argv[] = {"truced", "--config", path, "--batch", "9", "--insecure", NULL};
	truced_cmdline cl;
	truced_config c;
	errs e = {"", 0};
	assert_int_equal(truced_cmdline_parse(6, argv, &cl, collect, &e), 0);
	assert_string_equal(cl.config_path, path);
	assert_int_equal(truced_config_build(&c, &cl, collect, &e), 0);
	assert_int_equal(c.batch, 9);
	assert_int_equal(c.sync, 2);
	assert_int_equal(c.insecure, 1);
	truced_config_free(&c);
	truced_cmdline_free(&cl);
	/* a bad flag value names the flag */
	char *bad[] = {"truced", "--config", path, "--sync", "fast", NULL};
	assert_int_equal(truced_cmdline_parse(5, bad, &cl, collect, &e), 0);
	assert_int_equal(truced_config_build(&c, &cl, collect, &e), TRUCE_EINVAL);
	assert_non_null(strstr(e.text, "--sync wants one of full, meta, none, not 'fast'"));
	truced_config_free(&c);
	truced_cmdline_free(&cl);
	unlink(path);
	/* a file that cannot be read */
	e = (errs){"", 0};
	char *gone[] = {"truced", "--config", path, NULL};
	assert_int_equal(truced_cmdline_parse(3, gone, &cl, collect, &e), 0);
	assert_int_equal(truced_config_build(&c, &cl, collect, &e), TRUCE_EIO);
	assert_non_null(strstr(e.text, "cannot read: No such file or directory"));
	truced_config_free(&c);
	truced_cmdline_free(&cl);
}

/* The whole configuration is checked: keys go together, endpoints stay
 * local without them. */
static void test_checks(void **state)
{
	(void)state;
	truced_cmdline cl;
	truced_config c;
	errs e = {"", 0};
	char *half[] = {"truced", "--curve-secret", "/k", NULL};
	assert_int_equal(truced_cmdline_parse(3, half, &cl, collect, &e), 0);
	assert_int_equal(truced_config_build(&c, &cl, collect, &e), TRUCE_EINVAL);
	assert_non_null(strstr(e.text, "curve-secret and allow go together"));
	truced_config_free(&c);
	truced_cmdline_free(&cl);
	e = (errs){"", 0};
	char *open_ep[] = {"truced", "--ingest", "tcp://0.0.0.0:7701", NULL};
	assert_int_equal(truced_cmdline_parse(3, open_ep, &cl, collect, &e), 0);
	assert_int_equal(truced_config_build(&c, &cl, collect, &e), TRUCE_EINVAL);
	assert_non_null(strstr(e.text, "refusing to bind tcp://0.0.0.0:7701"));
	truced_config_free(&c);
	truced_cmdline_free(&cl);
	char *unknown[] = {"truced", "--nosuch", NULL};
	assert_int_equal(truced_cmdline_parse(2, unknown, &cl, collect, &e), TRUCE_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_key),    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_example_file), cmocka_unit_test(test_syntax),
	    cmocka_unit_test(test_errors),       cmocka_unit_test(test_flags_win),
	    cmocka_unit_test(test_checks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
