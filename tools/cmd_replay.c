/*
 * cmd_replay.c - `truce replay`: the stored articles of a data directory in
 * arrival order, as JSON Lines. Opens LMDB read-only, so it is safe while
 * truced runs and never blocks it.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "cli.h"
#include "truce/json.h"
#include "truce/store.h"

typedef struct replay_ctx {
	size_t printed;
	int corrupt;
} replay_ctx;

static int print_article(void *vctx, uint64_t seq, truce_bytes val)
{
	replay_ctx *ctx = vctx;
	Truce__V1__StoredArticle *sa = truce__v1__stored_article__unpack(NULL, val.len, val.data);
	Truce__V1__ArticleRecord *rec =
	    sa != NULL ? truce__v1__article_record__unpack(NULL, sa->record.len, sa->record.data)
		       : NULL;
	if (rec == NULL) {
		fprintf(stderr, "truce replay: article %llu does not decode\n",
			(unsigned long long)seq);
		ctx->corrupt = 1;
	} else {
		json_t *j = truce_json_stored_article(sa, rec);
		char *s = json_dumps(j, JSON_COMPACT);
		if (s != NULL)
			puts(s);
		free(s);
		json_decref(j);
		ctx->printed++;
	}
	if (rec != NULL)
		truce__v1__article_record__free_unpacked(rec, NULL);
	if (sa != NULL)
		truce__v1__stored_article__free_unpacked(sa, NULL);
	return 0;
}

/* A quarantine entry: the reason and the rejected bytes (base64). */
static int print_quarantined(void *vctx, uint64_t seq, truce_bytes val)
{
	replay_ctx *ctx = vctx;
	Truce__V1__Quarantined *q = truce__v1__quarantined__unpack(NULL, val.len, val.data);
	if (q == NULL) {
		fprintf(stderr, "truce replay: quarantine entry %llu does not decode\n",
			(unsigned long long)seq);
		ctx->corrupt = 1;
		return 0;
	}
	char when[40], msg_id[2 * 64 + 1] = "";
	truce_rfc3339(q->received_us, when, sizeof(when));
	if (q->msg_id.len <= 64)
		truce_hex(q->msg_id.data, q->msg_id.len, msg_id);
	size_t b64_len = sodium_base64_encoded_len(q->payload.len, sodium_base64_VARIANT_ORIGINAL);
	char *b64 = malloc(b64_len);
	if (b64 != NULL)
		sodium_bin2base64(b64, b64_len, q->payload.data, q->payload.len,
				  sodium_base64_VARIANT_ORIGINAL);
	json_t *j = json_pack("{s:I, s:s, s:I, s:s, s:s, s:I, s:I, s:I, s:s}", "seq",
			      (json_int_t)q->seq, "received", when, "received_us",
			      (json_int_t)q->received_us, "reason", q->reason ? q->reason : "",
			      "msg_id", msg_id, "frames", (json_int_t)q->frames, "payload_size",
			      (json_int_t)q->payload_size, "payload_kept",
			      (json_int_t)q->payload.len, "payload_base64", b64 ? b64 : "");
	char *out = json_dumps(j, JSON_COMPACT);
	if (out != NULL)
		puts(out);
	free(out);
	free(b64);
	json_decref(j);
	truce__v1__quarantined__free_unpacked(q, NULL);
	ctx->printed++;
	return 0;
}

static void replay_usage(FILE *f)
{
	fprintf(f, "usage: truce replay --data DIR [--from SEQ] [--to SEQ]\n\n"
		   "Prints the stored articles in arrival order as JSON Lines: sequence\n"
		   "number, receipt time, collector, content key, hash chain and the article\n"
		   "exactly as received. Read-only; safe while truced runs.\n\n"
		   "  --data DIR     truced's data directory\n"
		   "  --from SEQ     first article seq (default 1)\n"
		   "  --to SEQ       last article seq (default: the last stored)\n"
		   "  --quarantine   print the quarantine (rejected messages and their\n"
		   "                 reasons) instead of the articles; --from/--to apply\n"
		   "  -h, --help     this text\n");
}

int truce_cmd_replay(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"data", required_argument, NULL, 'd'}, {"from", required_argument, NULL, 'f'},
	    {"to", required_argument, NULL, 't'},   {"help", no_argument, NULL, 'h'},
	    {"quarantine", no_argument, NULL, 'Q'},
	    {NULL, 0, NULL, 0},
	};
	const char *dir = NULL;
	unsigned long long from = 1, to = TRUCE_SEQ_MAX;
	int c, quarantine = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dir = optarg;
			break;
		case 'f':
			if (truce_parse_u64(optarg, &from) != 0)
				return truce_usage_error("replay", "--from wants a number");
			break;
		case 't':
			if (truce_parse_u64(optarg, &to) != 0)
				return truce_usage_error("replay", "--to wants a number");
			break;
		case 'Q':
			quarantine = 1;
			break;
		case 'h':
			replay_usage(stdout);
			return TRUCE_EXIT_OK;
		default:
			return truce_usage_error("replay", "unknown option");
		}
	}
	if (dir == NULL)
		return truce_usage_error("replay", "--data DIR is required");
	truce_store *st;
	char err[512] = "";
	truce_store_opts so = {.read_only = 1};
	int rc = truce_store_open(dir, &so, &st, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "truce replay: %s\n", err[0] ? err : truce_strerror(rc));
		return TRUCE_EXIT_IO;
	}
	truce_txn *t;
	replay_ctx ctx = {0};
	rc = truce_txn_begin(st, 0, &t);
	if (rc == 0) {
		if (from <= to)
			rc = truce_txn_scan(t, quarantine ? TRUCE_DB_QUARANTINE : TRUCE_DB_ARTICLES,
					    from == 0 ? 1 : from, to,
					    quarantine ? print_quarantined : print_article, &ctx);
		truce_txn_abort(t);
	}
	truce_store_close(st);
	if (rc != 0) {
		fprintf(stderr, "truce replay: %s\n", truce_strerror(rc));
		return TRUCE_EXIT_IO;
	}
	if (ctx.printed == 0)
		fprintf(stderr, "truce replay: no stored %s in %llu..%llu\n",
			quarantine ? "quarantine entry" : "article", from, to);
	return ctx.corrupt ? TRUCE_EXIT_FAIL : TRUCE_EXIT_OK;
}
