/*
 * cmd_extract.c - `truce extract`: runs the extractor offline on files or a
 * corpus and prints one JSON object per article in the scoring format of
 * ANNOTATION.md (plus evidence, offsets, conflict and extractor version).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "truce/extract.h"
#include "truce/json.h"

struct extract_ctx {
	const truce_rules *rules;
	size_t articles;
	size_t claims;
	int failed;
};

static int extract_one(void *vctx, const cli_input_article *a)
{
	struct extract_ctx *ctx = vctx;
	Truce__V1__Article art;
	truce_article_in in;
	cli_input_to_wire(a, 0, NULL, &art);
	truce_article_in_from_wire(&art, &in);
	truce_claims claims = {0};
	int rc = truce_extract_article(ctx->rules, &in, &claims);
	json_t *obj = json_object();
	json_object_set_new(obj, "id", a->id ? json_string(a->id) : json_null());
	if (rc != 0) {
		fprintf(stderr, "truce extract: %s: %s\n", a->where, truce_strerror(rc));
		json_object_set_new(obj, "error", json_string(truce_strerror(rc)));
		ctx->failed++;
	}
	json_object_set_new(obj, "claims", truce_json_claims(&claims));
	json_object_set_new(obj, "extractor", json_string(truce_rules_version(ctx->rules)));
	char *line = json_dumps(obj, JSON_COMPACT | JSON_ENSURE_ASCII);
	if (line != NULL)
		puts(line);
	free(line);
	json_decref(obj);
	ctx->articles++;
	ctx->claims += claims.n;
	truce_claims_free(&claims);
	return 0;
}

static void extract_usage(FILE *f)
{
	fprintf(f, "usage: truce extract [OPTIONS] FILE... | -\n"
	           "       truce extract [OPTIONS] --jsonl CORPUS.jsonl\n\n"
	           "Extracts violation claims offline and prints one JSON object per article\n"
	           "in the scoring format of ANNOTATION.md.\n\n"
	           "  --jsonl FILE        read articles in the corpus JSON Lines format\n"
	           "  --published DATE    publication date (YYYY-MM-DD) for single files\n"
	           "  --source NAME       outlet name for single files\n"
	           "  --url URL           URL for single files\n"
	           "  --rules DIR         rule data directory (default: built-in rules)\n"
	           "  -q, --quiet         no summary on stderr\n"
	           "  -h, --help          this text\n");
}

int cmd_extract(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"jsonl", required_argument, NULL, 'j'},  {"published", required_argument, NULL, 'p'},
	    {"source", required_argument, NULL, 's'}, {"url", required_argument, NULL, 'u'},
	    {"rules", required_argument, NULL, 'r'},  {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
	};
	const char *jsonl = NULL, *rules_dir = NULL;
	cli_input_defaults d = {0};
	int quiet = 0, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
		switch (c) {
		case 'j': jsonl = optarg; break;
		case 'p': d.published = optarg; break;
		case 's': d.source = optarg; break;
		case 'u': d.url = optarg; break;
		case 'r': rules_dir = optarg; break;
		case 'q': quiet = 1; break;
		case 'h': extract_usage(stdout); return CLI_EXIT_OK;
		default: return cli_usage_error("extract", "unknown option");
		}
	}
	if (jsonl == NULL && optind >= argc)
		return cli_usage_error("extract", "give --jsonl FILE or at least one FILE");

	truce_rules *rules = NULL;
	char err[256] = "";
	int rc = rules_dir != NULL ? truce_rules_load_dir(rules_dir, &rules, err, sizeof(err))
	                           : truce_rules_load_default(&rules);
	if (rc != 0) {
		fprintf(stderr, "truce extract: cannot load rules: %s %s\n", truce_strerror(rc),
		        err);
		return CLI_EXIT_IO;
	}
	struct extract_ctx ctx = {.rules = rules};
	int exit_code = CLI_EXIT_OK;
	if (jsonl != NULL) {
		size_t bad = 0;
		if (cli_input_jsonl(jsonl, extract_one, &ctx, &bad) != 0) {
			fprintf(stderr, "truce extract: cannot read %s\n", jsonl);
			exit_code = CLI_EXIT_IO;
		}
		if (bad > 0)
			exit_code = CLI_EXIT_FAIL;
	}
	for (int i = optind; i < argc; i++) {
		if (cli_input_file(argv[i], &d, extract_one, &ctx) != 0) {
			fprintf(stderr, "truce extract: cannot read %s\n", argv[i]);
			exit_code = CLI_EXIT_IO;
		}
	}
	if (!quiet)
		fprintf(stderr, "truce extract: %zu articles, %zu claims (rules %s)\n",
		        ctx.articles, ctx.claims, truce_rules_version(rules));
	if (ctx.failed > 0 && exit_code == CLI_EXIT_OK)
		exit_code = CLI_EXIT_FAIL;
	truce_rules_free(rules);
	return exit_code;
}
