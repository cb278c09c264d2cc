/*
 * incident.c - groups claims from many outlets into incidents.
 *
 * Matching (find_incident, fit_score): a new claim is compared with the
 * incidents of its conflict indexed on days near its date (incident_index:
 * conflict + day -> ids), and with the incidents that already hold claims of
 * the same article: one article nearly always reports one incident, even
 * when its sentences give the claims different days (a date read from a
 * background sentence, "since the November 26 clashes"), so those join
 * within a month. A candidate fits when it shares a party with the claim (or
 * already holds a claim of the same article); among those, the score
 * prefers the same claimant/accused pair, the same article, an agreeing
 * place and the nearest date. Places only weigh, never exclude: outlets name
 * different villages of one clash. Ties go to the oldest incident, so
 * assignment is deterministic. Matching sees a candidate through
 * truced_candidate: its summary and the two facts that need a lookup.
 *
 * A claim without an event date is about a day its article does not give:
 * on or before its publication day, or failing that before its receipt.
 * It joins an incident near that day (a wider window) and takes the
 * incident's days: it never widens them, nor indexes the incident on a day
 * it only guessed. A claim dated by its receipt alone also looks at the
 * incidents most recently reported (the newest ones, RECENT_INCIDENTS at
 * most, updated within WINDOW_UNDATED days of its receipt): outlets report
 * a clash in a burst, so the incident of its conflict that the last reports
 * went to is the one it most likely tells of; among equal scores the most
 * recently updated wins, then the newest.
 *
 * Keeping the books (incident_new, incident_add_claim): the claim goes into
 * the incident's member lists and its aggregate is updated in place
 * (core/incidents.c), so a claim costs the same whatever the incident's
 * size. The incident keeps every source's figures (read back with the whole
 * incident) and the low/high range across sources (one outlet says 14
 * wounded, another 8: 8-14).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "truce/date.h"
#include "truce/records.h"
#include "incident.h"

#define WINDOW_DATED 2      /* days either side of a claim's event date */
#define WINDOW_UNDATED 3    /* when only the publication or receipt day is known */
#define WINDOW_ARTICLE 31   /* days apart that claims of one article may be */
#define MAX_CANDIDATES 256  /* bounded work per claim */
#define RECENT_INCIDENTS 64 /* newest incidents a claim dated by receipt sees */
#define US_PER_DAY (86400LL * 1000000)

/* How a claim's day was found, surest first. */
enum claim_dating { DATED_EVENT, DATED_PUBLISHED, DATED_RECEIPT };

/* Days either side of the claim's day that an incident may be. */
static int claim_window(enum claim_dating how)
{
	return how == DATED_EVENT ? WINDOW_DATED : WINDOW_UNDATED;
}

/* The day a claim is about, and how it was found. */
static long claim_day(const Truce__V1__Claim *c, int64_t now, enum claim_dating *how)
{
	long day;
	*how = DATED_EVENT;
	if (c->event_date != NULL && truce_date_day(c->event_date, &day) == 0)
		return day;
	*how = DATED_PUBLISHED;
	if (c->published != NULL && truce_date_day(c->published, &day) == 0)
		return day;
	*how = DATED_RECEIPT;
	return (long)(now / US_PER_DAY);
}

static const char *claim_conflict(const Truce__V1__Claim *c)
{
	return c->conflict != NULL && c->conflict[0] != '\0' ? c->conflict : "unknown";
}

static int has_str(char **v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(v[i], s) == 0)
			return 1;
	return 0;
}

static int has_u64(const uint64_t *v, size_t n, uint64_t x)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == x)
			return 1;
	return 0;
}

/* --- the transaction's decoded summaries ------------------------------------ */

/* Past this many entries the cache starts afresh, at the start of an
 * assignment (never while one holds entries): an assignment adds at most
 * MAX_CANDIDATES + 1, so the table stays under three quarters full. */
