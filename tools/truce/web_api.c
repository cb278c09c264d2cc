/*
 * web_api.c - the JSON API of `truce web`, read through truced's query
 * socket:
 *
 *   /api/incidents        newest first; conflict, party, from, to, limit, cursor
 *   /api/incidents/{id}   one incident with its claims (evidence included)
 *   /api/claims           oldest first; conflict, party, from, to, since,
 *                         limit, cursor
 *   /api/articles/{seq}   one stored article with its receipt record
 *   /api/stats            truced's stats and the event stream's
 *   /api/timeline         claims per conflict and day by accused party
 *
 * Pages are bounded twice: by limit (at most WEB_MAX_LIMIT records) and by
 * how many records one request may read to fill them (SCAN_BUDGET), so a
 * filter that matches nothing in a large store still answers quickly; the
 * reply then carries next_cursor, and the client asks on from there.
 *
 * The timeline is an aggregate kept here: counts per (conflict, day,
 * claimant, accused), brought up to date from the claims truced stored
 * after the last request. Claims never change once stored, so reading each
 * once is exact.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "truce/date.h"
#include "truce/json.h"
#include "web.h"

#define INCIDENT_WINDOW 200    /* incident ids per query, walking down */
#define CLAIM_CHUNK 1000       /* claims per query */
#define SCAN_BUDGET 20000      /* records one request may read to fill a page */
#define DETAIL_MAX_CLAIMS 2000 /* claims listed with one incident */
#define TIMELINE_CHUNKS 100    /* claim chunks one timeline request may read */

struct web_api {
	pthread_mutex_t mu;
	uint64_t scanned; /* claims ids 1..scanned are in counts */
	json_t *counts;   /* "conflict\x1fday\x1fclaimant\x1faccused" -> count */
};

int web_api_new(web_api **out)
{
	web_api *a = calloc(1, sizeof(*a));
	if (a == NULL)
		return TRUCE_ENOMEM;
	a->counts = json_object();
	if (a->counts == NULL) {
		free(a);
		return TRUCE_ENOMEM;
	}
	pthread_mutex_init(&a->mu, NULL);
	*out = a;
	return 0;
}

void web_api_free(web_api *a)
{
	if (a == NULL)
		return;
	json_decref(a->counts);
	pthread_mutex_destroy(&a->mu);
	free(a);
}

/* --- filters -------------------------------------------------------------- */

typedef struct filter {
	const char *conflict;
	const char *party;
	const char *from; /* YYYY-MM-DD, inclusive */
	const char *to;
	uint64_t limit;
} filter;

/* Reads the common filter arguments; 0 with a 400 queued when one is bad. */
static int read_filter(const web_request *r, filter *f)
{
	memset(f, 0, sizeof(*f));
	f->conflict = web_arg(r, "conflict");
	f->party = web_arg(r, "party");
	f->limit = WEB_DEFAULT_LIMIT;
	if (web_arg_date(r, "from", &f->from) < 0 || web_arg_date(r, "to", &f->to) < 0)
		return 0;
	const char *lim = web_arg(r, "limit");
	if (lim != NULL &&
	    (truce_parse_u64(lim, &f->limit) != 0 || f->limit == 0 || f->limit > WEB_MAX_LIMIT)) {
		web_reply_error(r, MHD_HTTP_BAD_REQUEST, "limit wants a number from 1 to %d",
		                WEB_MAX_LIMIT);
		return 0;
	}
	return 1;
}

static int same(const char *want, const char *have)
{
	return want == NULL || (have != NULL && strcmp(want, have) == 0);
}

static int claim_matches(const filter *f, const Truce__V1__Claim *c)
{
	if (!same(f->conflict, c->conflict))
		return 0;
	if (f->party != NULL && !same(f->party, c->claimant) && !same(f->party, c->accused))
		return 0;
	if (f->from != NULL && (c->event_date == NULL || strcmp(c->event_date, f->from) < 0))
		return 0;
	return f->to == NULL || (c->event_date != NULL && strcmp(c->event_date, f->to) <= 0);
}

