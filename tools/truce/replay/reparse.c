/*
 * replay/reparse.c - `truce replay --reparse`: runs the current extractor
 * (built-in rules, or --rules DIR) on each stored article and compares what
 * it finds with the claims stored for that article. This is how an analyst
 * checks a new rule set against everything already received before
 * deploying it.
 *
 * Claims are matched within an article by identity, (claimant, accused), in
 * order when an article holds several with the same identity; a matched
 * pair is "same" or "changed" by event_date, location, killed and wounded;
 * a stored claim without a match is "gone", a re-derived one "new". The
 * extractor is a pure function of article and rules (extract.h), so with
 * the rules the daemon used every claim comes out "same".
 *
 * On every core: the articles are read in batches (each article with copies
 * of its Article bytes and stored claims, since the source's pointers last
 * one callback). While --threads threads (default: one per core) extract a
 * batch, taking articles off a shared counter, this thread reads the next
 * one; then it compares and prints the extracted batch in order, so the
 * output is the same as on one thread.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "replay.h"
#include "truce/extract.h"
#include "truce/json.h"

#define MAX_VERSIONS 8
#define REPARSE_BATCH 512 /* articles extracted between two comparisons */

/* One article of a batch, owned: copies of what the source lent. */
typedef struct reparse_slot {
	uint64_t key;
	uint8_t *article; /* the Article bytes of its record; NULL: undecodable */
	size_t article_len;
	char *article_id;
	Truce__V1__Claim **stored; /* copies of its stored claims */
	size_t n_stored;
	truce_claims x; /* what the extractor finds now */
	int xrc;
} reparse_slot;

typedef struct reparse_ctx {
	const replay_opts *o;
	const truce_rules *rules;
	truce_source_cursor *claims;
	/* Two batches: one filling from the source, one extracting. */
	reparse_slot batch[2][REPARSE_BATCH];
	size_t n_batch[2];
	int filling;        /* the batch being read */
	int extracting;     /* the batch the workers have, -1 when none */
	atomic_size_t next; /* the next slot of it to extract */
	pthread_t tid[64];
	int started;
	int threads;
	replay_progress prog;
	uint64_t articles, stored, reparsed;
	uint64_t same, changed, added, gone;
	uint64_t failed; /* articles the extractor refused (kept: zero claims) */
	uint64_t undecodable;
	char *versions[MAX_VERSIONS]; /* extractor versions of the stored claims */
	size_t n_versions;
	int more_versions;
} reparse_ctx;

/* The fields a stored and a re-derived claim are compared on, as one
 * shape: NULL strings and TRUCE_NONE counts for "not stated". */
typedef struct claim_view {
	const char *claimant, *accused, *event_date, *location;
	int killed, wounded;
	const char *evidence;
	uint64_t id; /* stored only */
	const char *extractor;
} claim_view;

static const char *nz(const char *s)
{
	return s != NULL && s[0] != '\0' ? s : NULL;
}

static claim_view view_stored(const Truce__V1__Claim *c)
{
	claim_view v = {
	    .claimant = nz(c->claimant),
	    .accused = nz(c->accused),
	    .event_date = nz(c->event_date),
	    .location = nz(c->location),
	    .killed = c->has_killed ? (int)c->killed : TRUCE_NONE,
	    .wounded = c->has_wounded ? (int)c->wounded : TRUCE_NONE,
	    .evidence = c->evidence,
	    .id = c->id,
	    .extractor = c->extractor_version,
	};
	return v;
}

static claim_view view_extracted(const truce_claim *x)
{
	claim_view v = {
	    .claimant = nz(x->claimant),
	    .accused = nz(x->accused),
	    .event_date = nz(x->event_date),
	    .location = nz(x->location),
	    .killed = x->killed >= 0 ? x->killed : TRUCE_NONE,
	    .wounded = x->wounded >= 0 ? x->wounded : TRUCE_NONE,
	    .evidence = x->evidence,
	};
	return v;
}