#define CACHE_REFILL (TRUCED_INCIDENT_CACHE / 2)

void truced_incident_cache_clear(truced_incident_cache *cache)
{
	for (size_t i = 0; cache->n > 0 && i < TRUCED_INCIDENT_CACHE; i++)
		if (cache->ids[i] != 0) {
			truce__v1__incident_summary__free_unpacked(cache->sums[i], NULL);
			cache->ids[i] = 0;
			cache->sums[i] = NULL;
			cache->n--;
		}
}

/* The slot of id: where it is, or the free slot where it would go. */
static size_t cache_slot(const truced_incident_cache *cache, uint64_t id)
{
	size_t i = (size_t)(id * 0x9e3779b97f4a7c15ull >> 32) & (TRUCED_INCIDENT_CACHE - 1);
	while (cache->ids[i] != 0 && cache->ids[i] != id)
		i = (i + 1) & (TRUCED_INCIDENT_CACHE - 1);
	return i;
}

static void cache_put(truced_incident_cache *cache, Truce__V1__IncidentSummary *sum)
{
	size_t i = cache_slot(cache, sum->id);
	cache->ids[i] = sum->id;
	cache->sums[i] = sum;
	cache->n++;
}

/* The summary of incident id, decoded once a transaction; owned by the
 * cache. */
static int cache_get(truce_txn *t, truced_incident_cache *cache, uint64_t id,
                     Truce__V1__IncidentSummary **out)
{
	size_t i = cache_slot(cache, id);
	if (cache->ids[i] == id) {
		*out = cache->sums[i];
		return 0;
	}
	Truce__V1__IncidentSummary *sum;
	int rc = truce_txn_incident_summary(t, id, &sum);
	if (rc != 0)
		return rc;
	if (sum->id != id) { /* a record under another id's key */
		truce__v1__incident_summary__free_unpacked(sum, NULL);
		return TRUCE_ECORRUPT;
	}
	cache_put(cache, sum);
	*out = sum;
	return 0;
}

/* --- matching ------------------------------------------------------------- */

typedef struct candidates {
	uint64_t ids[MAX_CANDIDATES];
	size_t n;
} candidates;

static int collect_id(void *ctx, uint64_t id)
{
	candidates *cs = ctx;
	if (!has_u64(cs->ids, cs->n, id) && cs->n < MAX_CANDIDATES)
		cs->ids[cs->n++] = id;
	return 0;
}

/* What matching knows of the claim: its day, how that was found, and the
 * receipt time. */
typedef struct truced_probe {
	const Truce__V1__Claim *c;
	long day;
	enum claim_dating how;
	int64_t now;
} truced_probe;

/* The newest incidents, for a claim dated by its receipt alone. */
static int collect_recent(truce_txn *t, candidates *cs)
{
	uint64_t last;
	int rc = truce_txn_last(t, TRUCE_DB_INCIDENTS, &last);
	for (uint64_t id = last; rc == 0 && id > 0 && last - id < RECENT_INCIDENTS; id--)
		collect_id(cs, id);
	return rc;
}

/* Days between the claim and the incident: its date window, or for a claim
 * dated by receipt the time since the incident was last reported, if that
 * is nearer and within WINDOW_UNDATED. */
static long days_apart(const Truce__V1__IncidentSummary *inc, const truced_probe *p)
{
	long first, last, dist = LONG_MAX;
	if (truce_date_day(inc->date_first, &first) == 0 &&
	    truce_date_day(inc->date_last, &last) == 0)
		dist = p->day < first ? first - p->day : p->day > last ? p->day - last : 0;
	if (p->how == DATED_RECEIPT && inc->has_updated_us) {
		long since =
		    inc->updated_us >= p->now ? 0 : (long)((p->now - inc->updated_us) / US_PER_DAY);
		if (since <= WINDOW_UNDATED && since < dist)
			dist = since;
	}
	return dist;
}