static int incident_matches(const filter *f, const Truce__V1__Incident *inc)
{
	if (!same(f->conflict, inc->conflict))
		return 0;
	if (f->party != NULL) {
		size_t i = 0;
		while (i < inc->n_parties && strcmp(inc->parties[i], f->party) != 0)
			i++;
		if (i == inc->n_parties)
			return 0;
	}
	/* Its days [date_first, date_last] meet [from, to]. */
	if (f->from != NULL && (inc->date_last == NULL || strcmp(inc->date_last, f->from) < 0))
		return 0;
	return f->to == NULL || (inc->date_first != NULL && strcmp(inc->date_first, f->to) <= 0);
}

/* --- queries ---------------------------------------------------------------- */

static int query_range(web_qpool *qp, Truce__V1__QueryRequest__Kind kind, uint64_t from,
                       uint64_t to, uint64_t limit, Truce__V1__QueryReply **out)
{
	Truce__V1__QueryRequest rq = TRUCE__V1__QUERY_REQUEST__INIT;
	rq.has_kind = rq.has_from_seq = rq.has_to_seq = rq.has_limit = 1;
	rq.kind = kind;
	rq.from_seq = from;
	rq.to_seq = to;
	rq.limit = limit;
	return web_query(qp, &rq, out);
}

static int query_stats(web_qpool *qp, Truce__V1__QueryReply **out)
{
	Truce__V1__QueryRequest rq = TRUCE__V1__QUERY_REQUEST__INIT;
	rq.has_kind = 1;
	rq.kind = TRUCE__V1__QUERY_REQUEST__KIND__STATS;
	return web_query(qp, &rq, out);
}

/* Queues the error reply of a failed query and frees the reply; 1 when the
 * query went well (the reply is the caller's). */
static int query_ok(const web_request *r, int rc, Truce__V1__QueryReply *reply)
{
	if (rc == 0 && reply->ok)
		return 1;
	web_reply_query_error(r, rc, rc == 0 ? reply : NULL);
	if (rc == 0)
		truce__v1__query_reply__free_unpacked(reply, NULL);
	return 0;
}

/* A path's last part as an id: 1 set, 0 with a 400 queued. */
static int path_id(const web_request *r, const char *part, const char *what, uint64_t *id)
{
	if (truce_parse_u64(part, id) == 0)
		return 1;
	web_reply_error(r, MHD_HTTP_BAD_REQUEST, "%s wants a number, not '%s'", what, part);
	return 0;
}

/* --- JSON ------------------------------------------------------------------- */

static json_t *incident_json(const Truce__V1__Incident *inc)
{
	json_t *o = truce_json_incident(inc);
	json_t *pairs = json_array();
	for (size_t i = 0; i < inc->n_pairs; i++) {
		const Truce__V1__ClaimPair *p = inc->pairs[i];
		json_array_append_new(pairs, json_pack("{s:s?, s:s?, s:I}", "claimant", p->claimant,
		                                       "accused", p->accused, "article_seq",
		                                       (json_int_t)p->article_seq));
	}
	json_object_set_new(o, "pairs", pairs);
	char when[40];
	truce_rfc3339(inc->created_us, when, sizeof(when));
	json_object_set_new(o, "created", json_string(when));
	truce_rfc3339(inc->updated_us, when, sizeof(when));
	json_object_set_new(o, "updated", json_string(when));
	return o;
}

static json_t *cursor_json(uint64_t next)
{
	return next != 0 ? json_integer((json_int_t)next) : json_null();
}

/* --- /api/incidents ----------------------------------------------------------- */

typedef struct incident_page {
	const filter *f;
	json_t *items;
	uint64_t next; /* the id to go on from, 0 at the end */
} incident_page;

/* Takes the window's incidents newest first; 1 when the page is full. */
static int take_incidents(incident_page *pg, Truce__V1__Incident **v, size_t n)
{
	for (size_t k = n; k-- > 0;) {
		if (!incident_matches(pg->f, v[k]))
			continue;
		json_array_append_new(pg->items, incident_json(v[k]));
		if (json_array_size(pg->items) == pg->f->limit) {
			pg->next = v[k]->id > 1 ? v[k]->id - 1 : 0;
			return 1;
		}
	}
	return 0;
}

/* The incidents of ids lo..hi, in as many chunks as truced sends them,
 * offered newest first. 1 when the page filled, <0 a failed query. */
