/*
 * test_collect_state.c - the collector's state file
 * (tools/client/collect_state.c): keys and seqs round trip, a rewrite that
 * never finished (FILE.tmp) is never read, a cut, garbage, foreign-version or
 * empty FILE, a missing FILE, and when the file is rewritten (on a clock
 * the test moves: TRUCE_TEST_FAKE_CLOCK, helpers.h).
 */
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"
#include "truce/client.h"

typedef struct fixture {
	char dir[SCRATCH_LEN];
	char path[SCRATCH_LEN + 16]; /* dir/state */
	char tmp[SCRATCH_LEN + 16];  /* dir/state.tmp */
	char err[512];
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	scratch_make(f->dir, "state");
	scratch_path(f->path, sizeof(f->path), f->dir, "state");
	scratch_path(f->tmp, sizeof(f->tmp), f->dir, "state.tmp");
	fake_ms = -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	scratch_remove(f->dir);
	free(f);
	fake_ms = -1;
	return 0;
}

/* The content key of article i, and its line in the file. */
static void key_of(unsigned i, uint8_t key[TRUCE_HASH_LEN])
{
	char s[32];
	snprintf(s, sizeof(s), "article %u", i);
	crypto_hash_sha256(key, (const unsigned char *)s, strlen(s));
}

static void line_of(unsigned i, uint64_t seq, char *out, size_t len)
{
	uint8_t key[TRUCE_HASH_LEN];
	char hex[2 * TRUCE_HASH_LEN + 1];
	key_of(i, key);
	sodium_bin2hex(hex, sizeof(hex), key, sizeof(key));
	snprintf(out, len, "%s %llu\n", hex, (unsigned long long)seq);
}

/* The header, then article i with seq seqs[i] for each i < n. */
static void state_text(const uint64_t *seqs, unsigned n, char *out, size_t len)
{
	size_t used = (size_t)snprintf(out, len, "truce-collect-state 1\n");
	for (unsigned i = 0; i < n; i++) {
		line_of(i, seqs[i], out + used, len - used);
		used += strlen(out + used);
	}
	assert_true(used < len);
}

