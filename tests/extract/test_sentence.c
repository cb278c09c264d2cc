/*
 * test_sentence.c - tokens and sentence boundaries: abbreviations,
 * initials, decimals, quotes, possessives and hard-wrapped lines.
 */
#include "helpers.h"

#include "extract_int.h"

static truce__doc doc_of(const char *s)
{
	truce__doc d = {0};
	assert_int_equal(truce__tokenize(test_rules, s, strlen(s), &d), 0);
	return d;
}

/* The text of sentence i. */
static void sentence(const char *s, const truce__doc *d, size_t i, char *out, size_t len)
{
	assert_true(i < d->nsent);
	uint32_t a = d->tok[d->sent[i].t0].start, b = d->tok[d->sent[i].t1 - 1].end;
	snprintf(out, len, "%.*s", (int)(b - a), s + a);
}

static void abbreviations_and_initials(void **state)
{
	(void)state;
	const char *s = "Gen. Smith met the U.S. envoy on Nov. 3 in St. Mary. Talks went on "
	                "for 2.5 hours. J. R. Doe said nothing.";
	truce__doc d = doc_of(s);
	char buf[200];
	assert_int_equal(d.nsent, 3);
	sentence(s, &d, 0, buf, sizeof(buf));
	assert_string_equal(buf, "Gen. Smith met the U.S. envoy on Nov. 3 in St. Mary.");
	sentence(s, &d, 1, buf, sizeof(buf));
	assert_string_equal(buf, "Talks went on for 2.5 hours.");
	truce__doc_free(&d);
}

static void quotes_close_sentences(void **state)
{
	(void)state;
	const char *s = "\"We will respond.\" The minister left. \"Is it over?\" he asked.";
	truce__doc d = doc_of(s);
	char buf[200];
	assert_int_equal(d.nsent, 3);
	sentence(s, &d, 0, buf, sizeof(buf));
	assert_string_equal(buf, "\"We will respond.\"");
	truce__doc_free(&d);
}

static void lines_join_and_break(void **state)
{
	(void)state;
	const char *s = "The ministry said the\nroads were open again,\nand traffic moved.\n"
	                "A Headline Without A Period\nThe next sentence.\n\nNew paragraph";
	truce__doc d = doc_of(s);
	char buf[200];
	assert_int_equal(d.nsent, 4);
	sentence(s, &d, 0, buf, sizeof(buf));
	assert_string_equal(buf,
	                    "The ministry said the\nroads were open again,\nand traffic moved.");
	sentence(s, &d, 1, buf, sizeof(buf));
	assert_string_equal(buf, "A Headline Without A Period");
	truce__doc_free(&d);
}

static void tokens(void **state)
{
	(void)state;
	const char *s = "Azerbaijan's self-proclaimed 2,050 Ta'ang (DPR)";
	truce__doc d = doc_of(s);
	/* Azerbaijan 's self proclaimed 2,050 Ta'ang ( DPR ) */
	assert_int_equal(d.ntok, 9);
	assert_true(d.tok[1].flags & TRUCE__T_POSS);
	assert_int_equal(d.tok[4].end - d.tok[4].start, 5);
	assert_true(d.tok[4].flags & TRUCE__T_NUM);
	assert_int_equal(d.tok[5].end - d.tok[5].start, 6);
	assert_true(d.tok[7].flags & TRUCE__T_PAREN);
	assert_true(d.tok[7].flags & TRUCE__T_UPPER);
	assert_int_equal(d.tok[2].hash, truce__tok_hash("SELF", 4));
	truce__doc_free(&d);
}

static void long_runs_are_cut(void **state)
{
	(void)state;
	char s[4000];
	size_t n = 0;
	for (int i = 0; i < 600; i++)
		n += (size_t)snprintf(s + n, sizeof(s) - n, "w%d ", i % 10);
	truce__doc d = doc_of(s);
	assert_true(d.nsent >= 3);
	for (size_t i = 0; i < d.nsent; i++)
		assert_true(d.sent[i].t1 - d.sent[i].t0 <= TRUCE__MAX_SENT_TOKENS);
	truce__doc_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(abbreviations_and_initials), cmocka_unit_test(quotes_close_sentences),
	    cmocka_unit_test(lines_join_and_break),       cmocka_unit_test(tokens),
	    cmocka_unit_test(long_runs_are_cut),
	};
	return cmocka_run_group_tests(tests, rules_setup, rules_teardown);
}