static int incident_window(const web_request *r, incident_page *pg, uint64_t lo, uint64_t hi)
{
	Truce__V1__QueryReply *parts[INCIDENT_WINDOW];
	size_t n_parts = 0;
	int rc = 0;
	for (uint64_t from = lo; rc == 0 && from <= hi && n_parts < INCIDENT_WINDOW;) {
		Truce__V1__QueryReply *rep;
		rc = query_range(r->qp, TRUCE__V1__QUERY_REQUEST__KIND__INCIDENTS, from, hi,
		                 INCIDENT_WINDOW, &rep);
		if (!query_ok(r, rc, rep))
			return -1;
		parts[n_parts++] = rep;
		if (!rep->more || rep->n_incidents == 0)
			break;
		from = rep->incidents[rep->n_incidents - 1]->id + 1;
	}
	int full = 0;
	for (size_t i = n_parts; i-- > 0 && !full;)
		full = take_incidents(pg, parts[i]->incidents, parts[i]->n_incidents);
	for (size_t i = 0; i < n_parts; i++)
		truce__v1__query_reply__free_unpacked(parts[i], NULL);
	return full;
}

static enum MHD_Result list_incidents(const web_request *r)
{
	static const char *const known[] = {"conflict", "party",  "from", "to",
	                                    "limit",    "cursor", NULL};
	filter f;
	uint64_t hi = 0;
	if (!web_args_known(r, known) || !read_filter(r, &f))
		return MHD_YES;
	int has_cursor = web_arg_u64(r, "cursor", TRUCE_SEQ_MAX - 1, &hi);
	if (has_cursor < 0)
		return MHD_YES;
	if (has_cursor == 0) {
		/* Incident ids run from 1 without a gap: the count is the last. */
		Truce__V1__QueryReply *st;
		int rc = query_stats(r->qp, &st);
		if (!query_ok(r, rc, st))
			return MHD_YES;
		hi = st->stats != NULL ? st->stats->incidents : 0;
		truce__v1__query_reply__free_unpacked(st, NULL);
	}
	incident_page pg = {.f = &f, .items = json_array()};
	uint64_t scanned = 0;
	while (hi >= 1 && scanned < SCAN_BUDGET) {
		uint64_t lo = hi > INCIDENT_WINDOW ? hi - INCIDENT_WINDOW + 1 : 1;
		int full = incident_window(r, &pg, lo, hi);
		if (full < 0) {
			json_decref(pg.items);
			return MHD_YES;
		}
		scanned += hi - lo + 1;
		hi = lo - 1;
		if (full)
			break;
		pg.next = hi;
	}
	return web_reply_json(r, MHD_HTTP_OK,
	                      json_pack("{s:o, s:o, s:I}", "incidents", pg.items, "next_cursor",
	                                cursor_json(pg.next), "limit", (json_int_t)f.limit));
}

/* --- /api/incidents/{id} -------------------------------------------------------- */

/* Appends the claims of ids (sorted as the incident lists them: ascending)
 * to out, a run of consecutive ids per query. */
static int incident_claims(const web_request *r, const Truce__V1__Incident *inc, json_t *out)
{
	size_t n = inc->n_claim_ids;
	if (n > DETAIL_MAX_CLAIMS)
		n = DETAIL_MAX_CLAIMS;
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && inc->claim_ids[j] == inc->claim_ids[j - 1] + 1)
			j++;
		Truce__V1__QueryReply *rep;
		int rc = query_range(r->qp, TRUCE__V1__QUERY_REQUEST__KIND__CLAIMS,
		                     inc->claim_ids[i], inc->claim_ids[j - 1], j - i, &rep);
		if (!query_ok(r, rc, rep))
			return -1;
		for (size_t k = 0; k < rep->n_claims; k++)
			json_array_append_new(out, truce_json_claim(rep->claims[k]));
		uint64_t got = rep->n_claims;
		truce__v1__query_reply__free_unpacked(rep, NULL);
		/* A chunk cut short (a huge claim) goes on from where it ended. */
		i += got > 0 ? got : j - i;
	}
	return 0;
}