/* What matching knows of a candidate incident. */
typedef struct truced_candidate {
	const Truce__V1__IncidentSummary *sum;
	int same_article; /* it holds a claim of the claim's article */
	int has_place;    /* the claim's location is among its places */
} truced_candidate;

/* Higher is better; NO_FIT means the incident cannot take the claim. A
 * fitting incident may score below zero (a far date, another village): it
 * still beats opening a new incident. */
#define NO_FIT INT_MIN

static int fit_score(const truced_candidate *cand, const truced_probe *p)
{
	const Truce__V1__IncidentSummary *inc = cand->sum;
	const Truce__V1__Claim *c = p->c;
	int same_article = cand->same_article;
	int has_claimant = has_str(inc->parties, inc->n_parties, c->claimant);
	int has_accused = c->accused != NULL && has_str(inc->parties, inc->n_parties, c->accused);
	if (!same_article && !has_claimant && !has_accused)
		return NO_FIT;
	long dist = days_apart(inc, p);
	/* Index candidates are within the window by construction; this bounds
	 * the recent ones and those of the claim's own article. */
	if (dist > (same_article ? WINDOW_ARTICLE : claim_window(p->how)))
		return NO_FIT;
	int score =
	    8 * same_article + 4 * (has_claimant && has_accused) + 2 * has_accused + has_claimant;
	if (c->location != NULL && inc->place_count > 0)
		score += cand->has_place ? 2 : -1;
	return score - (int)dist;
}

/* The candidate's facts that need a lookup, then its score. */
static int candidate_score(truce_txn *t, const truced_article_incidents *art,
                           const Truce__V1__IncidentSummary *sum, const truced_probe *p, int *score)
{
	const Truce__V1__Claim *c = p->c;
	truced_candidate cand = {.sum = sum, .same_article = has_u64(art->ids, art->n, sum->id)};
	if (c->location != NULL && sum->place_count > 0) {
		int rc = truce_txn_incident_set_has(t, sum->id, TRUCE_ISET_PLACE, c->location);
		if (rc < 0)
			return rc;
		cand.has_place = rc;
	}
	*score = fit_score(&cand, p);
	return 0;
}

/* Whether inc, scoring s, beats the best so far: the higher score; on a
 * tie the oldest incident, or for a claim dated by receipt the one most
 * recently reported (then the newest: claims committed together share one
 * time). */
static int better(const truced_probe *p, const Truce__V1__IncidentSummary *inc, int s,
                  const Truce__V1__IncidentSummary *best, int best_score)
{
	if (s != best_score || best == NULL)
		return s > best_score;
	if (p->how != DATED_RECEIPT)
		return inc->id < best->id;
	if (inc->updated_us != best->updated_us)
		return inc->updated_us > best->updated_us;
	return inc->id > best->id;
}

static int find_incident(truce_txn *t, truced_incident_cache *cache,
                         const truced_article_incidents *art, const truced_probe *p,
                         Truce__V1__IncidentSummary **out)
{
	const Truce__V1__Claim *c = p->c;
	int window = claim_window(p->how);
	char from[11], to[11];
	truce_date_format(p->day - window, from);
	truce_date_format(p->day + window, to);
	candidates cs = {.n = 0};
	int rc = truce_txn_incident_index_scan(t, claim_conflict(c), from, to, collect_id, &cs);
	for (size_t i = 0; rc == 0 && i < art->n; i++)
		collect_id(&cs, art->ids[i]);
	if (rc == 0 && p->how == DATED_RECEIPT)
		rc = collect_recent(t, &cs);
	Truce__V1__IncidentSummary *best = NULL;
	int best_score = NO_FIT;
	for (size_t i = 0; rc == 0 && i < cs.n; i++) {
		Truce__V1__IncidentSummary *inc;
		rc = cache_get(t, cache, cs.ids[i], &inc);
		if (rc == TRUCE_ENOTFOUND)
			rc = TRUCE_ECORRUPT; /* indexed or joined, yet gone */
		if (rc != 0)
			break;
		int s = NO_FIT;
		/* The article's other claims may be of another conflict. */
		if (inc->conflict != NULL && strcmp(inc->conflict, claim_conflict(c)) == 0)
			rc = candidate_score(t, art, inc, p, &s);
		if (rc == 0 && s != NO_FIT && better(p, inc, s, best, best_score)) {
			best = inc;
			best_score = s;
		}
	}
	if (rc != 0)
		return rc;
	*out = best;
	return 0;
}

