/*
 * fuzz_extract.c - libFuzzer target for the claim extractor: any bytes as
 * an article body (first byte: bit 0 = HTML, bit 1 = no publication date)
 * through truce_extract_article with the built-in rules. The extractor must
 * never crash, hang or leak; it either fails cleanly (invalid UTF-8, too
 * big) with no claims, or returns well-formed claims whose evidence lies in
 * the body.
 */
#include <stdlib.h>
#include <string.h>

#include "truce/extract.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static truce_rules *rules;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (truce_rules_load_default(&rules) != 0)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (rules == NULL)
		LLVMFuzzerInitialize(NULL, NULL);
	if (size == 0)
		return 0;
	uint8_t flags = data[0];
	/* a copy without a terminator: the extractor must honour body_len */
	char *body = malloc(size - 1 > 0 ? size - 1 : 1);
	if (body == NULL)
		return 0;
	memcpy(body, data + 1, size - 1);
	truce_article_in in = {
	    .id = "fuzz",
	    .published = (flags & 2) ? NULL : "2022-08-03",
	    .title = "Statement of the defence ministry",
	    .body = body,
	    .body_len = size - 1,
	    .is_html = flags & 1,
	};
	truce_claims out = {0};
	int rc = truce_extract_article(rules, &in, &out);
	if (rc != 0 && (out.v != NULL || out.n != 0))
		abort(); /* an error never comes with half a result */
	for (size_t i = 0; i < out.n; i++) {
		const truce_claim *c = &out.v[i];
		if (c->claimant[0] == '\0' || c->evidence == NULL)
			abort();
		if (c->evidence_start > c->evidence_end || c->evidence_end > size - 1)
			abort();
		if (memchr(c->event_date, '\0', sizeof(c->event_date)) == NULL ||
		    memchr(c->location, '\0', sizeof(c->location)) == NULL)
			abort();
	}
	truce_claims_free(&out);
	free(body);
	return 0;
}