static enum MHD_Result one_incident(const web_request *r, const char *part)
{
	static const char *const known[] = {NULL};
	uint64_t id;
	if (!web_args_known(r, known) || !path_id(r, part, "an incident id", &id))
		return MHD_YES;
	Truce__V1__QueryReply *rep;
	int rc = query_range(r->qp, TRUCE__V1__QUERY_REQUEST__KIND__INCIDENTS, id, id, 1, &rep);
	if (!query_ok(r, rc, rep))
		return MHD_YES;
	if (rep->n_incidents == 0 || id == 0) {
		truce__v1__query_reply__free_unpacked(rep, NULL);
		return web_reply_error(r, MHD_HTTP_NOT_FOUND, "no incident %llu",
		                       (unsigned long long)id);
	}
	const Truce__V1__Incident *inc = rep->incidents[0];
	json_t *claims = json_array();
	if (incident_claims(r, inc, claims) != 0) {
		json_decref(claims);
		truce__v1__query_reply__free_unpacked(rep, NULL);
		return MHD_YES;
	}
	json_t *body = json_pack("{s:o, s:o, s:b}", "incident", incident_json(inc), "claims",
	                         claims, "claims_truncated", inc->n_claim_ids > DETAIL_MAX_CLAIMS);
	truce__v1__query_reply__free_unpacked(rep, NULL);
	return web_reply_json(r, MHD_HTTP_OK, body);
}

/* --- /api/claims ------------------------------------------------------------------ */

static enum MHD_Result list_claims(const web_request *r)
{
	static const char *const known[] = {"conflict", "party", "from",   "to",
	                                    "since",    "limit", "cursor", NULL};
	filter f;
	uint64_t since = 0, start = 1;
	if (!web_args_known(r, known) || !read_filter(r, &f))
		return MHD_YES;
	int has_since = web_arg_u64(r, "since", TRUCE_SEQ_MAX - 1, &since);
	int has_cursor = web_arg_u64(r, "cursor", TRUCE_SEQ_MAX - 1, &start);
	if (has_since < 0 || has_cursor < 0)
		return MHD_YES;
	if (!has_cursor)
		start = since + 1;
	json_t *items = json_array();
	uint64_t scanned = 0, next = 0, last_seen = start > 0 ? start - 1 : 0;
	for (;;) {
		Truce__V1__QueryReply *rep;
		int rc = query_range(r->qp, TRUCE__V1__QUERY_REQUEST__KIND__CLAIMS, start,
		                     TRUCE_SEQ_MAX, CLAIM_CHUNK, &rep);
		if (!query_ok(r, rc, rep)) {
			json_decref(items);
			return MHD_YES;
		}
		size_t k = 0;
		for (; k < rep->n_claims && json_array_size(items) < f.limit; k++) {
			const Truce__V1__Claim *c = rep->claims[k];
			last_seen = c->id;
			if (claim_matches(&f, c))
				json_array_append_new(items, truce_json_claim(c));
		}
		scanned += k;
		int more = rep->more || k < rep->n_claims;
		truce__v1__query_reply__free_unpacked(rep, NULL);
		start = last_seen + 1;
		if (!more)
			break;
		if (json_array_size(items) == f.limit || scanned >= SCAN_BUDGET) {
			next = start;
			break;
		}
	}
	return web_reply_json(r, MHD_HTTP_OK,
	                      json_pack("{s:o, s:o, s:I, s:I}", "claims", items, "next_cursor",
	                                cursor_json(next), "last_id", (json_int_t)last_seen,
	                                "limit", (json_int_t)f.limit));
}

/* --- /api/articles/{seq} ------------------------------------------------------------ */