/* --- keeping the books ------------------------------------------------------ */

/* Appends s to a protobuf-c repeated string field of an unpacked message. */
static int push_str(char ***v, size_t *n, const char *s)
{
	char **nv = realloc(*v, (*n + 1) * sizeof(**v));
	if (nv == NULL)
		return TRUCE_ENOMEM;
	*v = nv;
	char *dup = strdup(s);
	if (dup == NULL)
		return TRUCE_ENOMEM;
	nv[(*n)++] = dup;
	return 0;
}

static int add_party(Truce__V1__IncidentSummary *inc, const char *s)
{
	if (s == NULL || s[0] == '\0' || has_str(inc->parties, inc->n_parties, s))
		return 0;
	return push_str(&inc->parties, &inc->n_parties, s);
}

static void range_add(protobuf_c_boolean *has_lo, int32_t *lo, protobuf_c_boolean *has_hi,
                      int32_t *hi, int32_t v)
{
	if (!*has_lo || v < *lo)
		*lo = v;
	if (!*has_hi || v > *hi)
		*hi = v;
	*has_lo = *has_hi = 1;
}

/* The claim's figures widen the incident's ranges; 1 if it gave any. */
static int figures_add(Truce__V1__IncidentSummary *inc, const Truce__V1__Claim *c)
{
	if (c->has_killed)
		range_add(&inc->has_killed_low, &inc->killed_low, &inc->has_killed_high,
		          &inc->killed_high, c->killed);
	if (c->has_wounded)
		range_add(&inc->has_wounded_low, &inc->wounded_low, &inc->has_wounded_high,
		          &inc->wounded_high, c->wounded);
	return c->has_killed || c->has_wounded;
}

static int set_date(char **field, long day, int later)
{
	long have;
	if (*field != NULL && truce_date_day(*field, &have) == 0 &&
	    (later ? day <= have : day >= have))
		return 0;
	char d[11];
	truce_date_format(day, d);
	char *dup = strdup(d);
	if (dup == NULL)
		return TRUCE_ENOMEM;
	free(*field);
	*field = dup;
	return 0;
}

/* Adds a name to one of the incident's sets; new ones are counted, and the
 * first few listed in the summary. 1 if it was new. */
static int name_add(truce_txn *t, Truce__V1__IncidentSummary *inc, enum truce_incident_set set,
                    const char *name, uint64_t claim_id)
{
	int added = truce_txn_incident_set_add(t, inc->id, set, name, claim_id);
	if (added <= 0)
		return added;
	int rc = 0;
	if (set == TRUCE_ISET_SOURCE) {
		inc->has_source_count = 1;
		inc->source_count++;
		if (inc->n_sources < TRUCE_SUMMARY_SHOWN)
			rc = push_str(&inc->sources, &inc->n_sources, name);
	} else {
		inc->has_place_count = 1;
		inc->place_count++;
		if (inc->n_places < TRUCE_SUMMARY_SHOWN)
			rc = push_str(&inc->places, &inc->n_places, name);
	}
	return rc < 0 ? rc : 1;
}

/*
 * Adds the claim to the incident: its member lists and, in place, its
 * aggregate; with sets_day its day widens the incident's dates. *changed
 * tells whether an incident.update is due (a new source or place, or
 * figures); *corroborated whether another article reported the claim's pair
 * first.
 */