static void write_file(const char *path, const char *text, size_t len)
{
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fwrite(text, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

/* The whole file into buf (NUL-terminated); -1 when it does not exist. */
static long read_file(const char *path, char *buf, size_t len)
{
	FILE *fp = fopen(path, "r");
	if (fp == NULL)
		return -1;
	size_t n = fread(buf, 1, len - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return (long)n;
}

static int exists(const char *path)
{
	return access(path, F_OK) == 0;
}

static truce_collect_state *open_ok(fixture *f)
{
	truce_collect_state *s = NULL;
	assert_int_equal(truce_collect_state_open(f->path, &s, f->err, sizeof(f->err)), 0);
	assert_non_null(s);
	return s;
}

/* Opening must fail with rc and an error that names the file and says
 * `what`; the file is left as it was. */
static void open_refused(fixture *f, const char *text, size_t len, int rc, const char *what)
{
	write_file(f->path, text, len);
	truce_collect_state *s = (truce_collect_state *)0x1;
	f->err[0] = '\0';
	assert_int_equal(truce_collect_state_open(f->path, &s, f->err, sizeof(f->err)), rc);
	assert_ptr_equal(s, (truce_collect_state *)0x1);
	if (strstr(f->err, f->path) == NULL || strstr(f->err, what) == NULL)
		fail_msg("error \"%s\" should name %s and say \"%s\"", f->err, f->path, what);
	char now[4096];
	assert_int_equal(read_file(f->path, now, sizeof(now)), (long)len);
	assert_memory_equal(now, text, len);
	assert_false(exists(f->tmp));
}

static void add_article(truce_collect_state *s, unsigned i, uint64_t seq)
{
	uint8_t key[TRUCE_HASH_LEN];
	key_of(i, key);
	assert_int_equal(truce_collect_state_add(s, key, seq), 0);
}

static int has_article(const truce_collect_state *s, unsigned i)
{
	uint8_t key[TRUCE_HASH_LEN];
	key_of(i, key);
	return truce_collect_state_has(s, key);
}

/* Whether the file holds exactly the first n articles with seqs. */
static int file_holds(const fixture *f, const uint64_t *seqs, unsigned n)
{
	char want[4096], got[4096];
	state_text(seqs, n, want, sizeof(want));
	return read_file(f->path, got, sizeof(got)) >= 0 && strcmp(got, want) == 0;
}

/* A missing file is an empty state; what is added is written in ack order
 * with its seq and read back, keys and seqs alike. */
static void test_round_trip(void **state)
{
	fixture *f = *state;
	const uint64_t seqs[] = {42, 7, 18446744073709551615u, 1000};
	truce_collect_state *s = open_ok(f);
	assert_int_equal(truce_collect_state_count(s), 0);
	assert_false(has_article(s, 0));
	assert_false(exists(f->path)); /* nothing written for nothing */
	for (unsigned i = 0; i < 3; i++)
		add_article(s, i, seqs[i]);
	add_article(s, 1, 99); /* known already: kept as first recorded */
	assert_int_equal(truce_collect_state_count(s), 3);
	assert_int_equal(truce_collect_state_flush(s), 0);
	assert_true(file_holds(f, seqs, 3));
	assert_false(exists(f->tmp));
	truce_collect_state_free(s);

	s = open_ok(f);
	assert_int_equal(truce_collect_state_count(s), 3);
	for (unsigned i = 0; i < 3; i++)
		assert_true(has_article(s, i));
	assert_false(has_article(s, 3));
	/* The loaded seqs are written again with the next article's. */
	add_article(s, 3, seqs[3]);
	assert_int_equal(truce_collect_state_flush(s), 0);
	assert_true(file_holds(f, seqs, 4));
	truce_collect_state_free(s);
}

/* flush rewrites only when something changed since the last rewrite. */
static void test_flush_only_when_changed(void **state)
{
	fixture *f = *state;
	const uint64_t seqs[] = {1, 2};
	truce_collect_state *s = open_ok(f);
	add_article(s, 0, 1);
	add_article(s, 1, 2);
	assert_int_equal(truce_collect_state_flush(s), 0);
	assert_true(file_holds(f, seqs, 2));
	assert_int_equal(unlink(f->path), 0);
	assert_int_equal(truce_collect_state_flush(s), 0);
	assert_false(exists(f->path));
	add_article(s, 0, 1); /* already there: no change either */
	assert_int_equal(truce_collect_state_flush(s), 0);
	assert_false(exists(f->path));
	truce_collect_state_free(s);
}

/* A crash in the middle of a rewrite leaves FILE.tmp with part of the new
 * state; FILE, the last complete state, is what the next run reads, and
 * its next rewrite replaces the leftover. */
static void test_torn_rewrite_is_ignored(void **state)
{
	fixture *f = *state;
	const uint64_t seqs[] = {5, 6, 7, 8};
	char text[4096];
	state_text(seqs, 2, text, sizeof(text));
	write_file(f->path, text, strlen(text));
	state_text(seqs, 4, text, sizeof(text));
	write_file(f->tmp, text, strlen(text) - 20); /* half of the last record */
	truce_collect_state *s = open_ok(f);
	assert_int_equal(truce_collect_state_count(s), 2);
	assert_true(has_article(s, 1));
	assert_false(has_article(s, 2));
	assert_false(has_article(s, 3));
	add_article(s, 2, 7);
	assert_int_equal(truce_collect_state_flush(s), 0);
	assert_true(file_holds(f, seqs, 3));
	assert_false(exists(f->tmp));
	truce_collect_state_free(s);

	/* Killed before the first rename: no FILE, only FILE.tmp. Empty. */
	assert_int_equal(unlink(f->path), 0);
	write_file(f->tmp, text, strlen(text));
	s = open_ok(f);
	assert_int_equal(truce_collect_state_count(s), 0);
	truce_collect_state_free(s);
}

/* FILE cut short anywhere in its last line is refused, naming the line;
 * never read as a record with part of its key or seq. */
static void test_cut_file_refused(void **state)
{
	fixture *f = *state;
	const uint64_t seqs[] = {11, 12345};
	char text[4096];
	state_text(seqs, 2, text, sizeof(text));
	size_t whole = strlen(text), last = strlen(text) - 71; /* start of line 3 */
	/* Cut in the key, after it, after the space, inside the seq, and just
	 * before the newline. */
	const size_t cuts[] = {last + 30, last + 64, last + 65, whole - 3, whole - 1};
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++)
		open_refused(f, text, cuts[i], TRUCE_ECORRUPT, "line 3");
	/* The header alone, cut. */
	open_refused(f, "truce-collect-state 1", 21, TRUCE_ECORRUPT, "line 1");
	open_refused(f, "truce-collect", 13, TRUCE_ECORRUPT, "line 1");
	/* Cut right after a newline is a whole file with fewer records. */
	write_file(f->path, text, last);
	truce_collect_state *s = open_ok(f);
	assert_int_equal(truce_collect_state_count(s), 1);
	truce_collect_state_free(s);
}

/* A state written by a later format is refused, saying so, and left
 * alone: never read as empty and then overwritten. */
static void test_future_version_refused(void **state)
{
	fixture *f = *state;
	const uint64_t seqs[] = {3};
	char text[4096];
	state_text(seqs, 1, text, sizeof(text));
	text[strlen("truce-collect-state ")] = '2';
	open_refused(f, text, strlen(text), TRUCE_ECORRUPT, "version 2");
	assert_non_null(strstr(f->err, "version 1"));
}

static void test_garbage_refused(void **state)
{
	fixture *f = *state;
	char hex[2 * TRUCE_HASH_LEN + 1];
	memset(hex, 'a', 2 * TRUCE_HASH_LEN);
	hex[2 * TRUCE_HASH_LEN] = '\0';
	/* Not a state file: another file given by mistake, binary junk. */
	const char *input = "{\"id\":\"a1\",\"body\":\"...\"}\n";
	open_refused(f, input, strlen(input), TRUCE_ECORRUPT, "not a truce collect state file");
	open_refused(f,
	             "\x7f"
	             "ELF\x02\x01\x01\0\0\0\n",
	             11, TRUCE_ECORRUPT, "line 1");
	open_refused(f, "truce-collect-state 1 \n", 23, TRUCE_ECORRUPT, "line 1");
	/* A state file with one bad record (line 3) after a good one: so many
	 * digits of a key, then the rest. */
	static const struct {
		int digits;
		const char *rest;
	} bad[] = {
	    {0, "hello world"},
	    {64, ""},                      /* no seq */
	    {64, " "},                     /* an empty seq */
	    {64, " x"},                    /* a seq that is no number */
	    {64, " -1"},                   /* a signed seq */
	    {64, " +1"},                   /* likewise */
	    {64, " 1 2"},                  /* something after the seq */
	    {64, "  1"},                   /* two spaces */
	    {64, " 1x"},                   /* a suffix */
	    {63, " 1"},                    /* a key one digit short */
	    {64, "a 1"},                   /* one digit long */
	    {63, "g 1"},                   /* not hex */
	    {64, " 99999999999999999999"}, /* over 64 bits */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[512];
		const uint64_t seqs[] = {1};
		state_text(seqs, 1, text, sizeof(text));
		size_t used = strlen(text);
		snprintf(text + used, sizeof(text) - used, "%.*s%s\n", bad[i].digits, hex,
		         bad[i].rest);
		open_refused(f, text, strlen(text), TRUCE_ECORRUPT, "line 3");
	}
	/* A line longer than any record. */
	char text[1024];
	const uint64_t seqs[] = {1};
	state_text(seqs, 1, text, sizeof(text));
	size_t used = strlen(text);
	memset(text + used, '1', 600);
	strcpy(text + used + 600, "\n");
	open_refused(f, text, strlen(text), TRUCE_ECORRUPT, "line 3");
}

static void test_empty_and_unreadable(void **state)
{
	fixture *f = *state;
	/* An empty file (touch) is an empty state, as is the header alone. */
	write_file(f->path, "", 0);
	truce_collect_state *s = open_ok(f);
	assert_int_equal(truce_collect_state_count(s), 0);
	truce_collect_state_free(s);
	write_file(f->path, "truce-collect-state 1\n", 22);
	s = open_ok(f);
	assert_int_equal(truce_collect_state_count(s), 0);
	truce_collect_state_free(s);
	/* A path that cannot be read as a file. */
	assert_int_equal(unlink(f->path), 0);
	assert_int_equal(mkdir(f->path, 0700), 0);
	s = (truce_collect_state *)0x1;
	f->err[0] = '\0';
	assert_int_equal(truce_collect_state_open(f->path, &s, f->err, sizeof(f->err)), TRUCE_EIO);
	assert_ptr_equal(s, (truce_collect_state *)0x1);
	assert_non_null(strstr(f->err, f->path));
	/* A state whose directory is gone: open starts empty, the rewrite
	 * reports the failure and keeps the records for the next try. */
	char gone[SCRATCH_LEN + 32];
	scratch_path(gone, sizeof(gone), f->dir, "no-such-dir/state");
	assert_int_equal(truce_collect_state_open(gone, &s, f->err, sizeof(f->err)), 0);
	add_article(s, 0, 1);
	assert_int_equal(truce_collect_state_flush(s), TRUCE_EIO);
	assert_int_equal(truce_collect_state_count(s), 1);
	char sub[SCRATCH_LEN + 16];
	scratch_path(sub, sizeof(sub), f->dir, "no-such-dir");
	assert_int_equal(mkdir(sub, 0700), 0);
	assert_int_equal(truce_collect_state_flush(s), 0);
	assert_true(exists(gone));
	truce_collect_state_free(s);
}

/* While acks arrive the file is rewritten at most every
 * TRUCE_COLLECT_STATE_FLUSH_MS; flush writes at once. */
static void test_flush_interval(void **state)
{
	fixture *f = *state;
	const int64_t every = TRUCE_COLLECT_STATE_FLUSH_MS;
	const uint64_t seqs[] = {1, 2, 3, 4, 5, 6};
	fake_ms = 5000;
	truce_collect_state *s = open_ok(f);
	add_article(s, 0, 1);
	fake_ms = 5000 + every - 1;
	add_article(s, 1, 2);
	assert_false(exists(f->path)); /* not yet */
	fake_ms = 5000 + every;
	add_article(s, 2, 3);
	assert_true(file_holds(f, seqs, 3)); /* the interval since open passed */
	fake_ms += every / 2;
	add_article(s, 3, 4);
	assert_true(file_holds(f, seqs, 3));
	assert_int_equal(truce_collect_state_flush(s), 0); /* forced */
	assert_true(file_holds(f, seqs, 4));
	/* The interval counts from the forced rewrite. */
	int64_t forced = fake_ms;
	fake_ms = forced + every - 1;
	add_article(s, 4, 5);
	assert_true(file_holds(f, seqs, 4));
	fake_ms = forced + every;
	add_article(s, 5, 6);
	assert_true(file_holds(f, seqs, 6));
	/* Past the interval, a known article changes nothing to write. */
	assert_int_equal(unlink(f->path), 0);
	fake_ms += 10 * every;
	add_article(s, 5, 6);
	assert_false(exists(f->path));
	truce_collect_state_free(s);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_flush_only_when_changed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_torn_rewrite_is_ignored, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cut_file_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_future_version_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_garbage_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_empty_and_unreadable, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_flush_interval, setup, teardown),
	};
	return cmocka_run_group_tests_name("collect_state", tests, NULL, NULL);
}