static enum MHD_Result one_article(const web_request *r, const char *part)
{
	static const char *const known[] = {NULL};
	uint64_t seq;
	if (!web_args_known(r, known) || !path_id(r, part, "an article seq", &seq))
		return MHD_YES;
	Truce__V1__QueryReply *rep = NULL;
	int rc = seq > 0 ? query_range(r->qp, TRUCE__V1__QUERY_REQUEST__KIND__ARTICLES, seq, seq, 1,
	                               &rep)
	                 : 0;
	if (seq > 0 && !query_ok(r, rc, rep))
		return MHD_YES;
	Truce__V1__ArticleRecord *rec = NULL;
	if (rep != NULL && rep->n_articles > 0 && rep->articles[0]->has_record)
		rec = truce__v1__article_record__unpack(NULL, rep->articles[0]->record.len,
		                                        rep->articles[0]->record.data);
	enum MHD_Result ret;
	if (rec == NULL)
		ret = rep != NULL && rep->n_articles > 0
		          ? web_reply_error(r, MHD_HTTP_BAD_GATEWAY, "article %llu does not decode",
		                            (unsigned long long)seq)
		          : web_reply_error(r, MHD_HTTP_NOT_FOUND, "no article %llu",
		                            (unsigned long long)seq);
	else
		ret = web_reply_json(r, MHD_HTTP_OK,
		                     truce_json_stored_article(rep->articles[0], rec));
	if (rec != NULL)
		truce__v1__article_record__free_unpacked(rec, NULL);
	if (rep != NULL)
		truce__v1__query_reply__free_unpacked(rep, NULL);
	return ret;
}

/* --- /api/stats ------------------------------------------------------------------------ */

static enum MHD_Result stats(const web_request *r)
{
	static const char *const known[] = {NULL};
	if (!web_args_known(r, known))
		return MHD_YES;
	Truce__V1__QueryReply *rep;
	int rc = query_stats(r->qp, &rep);
	if (!query_ok(r, rc, rep))
		return MHD_YES;
	json_t *o = rep->stats != NULL ? truce_json_stats(rep->stats) : json_object();
	truce__v1__query_reply__free_unpacked(rep, NULL);
	uint64_t clients, buffered, last;
	web_hub_counts(r->hub, &clients, &buffered, &last);
	json_object_set_new(o, "web",
	                    json_pack("{s:I, s:I, s:I}", "sse_clients", (json_int_t)clients,
	                              "events_buffered", (json_int_t)buffered,
	                              "last_event_seq_seen", (json_int_t)last));
	return web_reply_json(r, MHD_HTTP_OK, o);
}

/* --- /api/timeline ------------------------------------------------------------------------ */

#define SEP "\x1f" /* between the parts of a count's key: in no name */

static void count_claim(web_api *a, const Truce__V1__Claim *c)
{
	const char *day = c->event_date != NULL ? c->event_date : c->published;
	if (day == NULL)
		return; /* no day to put it on */
	char key[512];
	snprintf(key, sizeof(key), "%s" SEP "%s" SEP "%s" SEP "%s",
	         c->conflict != NULL ? c->conflict : "none", day,
	         c->claimant != NULL ? c->claimant : "none",
	         c->accused != NULL ? c->accused : "none");
	json_t *v = json_object_get(a->counts, key);
	json_object_set_new(a->counts, key, json_integer(v ? json_integer_value(v) + 1 : 1));
}

/* Reads the claims stored since the last call; 1 when all were read,
 * 0 when the budget ended first, <0 with an error queued. */
static int timeline_update(web_api *a, const web_request *r)
{
	for (int chunk = 0; chunk < TIMELINE_CHUNKS; chunk++) {
		Truce__V1__QueryReply *rep;
		int rc = query_range(r->qp, TRUCE__V1__QUERY_REQUEST__KIND__CLAIMS, a->scanned + 1,
		                     TRUCE_SEQ_MAX, CLAIM_CHUNK, &rep);
		if (!query_ok(r, rc, rep))
			return -1;
		for (size_t k = 0; k < rep->n_claims; k++) {
			if (rep->claims[k]->id != a->scanned + 1)
				break; /* in order, once each */
			count_claim(a, rep->claims[k]);
			a->scanned++;
		}
		int more = rep->more && rep->n_claims > 0;
		truce__v1__query_reply__free_unpacked(rep, NULL);
		if (!more)
			return 1;
	}
	return 0;
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* {name: value, ...} as [{key_name: name, ...value}] in name order. */
static json_t *sorted_entries(json_t *obj, const char *key_name, const char *val_name)
{
	size_t n = json_object_size(obj), i = 0;
	const char **keys = calloc(n ? n : 1, sizeof(*keys));
	json_t *arr = json_array();
	if (keys == NULL)
		return arr;
	const char *k;
	json_t *v;
	json_object_foreach(obj, k, v)
	{
		keys[i++] = k;
	}
	qsort(keys, n, sizeof(*keys), cmp_str);
	for (i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:s, s:O}", key_name, keys[i], val_name,
		                                     json_object_get(obj, keys[i])));
	free(keys);
	return arr;
}