static int incident_add_claim(truce_txn *t, Truce__V1__IncidentSummary *inc,
                              const truced_article_incidents *art, const Truce__V1__Claim *c,
                              long day, int sets_day, int *changed, int *corroborated)
{
	char label[40];
	uint64_t first = 0;
	inc->has_claim_count = inc->has_article_count = 1;
	inc->claim_count++;
	if (!has_u64(art->ids, art->n, inc->id))
		inc->article_count++;
	int rc = truce_txn_incident_claim_add(t, inc->id, c->id);
	int src = rc == 0 ? name_add(t, inc, TRUCE_ISET_SOURCE,
	                             truce_claim_source_label(c, label, sizeof(label)), c->id)
	                  : rc;
	int place = 0;
	if (src >= 0 && c->location != NULL && c->location[0] != '\0')
		place = name_add(t, inc, TRUCE_ISET_PLACE, c->location, c->id);
	rc = src < 0 ? src : place < 0 ? place : 0;
	if (rc == 0)
		rc = add_party(inc, c->claimant);
	if (rc == 0)
		rc = add_party(inc, c->accused);
	int pair = rc == 0 ? truce_txn_incident_pair_add(t, inc->id, c, &first) : rc;
	if (pair < 0)
		return pair;
	int fig = figures_add(inc, c);
	rc = sets_day ? set_date(&inc->date_first, day, 0) : 0;
	if (rc == 0 && sets_day)
		rc = set_date(&inc->date_last, day, 1);
	*changed = src > 0 || place > 0 || fig;
	*corroborated = pair == 0 && first != c->article_seq;
	return rc;
}

static int incident_new(Truce__V1__IncidentSummary **out, uint64_t id, const Truce__V1__Claim *c,
                        long day, int64_t now)
{
	Truce__V1__IncidentSummary *inc = malloc(sizeof(*inc));
	if (inc == NULL)
		return TRUCE_ENOMEM;
	truce__v1__incident_summary__init(inc);
	char d[11], key[80];
	truce_date_format(day, d);
	snprintf(key, sizeof(key), "%s-%s", claim_conflict(c), d);
	inc->has_id = inc->has_created_us = 1;
	inc->id = id;
	inc->created_us = now;
	inc->conflict = strdup(claim_conflict(c));
	inc->key = strdup(key);
	*out = inc;
	return inc->conflict != NULL && inc->key != NULL ? 0 : TRUCE_ENOMEM;
}

/* --- events --------------------------------------------------------------- */

/* A message packed once, for a record and the events that carry it. */
typedef struct packed {
	uint8_t stack[1024];
	uint8_t *data;
	size_t len;
} packed;

static int pack_once(packed *p, const ProtobufCMessage *m)
{
	p->len = protobuf_c_message_get_packed_size(m);
	p->data = p->len <= sizeof(p->stack) ? p->stack : malloc(p->len);
	if (p->data == NULL)
		return TRUCE_ENOMEM;
	protobuf_c_message_pack(m, p->data);
	return 0;
}

static void packed_free(packed *p)
{
	if (p->data != p->stack)
		free(p->data);
	p->data = NULL;
}

/* An event about claim c (and the incident, for incident.* events). */
static int emit(truced_event_fn fn, void *ctx, Truce__V1__EventType type, const Truce__V1__Claim *c,
                const packed *claim, const packed *summary)
{
	char topic[160];
	truce_event_topic(type, c, topic, sizeof(topic));
	Truce__V1__EventWire ev = TRUCE__V1__EVENT_WIRE__INIT;
	ev.has_type = ev.has_claim = ev.has_article_seq = ev.has_claim_id = 1;
	ev.type = type;
	ev.topic = topic;
	ev.claim.data = claim->data;
	ev.claim.len = claim->len;
	ev.claim_id = c->id;
	ev.article_seq = c->article_seq;
	if (summary != NULL) {
		ev.has_summary = 1;
		ev.summary.data = summary->data;
		ev.summary.len = summary->len;
	}
	return fn(ctx, &ev);
}

