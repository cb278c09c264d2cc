/*
 * cmd_replay.c - `truce replay`: the audit tool. Reads the stored article
 * log, from a data directory opened read-only (safe while truced runs,
 * never blocks it) or from a daemon's query socket, and
 *
 *   prints it (JSON Lines, or a table on a terminal), with the claims and
 *   events derived from each article if asked;   (this file)
 *   exports it in the corpus format;              (this file)
 *   prints the quarantine;                        (this file)
 *   verifies the hash chain;                      (replay/verify.c)
 *   re-derives the claims with the current rules; (replay/reparse.c)
 *   publishes it to another daemon.               (replay/publish.c)
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "cli.h"
#include "replay.h"
#include "truce/date.h"
#include "truce/json.h"

enum replay_mode {
	MODE_PRINT,
	MODE_QUARANTINE,
	MODE_VERIFY,
	MODE_REPARSE,
	MODE_PUBLISH,
	MODE_EXPORT,
};

typedef struct print_ctx {
	const replay_opts *o;
	truce_source_cursor *claims, *events;
	FILE *out; /* --export */
	replay_progress prog;
	size_t printed;
	int corrupt;
} print_ctx;

/* --- printing ----------------------------------------------------------- */

static void put_json(FILE *f, json_t *j)
{
	char *s = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;
	if (s != NULL) {
		fputs(s, f);
		fputc('\n', f);
	}
	free(s);
	json_decref(j);
}

/* At most max bytes of s, cut at a UTF-8 character boundary, newlines
 * flattened: a table cell. */
