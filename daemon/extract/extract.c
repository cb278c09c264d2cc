/*
 * extract.c - placeholder entry point, replaced by the extraction work.
 */
#include <stdlib.h>
#include <string.h>

#include "truce/extract.h"

struct truce_rules {
	char version[32];
};

int truce_rules_load_default(truce_rules **out)
{
	truce_rules *r = calloc(1, sizeof(*r));
	if (r == NULL)
		return TRUCE_ENOMEM;
	strcpy(r->version, "0.0+none");
	*out = r;
	return 0;
}

int truce_rules_load_dir(const char *dir, truce_rules **out, char *errbuf, size_t errlen)
{
	(void)dir;
	(void)errbuf;
	(void)errlen;
	return truce_rules_load_default(out);
}

void truce_rules_free(truce_rules *rules)
{
	free(rules);
}

const char *truce_rules_version(const truce_rules *rules)
{
	return rules->version;
}

int truce_extract_article(const truce_rules *rules, const truce_article_in *article,
			  truce_claims *out)
{
	(void)rules;
	(void)article;
	out->v = NULL;
	out->n = 0;
	return 0;
}

void truce_claims_free(truce_claims *claims)
{
	for (size_t i = 0; i < claims->n; i++)
		free(claims->v[i].evidence);
	free(claims->v);
	claims->v = NULL;
	claims->n = 0;
}
