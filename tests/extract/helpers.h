/*
 * helpers.h - what the extractor's unit tests share: one rule set per test
 * binary and short ways to extract a text and look for a claim.
 */
#ifndef TRUCE_TEST_EXTRACT_HELPERS_H
#define TRUCE_TEST_EXTRACT_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "truce/extract.h"

static truce_rules *test_rules;

static inline int rules_setup(void **state)
{
	(void)state;
	return truce_rules_load_default(&test_rules);
}

static inline int rules_teardown(void **state)
{
	(void)state;
	truce_rules_free(test_rules);
	test_rules = NULL;
	return 0;
}

/* Extracts the claims of a plain-text body published on date. */
static inline truce_claims extract_text(const char *published, const char *body)
{
	truce_article_in in = {
	    .id = "t",
	    .published = published,
	    .body = body,
	    .body_len = strlen(body),
	};
	truce_claims out = {0};
	assert_int_equal(truce_extract_article(test_rules, &in, &out), 0);
	return out;
}

/* The same for an article with a headline. */
static inline truce_claims extract_titled(const char *published, const char *title,
                                          const char *body)
{
	truce_article_in in = {
	    .id = "t",
	    .published = published,
	    .title = title,
	    .body = body,
	    .body_len = strlen(body),
	};
	truce_claims out = {0};
	assert_int_equal(truce_extract_article(test_rules, &in, &out), 0);
	return out;
}

/* The claim claimant -> accused ("" = nobody), or NULL. */
static inline const truce_claim *find_claim(const truce_claims *c, const char *claimant,
                                            const char *accused)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->v[i].claimant, claimant) == 0 &&
		    strcmp(c->v[i].accused, accused) == 0)
			return &c->v[i];
	return NULL;
}

static inline void print_claims(const truce_claims *c)
{
	for (size_t i = 0; i < c->n; i++)
		fprintf(stderr, "  claim %s -> %s date=%s place=%s killed=%d wounded=%d\n",
		        c->v[i].claimant, c->v[i].accused, c->v[i].event_date, c->v[i].location,
		        c->v[i].killed, c->v[i].wounded);
}

#endif