static void cell(char *out, size_t cap, const char *s, size_t max)
{
	size_t n = 0;
	if (s == NULL)
		s = "-";
	if (max >= cap)
		max = cap - 1;
	while (n < max && s[n] != '\0')
		n++;
	if (s[n] != '\0')
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	for (size_t i = 0; i < n; i++)
		out[i] = (char)(s[i] == '\n' || s[i] == '\t' || s[i] == '\r' ? ' ' : s[i]);
	while (n > 0 && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
}

static void claim_line(char *buf, size_t len, const Truce__V1__Claim *c)
{
	char killed[16] = "-", wounded[16] = "-";
	if (c->has_killed)
		snprintf(killed, sizeof(killed), "%d", (int)c->killed);
	if (c->has_wounded)
		snprintf(wounded, sizeof(wounded), "%d", (int)c->wounded);
	snprintf(buf, len, "%s -> %s | %s | %s | killed %s | wounded %s",
	         c->claimant ? c->claimant : "?", c->accused ? c->accused : "none",
	         c->event_date ? c->event_date : "date unknown",
	         c->location ? c->location : "place unknown", killed, wounded);
}

static void print_table_row(const truce_source_article *a, void **claims, size_t n_claims,
                            void **events, size_t n_events)
{
	const Truce__V1__Article *art = a->rec->article;
	char when[40], source[25], id[17], title[61];
	truce_rfc3339(a->rec->received_us, when, sizeof(when));
	when[19] = '\0'; /* to the second; JSON Lines keep the microseconds */
	cell(source, sizeof(source), art ? art->source : NULL, 24);
	cell(id, sizeof(id), art ? art->id : NULL, 16);
	cell(title, sizeof(title), art ? art->title : NULL, 60);
	printf("%7llu  %sZ  %-24s  %-16s  %s\n", (unsigned long long)a->key, when, source, id,
	       title);
	for (size_t i = 0; i < n_claims; i++) {
		const Truce__V1__Claim *c = claims[i];
		char line[300];
		claim_line(line, sizeof(line), c);
		printf("         claim %-6llu %s", (unsigned long long)c->id, line);
		if (c->has_incident_id)
			printf(" | incident %llu", (unsigned long long)c->incident_id);
		putchar('\n');
	}
	for (size_t i = 0; i < n_events; i++) {
		const Truce__V1__Event *ev = events[i];
		printf("         event %-6llu %-18s %s\n", (unsigned long long)ev->seq,
		       truce_event_type_name(ev->type), ev->topic ? ev->topic : "");
	}
}

static int take(truce_source_cursor *c, uint64_t seq, void ***v, size_t *n)
{
	*v = NULL;
	*n = 0;
	return c != NULL ? truce_source_cursor_take(c, seq, v, n) : 0;
}

static int print_article(void *vctx, const truce_source_article *a)
{
	print_ctx *ctx = vctx;
	if (a->rec == NULL) {
		fprintf(stderr, "truce replay: article %llu does not decode\n",
		        (unsigned long long)a->key);
		ctx->corrupt = 1;
		return 0;
	}
	void **claims, **events;
	size_t n_claims, n_events;
	int rc = take(ctx->claims, a->key, &claims, &n_claims);
	if (rc == 0)
		rc = take(ctx->events, a->key, &events, &n_events);
	if (rc != 0)
		return rc;
	if (ctx->o->format == REPLAY_TABLE) {
		print_table_row(a, claims, n_claims, events, n_events);
	} else {
		json_t *j = truce_json_stored_article(a->sa, a->rec);
		if (ctx->claims != NULL) {
			json_t *arr = json_array();
			for (size_t i = 0; i < n_claims; i++)
				json_array_append_new(arr, truce_json_claim(claims[i]));
			json_object_set_new(j, "claims", arr);
		}
		if (ctx->events != NULL) {
			json_t *arr = json_array();
			for (size_t i = 0; i < n_events; i++)
				json_array_append_new(arr, truce_json_event(events[i]));
			json_object_set_new(j, "events", arr);
		}
		put_json(stdout, j);
	}
	ctx->printed++;
	replay_progress_update(&ctx->prog, ctx->printed, NULL);
	return 0;
}

/* One line of the corpus format (ANNOTATION.md), plus the receipt: what
 * `truce collect --jsonl` reads back. */
static int export_article(void *vctx, const truce_source_article *a)
{
	print_ctx *ctx = vctx;
	if (a->rec == NULL || a->rec->article == NULL) {
		fprintf(stderr, "truce replay: article %llu does not decode; not exported\n",
		        (unsigned long long)a->key);
		ctx->corrupt = 1;
		return 0;
	}
	char when[40];
	truce_rfc3339(a->rec->received_us, when, sizeof(when));
	json_t *j = truce_json_article(a->rec->article);
	if (j == NULL) {
		fprintf(stderr, "truce replay: article %llu is not valid UTF-8; not exported\n",
		        (unsigned long long)a->key);
		ctx->corrupt = 1;
		return 0;
	}
	json_object_set_new(j, "seq", json_integer((json_int_t)a->key));
	json_object_set_new(j, "received", json_string(when));
	json_object_set_new(j, "received_us", json_integer((json_int_t)a->rec->received_us));
	if (a->rec->collector_id != NULL)
		json_object_set_new(j, "collector_id", json_string(a->rec->collector_id));
	put_json(ctx->out, j);
	if (ferror(ctx->out))
		return TRUCE_EIO;
	ctx->printed++;
	replay_progress_update(&ctx->prog, ctx->printed, NULL);
	return 0;
}

/* A quarantine entry: the reason and the rejected bytes (base64). */
static int print_quarantined(void *vctx, uint64_t seq, truce_bytes val)
{
	print_ctx *ctx = vctx;
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
	json_t *j =
	    json_pack("{s:I, s:s, s:I, s:s, s:s, s:I, s:I, s:I, s:s}", "seq", (json_int_t)q->seq,
	              "received", when, "received_us", (json_int_t)q->received_us, "reason",
	              q->reason ? q->reason : "", "msg_id", msg_id, "frames", (json_int_t)q->frames,
	              "payload_size", (json_int_t)q->payload_size, "payload_kept",
	              (json_int_t)q->payload.len, "payload_base64", b64 ? b64 : "");
	put_json(stdout, j);
	free(b64);
	truce__v1__quarantined__free_unpacked(q, NULL);
	ctx->printed++;
	return 0;
}

static int run_quarantine(const replay_opts *o, truce_source *src)
{
	print_ctx ctx = {.o = o};
	truce_txn *t;
	int rc = truce_txn_begin(truce_source_store(src), 0, &t);
	if (rc == 0) {
		if (o->from <= o->to)
			rc = truce_txn_scan(t, TRUCE_DB_QUARANTINE, o->from == 0 ? 1 : o->from,
			                    o->to, print_quarantined, &ctx);
		truce_txn_abort(t);
	}
	if (rc != 0) {
		fprintf(stderr, "truce replay: %s\n", truce_strerror(rc));
		return CLI_EXIT_IO;
	}
	if (ctx.printed == 0 && !o->quiet)
		fprintf(stderr, "truce replay: no quarantine entry in %llu..%llu\n",
		        (unsigned long long)o->from, (unsigned long long)o->to);
	return ctx.corrupt ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}

static void note_empty(const replay_opts *o, const truce_source_head *h)
{
	if (o->quiet)
		return;
	if (h->last_seq == 0)
		fprintf(stderr, "truce replay: the store holds no articles\n");
	else
		fprintf(stderr,
		        "truce replay: no stored article in the range (the log holds %llu..%llu)\n",
		        h->count > 0 ? 1ULL : 0ULL, (unsigned long long)h->last_seq);
}

/* Printing and --export. */
static int run_print(const replay_opts *o, truce_source *src, int export)
{
	truce_source_head h;
	int rc = truce_source_get_head(src, &h);
	if (rc != 0) {
		fprintf(stderr, "truce replay: %s\n", truce_strerror(rc));
		return CLI_EXIT_IO;
	}
	print_ctx ctx = {.o = o};
	if (export) {
		ctx.out = strcmp(o->export_path, "-") == 0 ? stdout : fopen(o->export_path, "w");
		if (ctx.out == NULL) {
			fprintf(stderr, "truce replay: cannot write %s: %s\n", o->export_path,
			        strerror(errno));
			return CLI_EXIT_IO;
		}
	} else {
		uint64_t first = o->from > 0 ? o->from : 1;
		if (o->claims)
			rc = truce_source_cursor_new(src, TRUCE_DB_CLAIMS, first, h.last_claim,
			                             &ctx.claims);
		if (rc == 0 && o->events)
			rc = truce_source_cursor_new(src, TRUCE_DB_EVENTS, first, h.last_event,
			                             &ctx.events);
	}
	/* A bar on the terminal that also shows the table would garble it. */
	int bar = o->progress && (export || o->format != REPLAY_TABLE);
	replay_progress_start(&ctx.prog, bar, replay_range_total(o, &h));
	if (rc == 0 && o->format == REPLAY_TABLE && !export)
		printf("%7s  %-20s  %-24s  %-16s  %s\n", "SEQ", "RECEIVED", "SOURCE", "ID",
		       "TITLE");
	if (rc == 0) {
		truce_article_range r = replay_range(o);
		rc = truce_source_articles(src, &r, export ? export_article : print_article, &ctx);
	}
	replay_progress_end(&ctx.prog);
	truce_source_cursor_free(ctx.claims);
	truce_source_cursor_free(ctx.events);
	if (ctx.out != NULL && ctx.out != stdout && fclose(ctx.out) != 0 && rc == 0)
		rc = TRUCE_EIO;
	if (rc != 0) {
		fprintf(stderr, "truce replay: %s\n", truce_strerror(rc));
		return CLI_EXIT_IO;
	}
	if (ctx.printed == 0)
		note_empty(o, &h);
	else if (export && !o->quiet)
		fprintf(stderr, "truce replay: exported %zu articles to %s\n", ctx.printed,
		        o->export_path);
	return ctx.corrupt ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}

/* --- options ------------------------------------------------------------ */

static void replay_usage(FILE *f)
{
	fprintf(f, "usage: truce replay (--data DIR | --connect QUERY_EP) [SELECTION] [MODE]\n\n"
	           "The audit tool: the stored articles in arrival order, exactly as received,\n"
	           "with the hash chain that makes tampering visible. --data opens the store\n"
	           "read-only (safe while truced runs, never blocks it); --connect reads it\n"
	           "through a running daemon's query socket.\n\n"
	           "Source:\n"
	           "  --data DIR          truced's data directory\n"
	           "  --connect EP        truced's query endpoint (e.g. tcp://127.0.0.1:7703)\n"
	           "  --timeout MS        query reply timeout with --connect (default 5000)\n\n"
	           "Selection (inclusive; an empty or out-of-range selection prints nothing\n"
	           "and exits 0):\n"
	           "  --from SEQ          first article seq (default 1)\n"
	           "  --to SEQ            last article seq (default: the last stored)\n"
	           "  --since TIME        received at or after TIME (RFC 3339, e.g.\n"
	           "                      2026-11-23T10:00:00Z, or a date)\n"
	           "  --until TIME        received at or before TIME\n\n"
	           "Printing (the default mode): one JSON object per article (seq, received,\n"
	           "received_us, collector_id, peer_key, content_key, prev_hash, hash, article),\n"
	           "or a table when stdout is a terminal.\n"
	           "  --claims            with the claims derived from each article\n"
	           "                      (JSON: a \"claims\" array)\n"
	           "  --events            with the events each article caused (\"events\")\n"
	           "  --format F          table | jsonl (default: table on a terminal)\n"
	           "  --json              the same as --format jsonl\n\n"
	           "Other modes:\n"
	           "  --verify            recompute the hash chain over the whole log: each\n"
	           "                      hash = SHA-256(prev_hash || record), each prev_hash the\n"
	           "                      hash before it, seqs contiguous from 1 and equal to\n"
	           "                      their keys, the chain head in meta = the last article.\n"
	           "                      Exit 0 with \"verified N articles, chain head HEX\", or\n"
	           "                      1 naming each broken link, the first one last\n"
	           "  --reparse           run the current extractor on each selected article and\n"
	           "                      compare with the stored claims, by (claimant, accused)\n"
	           "                      and then event_date, location, killed, wounded: a\n"
	           "                      summary of same / changed / new / gone claims; exit 1\n"
	           "                      when anything differs\n"
	           "  --rules DIR         with --reparse: rule files replacing the built-in ones\n"
	           "  --diff              with --reparse: print each difference, claim by claim\n"
	           "  --threads N         with --reparse: extraction threads (default: one per\n"
	           "                      core)\n"
	           "  --publish EP        send the selected articles, in order, to another\n"
	           "                      daemon's ingest endpoint as a collector would (the\n"
	           "                      stored Article bytes, unchanged); exit 0 when every\n"
	           "                      one was acked STORED or DUPLICATE\n"
	           "  --pace P            with --publish: original (the gaps between the\n"
	           "                      receipt times), max (as fast as the window allows,\n"
	           "                      the default) or a speed-up FACTOR of the original\n"
	           "                      (2 = twice as fast, 0.5 = half as fast)\n"
	           "  --window N          with --publish: most unacknowledged articles (256)\n"
	           "  --send-timeout MS   with --publish: first re-send timeout (2000)\n"
	           "  --deadline S        with --publish: give up on unacked articles S seconds\n"
	           "                      after the last was sent (default 300)\n"
	           "  --export FILE       write the selected articles in the corpus format of\n"
	           "                      ANNOTATION.md (id, url, source, published, title, body,\n"
	           "                      content_type) plus seq, received, received_us and\n"
	           "                      collector_id; `truce collect --jsonl FILE` reads it\n"
	           "  --quarantine        print the rejected messages (reason, bytes in base64)\n"
	           "                      instead; --from/--to select; --data only\n\n"
	           "CURVE (for --connect and --publish, when truced is not on "
	           "loopback/ipc):\n" CLI_KEY_USAGE "\n"
	           "  -q, --quiet         no notes and no progress bar on stderr\n"
	           "  -h, --help          this text\n\n"
	           "A progress bar appears on stderr for long runs when stderr is a terminal.\n"
	           "Exit codes: 0 success, 1 a check failed (broken chain, reparse differences,\n"
	           "undecodable records, unacked articles), 2 bad command line, 3 cannot open\n"
	           "the store, connect or write.\n");
}

static int parse_pace(const char *s, double *pace)
{
	if (strcmp(s, "max") == 0) {
		*pace = 0;
		return 0;
	}
	if (strcmp(s, "original") == 0) {
		*pace = 1;
		return 0;
	}
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !(v > 0) || v > 1e9)
		return -1;
	*pace = v;
	return 0;
}

