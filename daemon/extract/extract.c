/*
 * extract.c - the extractor's entry point: runs the stages of
 * extract_int.h on one article and hands back its claims.
 *
 * The function is pure: the same article and rules always give the same
 * claims, and all state lives in this call's buffers, so threads may share
 * one truce_rules.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "extract_int.h"

/* Does the year at s[i..i+4) stand in history: "since 2014", "until
 * 2019", "the 2020 war"? Such a year is no incident's. */
static int background_year(const char *s, size_t len, size_t i)
{
	static const char *const before[] = {"since ", "until ", "the ", "in the "};
	static const char *const after[] = {" war",       " conflict", " ceasefire", " truce",
	                                    " agreement", " accord",   " deal",      " election"};
	for (size_t k = 0; k < sizeof(before) / sizeof(before[0]); k++) {
		size_t n = strlen(before[k]);
		if (i >= n && strncasecmp(s + i - n, before[k], n) == 0)
			return 1;
	}
	for (size_t k = 0; k < sizeof(after) / sizeof(after[0]); k++) {
		size_t n = strlen(after[k]);
		if (i + 4 + n <= len && strncasecmp(s + i + 4, after[k], n) == 0)
			return 1;
	}
	return 0;
}

/* Is a byte of x an ASCII digit? Each byte's low seven bits plus a
 * constant carry into bit 7 at '0' and past '9', and no sum reaches the
 * next byte; bytes >= 0x80 are no digits. Exact as yes/no. */
static inline int has_digit8(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ull;
	uint64_t low7 = x & (0x7f * ones);
	uint64_t ge0 = low7 + (0x80 - '0') * ones, gt9 = low7 + (0x80 - '9' - 1) * ones;
	return (ge0 & ~gt9 & ~x & (0x80 * ones)) != 0;
}

/* The latest year the text names outside history (before boilerplate is
 * dropped: bylines and captions carry dates), for articles without a
 * publication date ("on December 2" in a text that mentions 2025). */
static int latest_year(const char *s, size_t len)
{
	/* a year is a run of exactly four digits: walk the runs, not every
	 * position of the text */
	int best = 0;
	size_t i = 0;
	while (i < len) {
		if ((unsigned)(s[i] - '0') >= 10u) {
			/* prose is mostly digitless: eight bytes a step */
			uint64_t x = 0;
			if (i + 8 <= len)
				memcpy(&x, s + i, 8);
			i += i + 8 <= len && !has_digit8(x) ? 8 : 1;
			continue;
		}
		size_t j = i;
		while (j < len && (unsigned)(s[j] - '0') < 10u)
			j++;
		if (j - i == 4 && (s[i] == '1' || s[i] == '2')) {
			int y = (s[i] - '0') * 1000 + (s[i + 1] - '0') * 100 +
			        (s[i + 2] - '0') * 10 + (s[i + 3] - '0');
			if (y >= 1990 && y <= 2100 && y > best && !background_year(s, len, i))
				best = y;
		}
		i = j;
	}
	return best;
}

/* The day of an article without a publication date: the latest full date
 * in the head of its text (before boilerplate is dropped: "Updated March
 * 6, 2020" lines are boilerplate). The head is the first 800 bytes, cut
 * at a line break: bylines and date lines stand there. */
static truce__ymd head_date(const truce_rules *r, const char *s, size_t len)
{
	truce__ymd none = {0, 0, 0, 0, 0, 0}, d = none;
	size_t n = len < 800 ? len : 800;
	while (n < len && n > 0 && s[n - 1] != '\n')
		n--;
	if (latest_year(s, n) == 0)
		return d; /* no year: no full date (and no work) */
	truce__doc doc = {0};
	truce__tagged tg = {0};
	size_t *first = NULL;
	if (truce__tokenize(r, s, n, &doc) == 0 && doc.nsent > 0 &&
	    (first = malloc((doc.nsent + 1) * sizeof(*first))) != NULL) {
		int rc = 0;
		for (size_t i = 0; i < doc.nsent && rc == 0; i++) {
			first[i] = tg.n;
			rc = truce__tag(r, s, &doc, doc.sent[i].t0, doc.sent[i].t1, NULL, &tg);
		}
		first[doc.nsent] = tg.n;
		if (rc == 0)
			d = truce__text_date(r, s, &doc, &tg, first);
	}
	free(first);
	free(tg.v);
	truce__doc_free(&doc);
	return d;
}

