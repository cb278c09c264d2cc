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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(folds_typography),     cmocka_unit_test(keeps_offsets),
	    cmocka_unit_test(rejects_invalid_utf8), cmocka_unit_test(controls_become_blanks),
	    cmocka_unit_test(html_to_text),         cmocka_unit_test(deep_html_is_bounded),
	    cmocka_unit_test(empty_and_too_big),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