static int set_mode(enum replay_mode *mode, enum replay_mode m)
{
	if (*mode != MODE_PRINT && *mode != m)
		return cli_usage_error("replay", "--verify, --reparse, --publish, --export and "
		                                 "--quarantine exclude each other");
	*mode = m;
	return 0;
}

/* Parses the command line into o and *mode; -1 after --help. */
static int parse_replay_args(int argc, char **argv, replay_opts *o, enum replay_mode *mode)
{
	static const struct option opts[] = {
	    {"data", required_argument, NULL, 'd'},
	    {"connect", required_argument, NULL, 'c'},
	    {"timeout", required_argument, NULL, 'T'},
	    {"from", required_argument, NULL, 'f'},
	    {"to", required_argument, NULL, 't'},
	    {"since", required_argument, NULL, 's'},
	    {"until", required_argument, NULL, 'u'},
	    {"claims", no_argument, NULL, 'C'},
	    {"events", no_argument, NULL, 'E'},
	    {"format", required_argument, NULL, 'F'},
	    {"json", no_argument, NULL, 'J'},
	    {"verify", no_argument, NULL, 'V'},
	    {"reparse", no_argument, NULL, 'R'},
	    {"rules", required_argument, NULL, 'r'},
	    {"diff", no_argument, NULL, 'D'},
	    {"threads", required_argument, NULL, 'j'},
	    {"publish", required_argument, NULL, 'P'},
	    {"pace", required_argument, NULL, 'p'},
	    {"window", required_argument, NULL, 'w'},
	    {"send-timeout", required_argument, NULL, 'S'},
	    {"deadline", required_argument, NULL, 'L'},
	    {"export", required_argument, NULL, 'X'},
	    {"quarantine", no_argument, NULL, 'Q'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    CLI_KEY_OPTIONS,
	    {NULL, 0, NULL, 0},
	};
	uint64_t v;
	int c, rc = 0;
	optind = 1;
	while (rc == 0 && (c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
		switch (c) {
		case 'd': o->data = optarg; break;
		case 'c': o->connect = optarg; break;
		case 'f':
		case 't':
			if (truce_parse_u64(optarg, &v) != 0)
				return cli_usage_error("replay", "--%s wants a sequence number",
				                       c == 'f' ? "from" : "to");
			*(c == 'f' ? &o->from : &o->to) = v;
			o->ranged = 1;
			break;
		case 's':
		case 'u': {
			int64_t us;
			if (truce_parse_rfc3339(optarg, &us) != 0)
				return cli_usage_error("replay",
				                       "--%s wants an RFC 3339 time, e.g. "
				                       "2026-11-23T10:00:00Z",
				                       c == 's' ? "since" : "until");
			if (c == 's')
				o->since_us = us, o->has_since = 1;
			else
				o->until_us = us, o->has_until = 1;
			o->ranged = 1;
			break;
		}
		case 'C': o->claims = 1; break;
		case 'E': o->events = 1; break;
		case 'F':
			if (strcmp(optarg, "table") == 0)
				o->format = REPLAY_TABLE;
			else if (strcmp(optarg, "jsonl") == 0 || strcmp(optarg, "json") == 0)
				o->format = REPLAY_JSONL;
			else
				return cli_usage_error("replay", "--format table|jsonl");
			break;
		case 'J': o->format = REPLAY_JSONL; break;
		case 'V': rc = set_mode(mode, MODE_VERIFY); break;
		case 'R': rc = set_mode(mode, MODE_REPARSE); break;
		case 'r': o->rules_dir = optarg; break;
		case 'D': o->diff = 1; break;
		case 'j':
			if (truce_parse_u64(optarg, &v) != 0 || v == 0 || v > 64)
				return cli_usage_error("replay", "--threads wants 1..64");
			o->threads = (int)v;
			break;
		case 'P':
			o->publish = optarg;
			rc = set_mode(mode, MODE_PUBLISH);
			break;
		case 'p':
			if (parse_pace(optarg, &o->pace) != 0)
				return cli_usage_error("replay",
				                       "--pace original|max|FACTOR (> 0)");
			break;
		case 'w':
		case 'T':
		case 'S':
		case 'L':
			if (truce_parse_u64(optarg, &v) != 0 || v == 0 || v > 1000000000)
				return cli_usage_error("replay", "bad number '%s'", optarg);
			if (c == 'w')
				o->window = (size_t)v;
			else if (c == 'T')
				o->timeout_ms = (int)v;
			else if (c == 'S')
				o->send_timeout_ms = (int64_t)v;
			else
				o->deadline_ms = (int64_t)v * 1000;
			break;
		case 'X':
			o->export_path = optarg;
			rc = set_mode(mode, MODE_EXPORT);
			break;
		case 'Q': rc = set_mode(mode, MODE_QUARANTINE); break;
		case 'q': o->quiet = 1; break;
		case 'h': replay_usage(stdout); return -1;
		default:
			if (cli_key_args_take(&o->keys, c, optarg))
				break;
			return cli_usage_error("replay", "unknown option");
		}
	}
	if (rc != 0)
		return rc;
	if (optind < argc)
		return cli_usage_error("replay", "unexpected argument '%s'", argv[optind]);
	if ((o->data == NULL) == (o->connect == NULL))
		return cli_usage_error("replay", "give one of --data DIR or --connect QUERY_EP");
	if (*mode == MODE_VERIFY && o->ranged)
		return cli_usage_error("replay", "--verify checks the whole log; no "
		                                 "--from/--to/--since/--until");
	if (*mode == MODE_QUARANTINE && o->connect != NULL)
		return cli_usage_error("replay", "--quarantine needs --data");
	if (*mode == MODE_QUARANTINE && (o->has_since || o->has_until))
		return cli_usage_error("replay", "--quarantine selects by --from/--to only");
	if ((o->rules_dir != NULL || o->diff || o->threads) && *mode != MODE_REPARSE)
		return cli_usage_error("replay", "--rules, --diff and --threads go with --reparse");
	if (o->threads == 0) {
		long cores = sysconf(_SC_NPROCESSORS_ONLN);
		o->threads = cores > 0 ? (int)(cores < 64 ? cores : 64) : 1;
	}
	if ((o->claims || o->events) && *mode != MODE_PRINT)
		return cli_usage_error("replay", "--claims and --events go with printing");
	if (!o->has_since)
		o->since_us = INT64_MIN;
	if (!o->has_until)
		o->until_us = INT64_MAX;
	if (o->format == REPLAY_AUTO)
		o->format = isatty(STDOUT_FILENO) ? REPLAY_TABLE : REPLAY_JSONL;
	o->progress = !o->quiet && isatty(STDERR_FILENO);
	return 0;
}

uint64_t replay_range_total(const replay_opts *o, const truce_source_head *h)
{
	uint64_t from = o->from > 0 ? o->from : 1;
	uint64_t to = o->to < h->last_seq ? o->to : h->last_seq;
	return from <= to ? to - from + 1 : 0;
}

truce_article_range replay_range(const replay_opts *o)
{
	truce_article_range r = {.from = o->from,
	                         .to = o->to,
	                         .use_time = o->has_since || o->has_until,
	                         .since_us = o->since_us,
	                         .until_us = o->until_us};
	return r;
}

static void print_note(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "truce replay: %s\n", msg);
}

int cmd_replay(int argc, char **argv)
{
	replay_opts o = {.timeout_ms = 5000,
	                 .from = 1,
	                 .to = TRUCE_SEQ_MAX,
	                 .pace = 0,
	                 .window = 256,
	                 .send_timeout_ms = 2000,
	                 .deadline_ms = 300000};
	enum replay_mode mode = MODE_PRINT;
	int rc = parse_replay_args(argc, argv, &o, &mode);
	if (rc != 0)
		return rc < 0 ? CLI_EXIT_OK : rc;
	truce_client_keys keys;
	rc = cli_key_args_load("replay", &o.keys, &keys);
	if (rc != 0)
		return rc;
	o.ckeys = &keys;
	truce_source *src;
	char err[512] = "";
	truce_source_opts so = {.data = o.data,
	                        .connect = o.connect,
	                        .keys = &keys,
	                        .timeout_ms = o.timeout_ms,
	                        .note = print_note};
	rc = truce_source_open(&so, &src, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "truce replay: %s\n", err[0] ? err : truce_strerror(rc));
		truce_client_keys_clear(&keys);
		return CLI_EXIT_IO;
	}
	switch (mode) {
	case MODE_QUARANTINE: rc = run_quarantine(&o, src); break;
	case MODE_VERIFY: rc = replay_verify(&o, src); break;
	case MODE_REPARSE: rc = replay_reparse(&o, src); break;
	case MODE_PUBLISH: rc = replay_publish(&o, src); break;
	case MODE_EXPORT: rc = run_print(&o, src, 1); break;
	default: rc = run_print(&o, src, 0); break;
	}
	truce_source_close(src);
	truce_client_keys_clear(&keys);
	return rc;
}