int truce_extract_article(const truce_rules *rules, const truce_article_in *article,
                          truce_claims *out)
{
	if (out == NULL)
		return TRUCE_EINVAL;
	out->v = NULL;
	out->n = 0;
	if (rules == NULL || article == NULL)
		return TRUCE_EINVAL;
	if (article->body == NULL || article->body_len == 0)
		return 0;
	truce__text raw = {0}, text = {0};
	truce__doc doc = {0};
	int rc = truce__normalize(article->body, article->body_len, article->is_html, &raw);
	truce__ymd pub;
	if (truce__parse_ymd(article->published, &pub) != 0)
		memset(&pub, 0, sizeof(pub));
	int year = pub.y;
	if (rc == 0 && pub.y == 0) {
		year = latest_year(raw.s, raw.len);
		pub = head_date(rules, raw.s, raw.len);
		if (pub.y)
			year = pub.y;
	}
	if (rc == 0)
		rc = truce__main_text(rules, &raw, &text);
	truce__text_free(&raw);
	if (rc == 0)
		rc = truce__tokenize(rules, text.s, text.len, &doc);
	if (rc == 0 && doc.nsent > 0) {
		truce__article a = {
		    .rules = rules,
		    .text = text.s,
		    .map = text.map,
		    .exact_map = !article->is_html,
		    .len = text.len,
		    .doc = &doc,
		    .title = article->title,
		};
		/* tag once, with the aliases every conflict shares; the scope
		 * found (countries, conflict) then settles the aliases that
		 * depend on it */
		truce__tagged items = {0};
		size_t *first = malloc((doc.nsent + 1) * sizeof(*first));
		rc = first != NULL ? 0 : TRUCE_ENOMEM;
		truce__scope scope;
		for (size_t s = 0; s < doc.nsent && rc == 0; s++) {
			first[s] = items.n;
			rc = truce__tag(rules, text.s, &doc, doc.sent[s].t0, doc.sent[s].t1, NULL,
			                &items);
		}
		if (rc == 0) {
			first[doc.nsent] = items.n;
			a.items = &items;
			a.first_item = first;
			truce__block_outlet(rules, article->source, &doc, &items);
			truce__detect_scope(rules, text.s, &doc, &items, &scope);
			a.scope = &scope;
			a.conflict = scope.conflict;
		}
		a.pub = pub;
		a.base_year = year;
		if (rc == 0)
			rc = truce__frames(&a, out);
		free(items.v);
		free(first);
	}
	truce__doc_free(&doc);
	truce__text_free(&text);
	if (rc != 0) {
		truce_claims_free(out);
	}
	return rc;
}

void truce_article_in_from_wire(const Truce__V1__Article *a, truce_article_in *out)
{
	truce_article_in in = {
	    .id = a->id,
	    .source = a->source,
	    .published = a->published,
	    .title = a->title,
	    .body = a->has_body ? (const char *)a->body.data : NULL,
	    .body_len = a->has_body ? a->body.len : 0,
	    .is_html =
	        a->has_content_type && a->content_type == TRUCE__V1__CONTENT_TYPE__CONTENT_HTML,
	};
	*out = in;
}

void truce_claims_free(truce_claims *claims)
{
	if (claims == NULL)
		return;
	for (size_t i = 0; i < claims->n; i++)
		free(claims->v[i].evidence);
	free(claims->v);
	claims->v = NULL;
	claims->n = 0;
}
