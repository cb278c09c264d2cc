/*
 * test_normalize.c - the normalize stage: UTF-8 validation, typographic
 * folding, blank collapsing, offsets into the body, HTML to text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "extract_int.h"

static void folds_typography(void **state)
{
	(void)state;
	const char *in = "\xE2\x80\x9CPeace\xE2\x80\x9D \xE2\x80\x93 it\xE2\x80\x99s   "
	                 "over\xC2\xA0now\xE2\x80\xA6";
	truce__text t;
	assert_int_equal(truce__normalize(in, strlen(in), 0, &t), 0);
	assert_string_equal(t.s, "\"Peace\" - it's over now...");
	truce__text_free(&t);
}

static void keeps_offsets(void **state)
{
	(void)state;
	const char *in = "  Caf\xC3\xA9 \xE2\x80\x9Cx\xE2\x80\x9D\n\n\n\nNext";
	truce__text t;
	assert_int_equal(truce__normalize(in, strlen(in), 0, &t), 0);
	assert_string_equal(t.s, "Caf\xC3\xA9 \"x\"\n\nNext");
	assert_int_equal(t.map[0], 2);                      /* C */
	assert_int_equal(t.map[6], 8);                      /* the folded opening quote */
	assert_int_equal(t.map[t.len - 4], strlen(in) - 4); /* N of Next */
	assert_int_equal(t.map[t.len], strlen(in));
	truce__text_free(&t);
}

static void rejects_invalid_utf8(void **state)
{
	(void)state;
	const char bad[] = {'o', 'k', ' ', (char)0xC3, (char)0x28, ' ', 'x'};
	truce__text t;
	assert_int_equal(truce__normalize(bad, sizeof(bad), 0, &t), TRUCE_EUTF8);
	assert_null(t.s);
	const char overlong[] = {(char)0xC0, (char)0xAF};
	assert_int_equal(truce__normalize(overlong, sizeof(overlong), 1, &t), TRUCE_EUTF8);
}

static void controls_become_blanks(void **state)
{
	(void)state;
	const char in[] = {'a', '\0', 'b', '\r', '\n', 'c', '\t', 'd'};
	truce__text t;
	assert_int_equal(truce__normalize(in, sizeof(in), 0, &t), 0);
	assert_string_equal(t.s, "a b\nc d");
	truce__text_free(&t);
}

static void html_to_text(void **state)
{
	(void)state;
	const char *html = "<html><head><title>T</title><script>var x = 'attack';</script>"
	                   "<style>p{}</style></head><body><nav><a>Home</a><a>News</a></nav>"
	                   "<p>First   paragraph.</p><div>Second<br>line</div>"
	                   "<ul><li>one</li><li>two</li></ul></body></html>";
	truce__text t;
	assert_int_equal(truce__normalize(html, strlen(html), 1, &t), 0);
	assert_null(strstr(t.s, "attack"));
	assert_null(strstr(t.s, "Home"));
	assert_non_null(strstr(t.s, "First paragraph."));
	assert_non_null(strstr(t.s, "Second\nline"));
	assert_non_null(strstr(t.s, "one\n"));
	assert_null(strstr(t.s, "one two"));
	truce__text_free(&t);
}

static void deep_html_is_bounded(void **state)
{
	(void)state;
	size_t depth = 200000, n = 0;
	char *html = malloc(depth * 5 + 16);
	assert_non_null(html);
	for (size_t i = 0; i < depth; i++)
		n += (size_t)sprintf(html + n, "<div>");
	n += (size_t)sprintf(html + n, "deep text");
	truce__text t;
	assert_int_equal(truce__normalize(html, n, 1, &t), 0);
	truce__text_free(&t);
	free(html);
}

static void empty_and_too_big(void **state)
{
	(void)state;
	truce__text t;
	assert_int_equal(truce__normalize("", 0, 0, &t), 0);
	assert_int_equal(t.len, 0);
	truce__text_free(&t);
	assert_int_equal(truce__normalize("x", (size_t)TRUCE__MAX_BODY + 1, 0, &t), TRUCE_ETOOBIG);
}

/* Runs of plain ASCII are read 8 bytes at a time (plain_run_end): a
 * blank, a line break or a non-ASCII character at any offset of an 8-byte
 * step still folds as it would byte by byte, and every output byte maps
 * to the body byte it came from. */
static void blanks_at_every_offset(void **state)
{
	(void)state;
	static const struct {
		const char *ins, *out;
	} cases[] = {
	    {"  ", " "},  {" ", " "},     {"   \n", "\n"}, {" \n ", "\n"}, {"\xC3\xA9", "\xC3\xA9"},
	    {"\t ", " "}, {" \x7F", " "},
	};
	const char *word = "abcdefghijklmnopqrstuvwxyz0123456789";
	size_t wl = strlen(word);
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		for (size_t p = 1; p < wl; p++) {
			char in[128], want[128];
			snprintf(in, sizeof(in), "%.*s%s%s", (int)p, word, cases[c].ins, word + p);
			snprintf(want, sizeof(want), "%.*s%s%s", (int)p, word, cases[c].out,
			         word + p);
			truce__text t;
			assert_int_equal(truce__normalize(in, strlen(in), 0, &t), 0);
			assert_string_equal(t.s, want);
			for (size_t k = 0; k < t.len; k++) {
				assert_true(t.map[k] < strlen(in));
				if (t.s[k] != '\n' &&
				    t.s[k] != ' ') /* a blank maps to the first of its run */
					assert_int_equal(in[t.map[k]], t.s[k]);
			}
			truce__text_free(&t);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(folds_typography),     cmocka_unit_test(keeps_offsets),
	    cmocka_unit_test(rejects_invalid_utf8), cmocka_unit_test(controls_become_blanks),
	    cmocka_unit_test(html_to_text),         cmocka_unit_test(deep_html_is_bounded),
	    cmocka_unit_test(empty_and_too_big),    cmocka_unit_test(blanks_at_every_offset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
