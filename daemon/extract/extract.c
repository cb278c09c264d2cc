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

#include "extract_int.h"

/* The latest year the text names, for articles without a publication date
 * ("on December 2" in a text that mentions 2025). */
static int latest_year(const char *text, const truce__doc *doc)
{
	int best = 0;
	for (size_t i = 0; i < doc->ntok; i++) {
		const truce__tok *t = &doc->tok[i];
		if (!(t->flags & TRUCE__T_NUM) || t->end - t->start != 4)
			continue;
		int y = 0;
		for (uint32_t k = t->start; k < t->end; k++) {
			char c = text[k];
			if (c < '0' || c > '9') {
				y = 0;
				break;
			}
			y = y * 10 + (c - '0');
		}
		if (y >= 1990 && y <= 2100 && y > best)
			best = y;
	}
	return best;
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
		    .len = text.len,
		    .doc = &doc,
		    .title = article->title,
		};
		a.conflict = truce__detect_conflict(rules, text.s, &doc);
		if (truce__parse_ymd(article->published, &a.pub) != 0)
			memset(&a.pub, 0, sizeof(a.pub));
		a.base_year = a.pub.y ? a.pub.y : latest_year(text.s, &doc);
		rc = truce__frames(&a, out);
	}
	truce__doc_free(&doc);
	truce__text_free(&text);
	if (rc != 0) {
		truce_claims_free(out);
	}
	return rc;
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
