/*
 * extract.h - the claim extractor: article in, violation claims out.
 *
 * The extractor is a pure function of the article and the rule data: the
 * same article with the same rules always yields the same claims, which is
 * what lets `truce replay --reparse` re-derive stored claims and compare.
 * Rules (gazetteers, frames) are immutable once loaded, so one truce_rules
 * may be shared by several threads extracting concurrently.
 */
#ifndef TRUCE_EXTRACT_H
#define TRUCE_EXTRACT_H

#include "truce.h"
#include "truce.pb-c.h"

typedef struct truce_rules truce_rules;

/* The rule set compiled into the binary. */
int truce_rules_load_default(truce_rules **out);

/*
 * The built-in rules, with every data file found in DIR replacing the
 * built-in file of the same name. Errors name the file and line in *errmsg
 * (static buffer owned by the rules loader, may be NULL).
 */
int truce_rules_load_dir(const char *dir, truce_rules **out, char *errbuf, size_t errlen);
void truce_rules_free(truce_rules *rules);

/* "<extractor version>+<short hash of the rule data>", e.g. "1.0+3fa2c1d0". */
const char *truce_rules_version(const truce_rules *rules);

/* The article as the extractor sees it. Strings are UTF-8; NULL = absent. */
typedef struct truce_article_in {
	const char *id;
	const char *source;
	const char *published; /* YYYY-MM-DD */
	const char *title;
	const char *body;
	size_t body_len;
	int is_html;
} truce_article_in;

/*
 * The extractor's view of a wire Article (pointers borrow from a). The one
 * mapping truced, `truce extract`, `truce bench extract` and `truce replay
 * --reparse` share, so that re-parsing sees exactly what the daemon saw.
 */
void truce_article_in_from_wire(const Truce__V1__Article *a, truce_article_in *out);

#define TRUCE_PARTY_MAX 16
#define TRUCE_DATE_MAX 11
#define TRUCE_PLACE_MAX 96
#define TRUCE_CONFLICT_MAX 32
#define TRUCE_NONE (-1) /* killed/wounded not stated */

typedef struct truce_claim {
	char claimant[TRUCE_PARTY_MAX];    /* party code, never empty */
	char accused[TRUCE_PARTY_MAX];     /* party code; "" = blames nobody */
	char event_date[TRUCE_DATE_MAX];   /* YYYY-MM-DD; "" = unknown */
	char location[TRUCE_PLACE_MAX];    /* most specific place; "" = none */
	char conflict[TRUCE_CONFLICT_MAX]; /* e.g. "karabakh"; "" = unknown */
	int killed;                        /* TRUCE_NONE when not stated */
	int wounded;                       /* TRUCE_NONE when not stated */
	char *evidence;                    /* the sentence, malloc'd UTF-8 */
	size_t evidence_start;             /* byte offsets into body */
	size_t evidence_end;
	float confidence; /* 0..1 */
} truce_claim;

typedef struct truce_claims {
	truce_claim *v;
	size_t n;
} truce_claims;

/*
 * Extracts the claims of one article into *out (which the caller zeroes or
 * has freed before). Never fails on odd text: empty, binary or huge input
 * gives zero claims or TRUCE_EUTF8 / TRUCE_ETOOBIG; on error *out is empty.
 */
int truce_extract_article(const truce_rules *rules, const truce_article_in *article,
                          truce_claims *out);
void truce_claims_free(truce_claims *claims);

#endif