/* conflict -> day -> accused -> count, for the counts the filter takes. */
static json_t *timeline_tree(web_api *a, const filter *f, json_t *parties)
{
	json_t *tree = json_object();
	const char *key;
	json_t *v;
	json_object_foreach(a->counts, key, v)
	{
		char buf[512], *part[4], *save = NULL;
		snprintf(buf, sizeof(buf), "%s", key);
		part[0] = strtok_r(buf, SEP, &save);
		for (int i = 1; i < 4; i++)
			part[i] = part[i - 1] ? strtok_r(NULL, SEP, &save) : NULL;
		if (part[3] == NULL)
			continue;
		json_object_set_new(parties, part[2], json_true());
		json_object_set_new(parties, part[3], json_true());
		Truce__V1__Claim c = TRUCE__V1__CLAIM__INIT;
		c.conflict = part[0];
		c.event_date = part[1];
		c.claimant = part[2];
		c.accused = part[3];
		if (!claim_matches(f, &c))
			continue;
		json_t *days = json_object_get(tree, part[0]);
		if (days == NULL)
			json_object_set_new(tree, part[0], days = json_object());
		json_t *acc = json_object_get(days, part[1]);
		if (acc == NULL)
			json_object_set_new(days, part[1], acc = json_object());
		json_t *old = json_object_get(acc, part[3]);
		json_object_set_new(
		    acc, part[3],
		    json_integer((old ? json_integer_value(old) : 0) + json_integer_value(v)));
	}
	return tree;
}

static enum MHD_Result timeline(const web_request *r)
{
	static const char *const known[] = {"conflict", "party", "from", "to", NULL};
	filter f;
	web_api *a = r->api;
	if (!web_args_known(r, known) || !read_filter(r, &f))
		return MHD_YES;
	pthread_mutex_lock(&a->mu);
	int complete = timeline_update(a, r);
	if (complete < 0) {
		pthread_mutex_unlock(&a->mu);
		return MHD_YES;
	}
	json_t *parties = json_object();
	json_t *tree = timeline_tree(a, &f, parties);
	uint64_t scanned = a->scanned;
	pthread_mutex_unlock(&a->mu);
	json_t *conflicts = sorted_entries(tree, "conflict", "days");
	size_t i;
	json_t *c;
	json_array_foreach(conflicts, i, c)
	{
		json_t *days = sorted_entries(json_object_get(c, "days"), "date", "accused");
		json_object_set_new(c, "days", days);
	}
	json_t *plist = json_array();
	const char *k;
	json_t *v;
	json_object_foreach(parties, k, v)
	{
		if (strcmp(k, "none") != 0) /* "blames nobody" is no party */
			json_array_append_new(plist, json_string(k));
	}
	json_decref(parties);
	json_decref(tree);
	return web_reply_json(r, MHD_HTTP_OK,
	                      json_pack("{s:o, s:o, s:I, s:b}", "conflicts", conflicts, "parties",
	                                plist, "claims_counted", (json_int_t)scanned, "complete",
	                                complete));
}

/* --- routing ------------------------------------------------------------------------------- */

enum MHD_Result web_api_handle(const web_request *r)
{
	const char *p = r->path + 4; /* after "/api" */
	if (strcmp(p, "/incidents") == 0)
		return list_incidents(r);
	if (strncmp(p, "/incidents/", 11) == 0)
		return one_incident(r, p + 11);
	if (strcmp(p, "/claims") == 0)
		return list_claims(r);
	if (strncmp(p, "/articles/", 10) == 0)
		return one_article(r, p + 10);
	if (strcmp(p, "/stats") == 0)
		return stats(r);
	if (strcmp(p, "/timeline") == 0)
		return timeline(r);
	return web_reply_error(r, MHD_HTTP_NOT_FOUND, "no such endpoint: %s", r->path);
}
