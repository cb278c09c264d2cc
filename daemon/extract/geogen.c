/*
 * geogen.c - a build tool, not part of truce: builds the gazetteer's tables
 * from the built-in rule files (countries.tsv, geonames.tsv) and writes
 * them as the blob that rules_geo.c compiles in, so that loading the rules
 * costs no parsing of 200,000 places (see truce__geo_blob_hdr).
 *   geogen OUT
 */
#include <stdio.h>

#include "extract_int.h"

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: geogen OUT\n");
		return 2;
	}
	truce_rules *r = NULL;
	if (truce_rules_load_default(&r) != 0) {
		fprintf(stderr, "geogen: the built-in rules do not load\n");
		return 1;
	}
	FILE *f = fopen(argv[1], "wb");
	int rc = f != NULL ? truce__geo_blob_write(r, f) : TRUCE_EIO;
	if (f != NULL && fclose(f) != 0)
		rc = TRUCE_EIO;
	truce_rules_free(r);
	if (rc != 0) {
		fprintf(stderr, "geogen: cannot write %s\n", argv[1]);
		remove(argv[1]);
		return 1;
	}
	return 0;
}