static int emit_events(const Truce__V1__Claim *c, const packed *claim, const packed *summary,
                       int is_new, int changed, int corroborated, truced_event_fn fn, void *ctx)
{
	int rc = 0;
	if (is_new)
		rc = emit(fn, ctx, TRUCE__V1__EVENT_TYPE__EVENT_INCIDENT_NEW, c, claim, summary);
	if (rc == 0)
		rc = emit(fn, ctx,
		          !is_new && corroborated ? TRUCE__V1__EVENT_TYPE__EVENT_CLAIM_CORROBORATED
		                                  : TRUCE__V1__EVENT_TYPE__EVENT_CLAIM_NEW,
		          c, claim, NULL);
	if (rc == 0 && !is_new && changed)
		rc = emit(fn, ctx, TRUCE__V1__EVENT_TYPE__EVENT_INCIDENT_UPDATE, c, claim, summary);
	return rc;
}

/* Stores the claim and the incident (each packed once, the bytes kept for
 * the events) and, with sets_day, indexes the incident on the claim's day. */
static int store_claim(truce_txn *t, Truce__V1__Claim *c, Truce__V1__IncidentSummary *inc,
                       int is_new, long day, int sets_day, packed *claim, packed *summary)
{
	char d[11];
	c->has_incident_id = 1;
	c->incident_id = inc->id;
	int rc = pack_once(claim, &c->base);
	if (rc == 0)
		rc = truce_txn_append(t, TRUCE_DB_CLAIMS, c->id, claim->data, claim->len);
	if (rc == 0)
		rc = pack_once(summary, &inc->base);
	if (rc == 0)
		rc = truce_txn_incident_summary_put_packed(t, inc->id, summary->data, summary->len,
		                                           is_new);
	truce_date_format(day, d);
	if (rc == 0 && sets_day) /* a day already indexed is not an error */
		rc = truce_txn_incident_index_add(t, inc->conflict, d, inc->id);
	return rc;
}

int truced_incident_assign(truce_txn *t, truced_incident_cache *cache,
                           truced_article_incidents *art, Truce__V1__Claim *c, int64_t now,
                           truced_event_fn fn, void *ctx)
{
	if (cache->n >= CACHE_REFILL)
		truced_incident_cache_clear(cache);
	truced_probe p = {.c = c, .now = now};
	p.day = claim_day(c, now, &p.how);
	Truce__V1__IncidentSummary *inc = NULL;
	int rc = find_incident(t, cache, art, &p, &inc);
	int is_new = rc == 0 && inc == NULL;
	/* A claim without an event date takes the days of the incident it joins. */
	int sets_day = is_new || p.how == DATED_EVENT;
	long day = p.day;
	if (is_new) {
		uint64_t last;
		rc = truce_txn_last(t, TRUCE_DB_INCIDENTS, &last);
		if (rc == 0)
			rc = incident_new(&inc, last + 1, c, day, now);
		if (inc != NULL)
			cache_put(cache, inc); /* the cache owns it, made whole or not */
	}
	int changed = 0, corroborated = 0;
	if (rc == 0)
		rc = incident_add_claim(t, inc, art, c, day, sets_day, &changed, &corroborated);
	packed claim = {.data = NULL}, summary = {.data = NULL};
	if (rc == 0) {
		inc->has_updated_us = 1;
		inc->updated_us = now;
		rc = store_claim(t, c, inc, is_new, day, sets_day, &claim, &summary);
	}
	if (rc == 0)
		rc = emit_events(c, &claim, &summary, is_new, changed, corroborated, fn, ctx);
	if (rc == 0 && !has_u64(art->ids, art->n, inc->id) && art->n < TRUCED_ARTICLE_INCIDENTS)
		art->ids[art->n++] = inc->id;
	packed_free(&claim);
	packed_free(&summary);
	return rc;
}