static int str_eq(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static int same_identity(const claim_view *a, const claim_view *b)
{
	return str_eq(a->claimant, b->claimant) && str_eq(a->accused, b->accused);
}

enum { F_DATE = 1, F_LOCATION = 2, F_KILLED = 4, F_WOUNDED = 8 };

static unsigned field_diff(const claim_view *a, const claim_view *b)
{
	return (str_eq(a->event_date, b->event_date) ? 0 : F_DATE) |
	       (str_eq(a->location, b->location) ? 0 : F_LOCATION) |
	       (a->killed == b->killed ? 0 : F_KILLED) | (a->wounded == b->wounded ? 0 : F_WOUNDED);
}

/* --- the --diff output -------------------------------------------------- */

static json_t *jstr(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

static json_t *jcount(int n)
{
	return n >= 0 ? json_integer(n) : json_null();
}

static json_t *view_json(const claim_view *v)
{
	if (v == NULL)
		return json_null();
	json_t *o = json_object();
	if (v->id != 0)
		json_object_set_new(o, "id", json_integer((json_int_t)v->id));
	json_object_set_new(o, "event_date", jstr(v->event_date));
	json_object_set_new(o, "location", jstr(v->location));
	json_object_set_new(o, "killed", jcount(v->killed));
	json_object_set_new(o, "wounded", jcount(v->wounded));
	json_object_set_new(o, "evidence", jstr(v->evidence));
	if (v->extractor != NULL)
		json_object_set_new(o, "extractor", json_string(v->extractor));
	return o;
}

static void count_str(char *buf, size_t len, int n)
{
	if (n >= 0)
		snprintf(buf, len, "%d", n);
	else
		snprintf(buf, len, "-");
}

static void view_line(char *buf, size_t len, const claim_view *v)
{
	char k[16], w[16];
	count_str(k, sizeof(k), v->killed);
	count_str(w, sizeof(w), v->wounded);
	snprintf(buf, len, "%s | %s | killed %s | wounded %s",
	         v->event_date ? v->event_date : "date unknown",
	         v->location ? v->location : "place unknown", k, w);
}

static void print_change(const reparse_ctx *ctx, const reparse_slot *a, const char *change,
                         const claim_view *stored, const claim_view *now, unsigned fields)
{
	const claim_view *who = stored != NULL ? stored : now;
	const char *art_id = a->article_id;
	if (ctx->o->format == REPLAY_JSONL) {
		json_t *o = json_object();
		json_object_set_new(o, "article_seq", json_integer((json_int_t)a->key));
		json_object_set_new(o, "article_id", jstr(art_id));
		json_object_set_new(o, "change", json_string(change));
		json_object_set_new(o, "claimant", jstr(who->claimant));
		json_object_set_new(o, "accused", jstr(who->accused));
		json_t *f = json_array();
		static const char *const names[] = {"event_date", "location", "killed", "wounded"};
		for (unsigned i = 0; i < 4; i++)
			if (fields & (1u << i))
				json_array_append_new(f, json_string(names[i]));
		json_object_set_new(o, "fields", f);
		json_object_set_new(o, "stored", view_json(stored));
		json_object_set_new(o, "reparsed", view_json(now));
		char *s = json_dumps(o, JSON_COMPACT);
		if (s != NULL)
			puts(s);
		free(s);
		json_decref(o);
		return;
	}
	printf("#%-6llu %-20s %-7s %s -> %s", (unsigned long long)a->key, art_id ? art_id : "-",
	       change, who->claimant ? who->claimant : "?", who->accused ? who->accused : "none");
	if (fields != 0) {
		char x[16], y[16];
		const char *sep = ": ";
		if (fields & F_DATE) {
			printf("%sdate %s -> %s", sep,
			       stored->event_date ? stored->event_date : "none",
			       now->event_date ? now->event_date : "none");
			sep = ", ";
		}
		if (fields & F_LOCATION) {
			printf("%slocation %s -> %s", sep,
			       stored->location ? stored->location : "none",
			       now->location ? now->location : "none");
			sep = ", ";
		}
		if (fields & F_KILLED) {
			count_str(x, sizeof(x), stored->killed);
			count_str(y, sizeof(y), now->killed);
			printf("%skilled %s -> %s", sep, x, y);
			sep = ", ";
		}
		if (fields & F_WOUNDED) {
			count_str(x, sizeof(x), stored->wounded);
			count_str(y, sizeof(y), now->wounded);
			printf("%swounded %s -> %s", sep, x, y);
		}
	} else {
		char line[300];
		view_line(line, sizeof(line), who);
		printf(" | %s", line);
	}
	if (stored != NULL)
		printf(" (claim %llu)", (unsigned long long)stored->id);
	putchar('\n');
}

/* --- the comparison ----------------------------------------------------- */

static void note_version(reparse_ctx *ctx, const char *v)
{
	if (v == NULL)
		v = "unknown";
	for (size_t i = 0; i < ctx->n_versions; i++)
		if (strcmp(ctx->versions[i], v) == 0)
			return;
	if (ctx->n_versions == MAX_VERSIONS) {
		ctx->more_versions = 1;
		return;
	}
	char *d = strdup(v);
	if (d != NULL)
		ctx->versions[ctx->n_versions++] = d;
}

static int compare_article(reparse_ctx *ctx, const reparse_slot *a, Truce__V1__Claim **stored_v,
                           size_t n_stored, const truce_claims *x)
{
	char *matched = calloc(x->n + 1, 1);
	if (matched == NULL)
		return TRUCE_ENOMEM;
	for (size_t i = 0; i < n_stored; i++) {
		const Truce__V1__Claim *c = stored_v[i];
		claim_view s = view_stored(c);
		note_version(ctx, c->extractor_version);
		size_t j = 0;
		claim_view now;
		for (; j < x->n; j++) {
			if (matched[j])
				continue;
			now = view_extracted(&x->v[j]);
			if (same_identity(&s, &now))
				break;
		}
		if (j == x->n) {
			ctx->gone++;
			if (ctx->o->diff)
				print_change(ctx, a, "gone", &s, NULL, 0);
			continue;
		}
		matched[j] = 1;
		unsigned f = field_diff(&s, &now);
		if (f == 0) {
			ctx->same++;
		} else {
			ctx->changed++;
			if (ctx->o->diff)
				print_change(ctx, a, "changed", &s, &now, f);
		}
	}
	for (size_t j = 0; j < x->n; j++) {
		if (matched[j])
			continue;
		claim_view now = view_extracted(&x->v[j]);
		ctx->added++;
		if (ctx->o->diff)
			print_change(ctx, a, "new", NULL, &now, 0);
	}
	free(matched);
	return 0;
}

/* --- the batches ----------------------------------------------------------- */

static void slot_free(reparse_slot *sl)
{
	free(sl->article);
	free(sl->article_id);
	for (size_t i = 0; i < sl->n_stored; i++)
		truce__v1__claim__free_unpacked(sl->stored[i], NULL);
	free(sl->stored);
	truce_claims_free(&sl->x);
	memset(sl, 0, sizeof(*sl));
}

/* A copy of a stored claim that outlives the source's chunk. */
static Truce__V1__Claim *claim_copy(const Truce__V1__Claim *c)
{
	uint8_t *buf;
	size_t len;
	if (truce_wire_pack(&c->base, &buf, &len) != 0)
		return NULL;
	Truce__V1__Claim *d = truce__v1__claim__unpack(NULL, len, buf);
	free(buf);
	return d;
}

/* Fills sl from the source's article and the claims stored for it. */
static int slot_fill(reparse_slot *sl, const truce_source_article *a, void **stored, size_t n)
{
	sl->key = a->key;
	const uint8_t *art;
	size_t len;
	if (a->sa != NULL && a->rec != NULL && a->rec->article != NULL &&
	    replay_article_bytes(a->sa->record.data, a->sa->record.len, &art, &len) == 0) {
		sl->article = malloc(len > 0 ? len : 1);
		if (sl->article == NULL)
			return TRUCE_ENOMEM;
		memcpy(sl->article, art, len);
		sl->article_len = len;
		if (a->rec->article->id != NULL &&
		    (sl->article_id = strdup(a->rec->article->id)) == NULL)
			return TRUCE_ENOMEM;
	}
	sl->stored = calloc(n > 0 ? n : 1, sizeof(*sl->stored));
	if (sl->stored == NULL)
		return TRUCE_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if ((sl->stored[i] = claim_copy(stored[i])) == NULL)
			return TRUCE_ENOMEM;
		sl->n_stored++;
	}
	return 0;
}

/* Extracts one article as the daemon's parse stage would have. */
static void slot_extract(const truce_rules *rules, reparse_slot *sl)
{
	Truce__V1__Article *art = truce__v1__article__unpack(NULL, sl->article_len, sl->article);
	if (art == NULL) {
		sl->xrc = TRUCE_EPROTO;
		return;
	}
	/* The same mapping as truced's parse stage: what the daemon saw. */
	truce_article_in in;
	truce_article_in_from_wire(art, &in);
	sl->xrc = truce_extract_article(rules, &in, &sl->x);
	if (sl->xrc != 0) /* as in the daemon: the article stays, with no claims */
		truce_claims_free(&sl->x);
	truce__v1__article__free_unpacked(art, NULL);
}

static void *extract_worker(void *arg)
{
	reparse_ctx *ctx = arg;
	reparse_slot *b = ctx->batch[ctx->extracting];
	size_t n = ctx->n_batch[ctx->extracting];
	for (;;) {
		size_t i = atomic_fetch_add(&ctx->next, 1);
		if (i >= n)
			return NULL;
		if (b[i].article != NULL)
			slot_extract(ctx->rules, &b[i]);
	}
}

/* Hands the batch just read to ctx->threads workers. */
static void extract_start(reparse_ctx *ctx)
{
	ctx->extracting = ctx->filling;
	ctx->filling ^= 1;
	atomic_store(&ctx->next, 0);
	ctx->started = 0;
	for (int i = 0; i < ctx->threads && i < 64; i++) {
		if (pthread_create(&ctx->tid[ctx->started], NULL, extract_worker, ctx) != 0)
			break;
		ctx->started++;
	}
	if (ctx->started == 0)
		extract_worker(ctx); /* no thread to be had: do it here */
}

/* Waits for the workers, then compares and prints their batch in order. */
static int extract_finish(reparse_ctx *ctx)
{
	if (ctx->extracting < 0)
		return 0;
	for (int i = 0; i < ctx->started; i++)
		pthread_join(ctx->tid[i], NULL);
	int rc = 0;
	reparse_slot *b = ctx->batch[ctx->extracting];
	for (size_t i = 0; i < ctx->n_batch[ctx->extracting]; i++) {
		reparse_slot *sl = &b[i];
		ctx->articles++;
		ctx->stored += sl->n_stored;
		replay_progress_update(&ctx->prog, ctx->articles, NULL);
		if (sl->article == NULL) {
			fprintf(stderr,
			        "truce replay: article %llu does not decode; not reparsed\n",
			        (unsigned long long)sl->key);
			ctx->undecodable++;
		} else {
			ctx->failed += sl->xrc != 0;
			ctx->reparsed += sl->x.n;
			if (rc == 0)
				rc = compare_article(ctx, sl, sl->stored, sl->n_stored, &sl->x);
		}
		slot_free(sl);
	}
	ctx->n_batch[ctx->extracting] = 0;
	ctx->extracting = -1;
	return rc;
}

/* A full batch (or the last): the one before is done first, then this one
 * goes to the workers while the next is read. */
static int flush_batch(reparse_ctx *ctx)
{
	int rc = extract_finish(ctx);
	if (ctx->n_batch[ctx->filling] > 0)
		extract_start(ctx);
	return rc;
}

static int reparse_article(void *vctx, const truce_source_article *a)
{
	reparse_ctx *ctx = vctx;
	void **stored;
	size_t n_stored;
	int rc = truce_source_cursor_take(ctx->claims, a->key, &stored, &n_stored);
	if (rc == 0)
		rc = slot_fill(&ctx->batch[ctx->filling][ctx->n_batch[ctx->filling]++], a, stored,
		               n_stored);
	if (rc == 0 && ctx->n_batch[ctx->filling] == REPARSE_BATCH)
		rc = flush_batch(ctx);
	return rc;
}

static void print_summary(const reparse_ctx *ctx, const char *version)
{
	if (ctx->o->format == REPLAY_JSONL) {
		json_t *vs = json_array();
		for (size_t i = 0; i < ctx->n_versions; i++)
			json_array_append_new(vs, json_string(ctx->versions[i]));
		json_t *s = json_pack(
		    "{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:s}", "articles",
		    (json_int_t)ctx->articles, "stored", (json_int_t)ctx->stored, "reparsed",
		    (json_int_t)ctx->reparsed, "same", (json_int_t)ctx->same, "changed",
		    (json_int_t)ctx->changed, "new", (json_int_t)ctx->added, "gone",
		    (json_int_t)ctx->gone, "extract_failed", (json_int_t)ctx->failed,
		    "stored_extractors", vs, "extractor", version);
		json_t *o = json_pack("{s:o}", "summary", s);
		char *line = json_dumps(o, JSON_COMPACT);
		if (line != NULL)
			puts(line);
		free(line);
		json_decref(o);
		return;
	}
	printf("reparse: %llu articles; stored %llu claims (extractor ",
	       (unsigned long long)ctx->articles, (unsigned long long)ctx->stored);
	for (size_t i = 0; i < ctx->n_versions; i++)
		printf("%s%s", i > 0 ? ", " : "", ctx->versions[i]);
	if (ctx->n_versions == 0)
		printf("none");
	if (ctx->more_versions)
		printf(", ...");
	printf("), reparsed %llu (extractor %s): %llu same, %llu changed, %llu new, %llu gone",
	       (unsigned long long)ctx->reparsed, version, (unsigned long long)ctx->same,
	       (unsigned long long)ctx->changed, (unsigned long long)ctx->added,
	       (unsigned long long)ctx->gone);
	if (ctx->failed > 0)
		printf("; the extractor refused %llu articles", (unsigned long long)ctx->failed);
	putchar('\n');
}

/* Reads the selected articles batch by batch; the last batch too. */
static int reparse_all(reparse_ctx *ctx, truce_source *src)
{
	truce_source_head h;
	const replay_opts *o = ctx->o;
	int rc = truce_source_get_head(src, &h);
	if (rc == 0)
		rc = truce_source_cursor_new(src, TRUCE_DB_CLAIMS, o->from > 0 ? o->from : 1,
		                             h.last_claim, &ctx->claims);
	if (rc == 0) {
		replay_progress_start(&ctx->prog, o->progress, replay_range_total(o, &h));
		truce_article_range r = replay_range(o);
		rc = truce_source_articles(src, &r, reparse_article, ctx);
		if (rc == 0)
			rc = flush_batch(ctx); /* the last one to the workers */
		int frc = extract_finish(ctx);
		if (rc == 0)
			rc = frc;
		replay_progress_end(&ctx->prog);
	}
	for (int k = 0; k < 2; k++) /* an error left them */
		for (size_t i = 0; i < ctx->n_batch[k]; i++)
			slot_free(&ctx->batch[k][i]);
	truce_source_cursor_free(ctx->claims);
	return rc;
}

int replay_reparse(const replay_opts *o, truce_source *src)
{
	truce_rules *rules = NULL;
	char err[256] = "";
	int rc = o->rules_dir != NULL ? truce_rules_load_dir(o->rules_dir, &rules, err, sizeof(err))
	                              : truce_rules_load_default(&rules);
	if (rc != 0) {
		fprintf(stderr, "truce replay: cannot load rules%s%s: %s %s\n",
		        o->rules_dir ? " from " : "", o->rules_dir ? o->rules_dir : "",
		        truce_strerror(rc), err);
		return CLI_EXIT_IO;
	}
	reparse_ctx *ctx = calloc(1, sizeof(*ctx)); /* a batch of slots: not on the stack */
	if (ctx == NULL) {
		truce_rules_free(rules);
		return CLI_EXIT_IO;
	}
	ctx->o = o;
	ctx->rules = rules;
	ctx->threads = o->threads;
	ctx->extracting = -1;
	rc = reparse_all(ctx, src);
	int code;
	if (rc != 0) {
		fprintf(stderr, "truce replay: %s\n", truce_strerror(rc));
		code = CLI_EXIT_IO;
	} else {
		/* An empty selection prints nothing, as everywhere in replay. */
		if (ctx->articles == 0 && !o->quiet)
			fprintf(stderr, "truce replay: no stored article in the range\n");
		else if (ctx->articles > 0)
			print_summary(ctx, truce_rules_version(rules));
		code = ctx->changed + ctx->added + ctx->gone > 0 || ctx->undecodable > 0
		           ? CLI_EXIT_FAIL
		           : CLI_EXIT_OK;
	}
	for (size_t i = 0; i < ctx->n_versions; i++)
		free(ctx->versions[i]);
	free(ctx);
	truce_rules_free(rules);
	return code;
}
