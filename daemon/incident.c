/*
 * incident.c - groups claims from many outlets into incidents.
 *
 * A new claim is compared with the incidents of its conflict indexed on days
 * near its date (incident_index: conflict + day -> ids), and with the
 * incidents that already hold claims of the same article: one article
 * nearly always reports one incident, even when its sentences give the
 * claims different days (a date read from a background sentence, "since
 * the November 26 clashes"), so those join within a month. A candidate fits
 * when it shares a party with the claim (or already holds a claim of the same
 * article); among those, the score prefers the same claimant/accused pair,
 * the same article, an agreeing place and the nearest date. Places only
 * weigh, never exclude: outlets name different villages of one clash.
 * Ties go to the oldest incident, so assignment is deterministic.
 *
 * The incident keeps every source's figures and the low/high range across
 * sources (one outlet says 14 wounded, another 8: 8-14).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "truce/date.h"
#include "incident.h"

#define WINDOW_DATED 2     /* days either side of a claim's event date */
#define WINDOW_UNDATED 3   /* when only the publication or receipt day is known */
#define WINDOW_ARTICLE 31  /* days apart that claims of one article may be */
#define MAX_CANDIDATES 256 /* bounded work per claim */
#define MAX_ARTICLE_CLAIMS 64

/* The day a claim is about, and how sure we are of it. */
static long claim_day(const Truce__V1__Claim *c, int64_t now, int *window)
{
	long day;
	*window = WINDOW_DATED;
	if (c->event_date != NULL && truce_date_day(c->event_date, &day) == 0)
		return day;
	*window = WINDOW_UNDATED;
	if (c->published != NULL && truce_date_day(c->published, &day) == 0)
		return day;
	return (long)(now / 1000000 / 86400);
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

/* Adds s to a protobuf-c repeated string field unless present; 1 if added. */
static int add_str(char ***v, size_t *n, const char *s)
{
	if (s == NULL || s[0] == '\0' || has_str(*v, *n, s))
		return 0;
	char **nv = realloc(*v, (*n + 1) * sizeof(**v));
	char *dup = strdup(s);
	if (nv == NULL || dup == NULL) {
		free(dup);
		if (nv != NULL)
			*v = nv;
		return TRUCE_ENOMEM;
	}
	nv[(*n)++] = dup;
	*v = nv;
	return 1;
}

static int add_u64(uint64_t **v, size_t *n, uint64_t x, int unique)
{
	if (unique && has_u64(*v, *n, x))
		return 0;
	uint64_t *nv = realloc(*v, (*n + 1) * sizeof(**v));
	if (nv == NULL)
		return TRUCE_ENOMEM;
	nv[(*n)++] = x;
	*v = nv;
	return 1;
}

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

static Truce__V1__Incident *incident_load(truce_txn *t, uint64_t id)
{
	truce_bytes v;
	if (truce_txn_get(t, TRUCE_DB_INCIDENTS, id, &v) != 0)
		return NULL;
	return truce__v1__incident__unpack(NULL, v.len, v.data);
}

/* Higher is better; NO_FIT means the incident cannot take the claim. A
 * fitting incident may score below zero (a far date, another village): it
 * still beats opening a new incident. */
#define NO_FIT INT_MIN

static int fit_score(const Truce__V1__Incident *inc, const Truce__V1__Claim *c, long day)
{
	int same_article = has_u64(inc->article_seqs, inc->n_article_seqs, c->article_seq);
	int has_claimant = has_str(inc->parties, inc->n_parties, c->claimant);
	int has_accused = c->accused != NULL && has_str(inc->parties, inc->n_parties, c->accused);
	if (!same_article && !has_claimant && !has_accused)
		return NO_FIT;
	long first, last, dist = 0;
	if (truce_date_day(inc->date_first, &first) == 0 &&
	    truce_date_day(inc->date_last, &last) == 0)
		dist = day < first ? first - day : day > last ? day - last : 0;
	/* Index candidates are within a few days by construction; this bounds
	 * the candidates that come from the claim's own article. */
	if (dist > WINDOW_ARTICLE)
		return NO_FIT;
	int score =
	    8 * same_article + 4 * (has_claimant && has_accused) + 2 * has_accused + has_claimant;
	if (c->location != NULL && inc->n_places > 0)
		score += has_str(inc->places, inc->n_places, c->location) ? 2 : -1;
	return score - (int)dist;
}

/* Adds the incidents of the claims stored just before c from the same
 * article: claims get consecutive ids, article by article. */
static int article_candidates(truce_txn *t, const Truce__V1__Claim *c, candidates *cs)
{
	for (uint64_t id = c->id - 1, k = 0; id > 0 && k < MAX_ARTICLE_CLAIMS; id--, k++) {
		truce_bytes v;
		int rc = truce_txn_get(t, TRUCE_DB_CLAIMS, id, &v);
		if (rc == TRUCE_ENOTFOUND)
			break;
		if (rc != 0)
			return rc;
		Truce__V1__Claim *o = truce__v1__claim__unpack(NULL, v.len, v.data);
		if (o == NULL)
			return TRUCE_ECORRUPT;
		int same = o->article_seq == c->article_seq;
		if (same && o->has_incident_id && strcmp(claim_conflict(o), claim_conflict(c)) == 0)
			collect_id(cs, o->incident_id);
		truce__v1__claim__free_unpacked(o, NULL);
		if (!same)
			break;
	}
	return 0;
}

static int find_incident(truce_txn *t, const Truce__V1__Claim *c, long day, int window,
                         Truce__V1__Incident **out)
{
	char from[11], to[11];
	truce_date_format(day - window, from);
	truce_date_format(day + window, to);
	candidates cs = {.n = 0};
	int rc = truce_txn_incident_index_scan(t, claim_conflict(c), from, to, collect_id, &cs);
	if (rc == 0)
		rc = article_candidates(t, c, &cs);
	if (rc != 0)
		return rc;
	Truce__V1__Incident *best = NULL;
	int best_score = NO_FIT;
	for (size_t i = 0; i < cs.n; i++) {
		Truce__V1__Incident *inc = incident_load(t, cs.ids[i]);
		if (inc == NULL) {
			if (best != NULL)
				truce__v1__incident__free_unpacked(best, NULL);
			return TRUCE_ECORRUPT;
		}
		int s = fit_score(inc, c, day);
		if (s != NO_FIT &&
		    (s > best_score || (s == best_score && best != NULL && inc->id < best->id))) {
			if (best != NULL)
				truce__v1__incident__free_unpacked(best, NULL);
			best = inc;
			best_score = s;
		} else {
			truce__v1__incident__free_unpacked(inc, NULL);
		}
	}
	*out = best;
	return 0;
}

static void ranges_update(Truce__V1__Incident *inc)
{
	inc->has_killed_low = inc->has_killed_high = 0;
	inc->has_wounded_low = inc->has_wounded_high = 0;
	for (size_t i = 0; i < inc->n_figures; i++) {
		const Truce__V1__SourceFigure *f = inc->figures[i];
		if (f->has_killed) {
			if (!inc->has_killed_low || f->killed < inc->killed_low)
				inc->killed_low = f->killed;
			if (!inc->has_killed_high || f->killed > inc->killed_high)
				inc->killed_high = f->killed;
			inc->has_killed_low = inc->has_killed_high = 1;
		}
		if (f->has_wounded) {
			if (!inc->has_wounded_low || f->wounded < inc->wounded_low)
				inc->wounded_low = f->wounded;
			if (!inc->has_wounded_high || f->wounded > inc->wounded_high)
				inc->wounded_high = f->wounded;
			inc->has_wounded_low = inc->has_wounded_high = 1;
		}
	}
}

/* The name under which an incident lists the claim's outlet. An article
 * without a source is still a report of its own, so it counts as one source
 * ("article 7"), never merged with other unattributed articles. */
static const char *source_label(const Truce__V1__Claim *c, char *buf, size_t len)
{
	if (c->source != NULL && c->source[0] != '\0')
		return c->source;
	snprintf(buf, len, "article %llu", (unsigned long long)c->article_seq);
	return buf;
}

static int add_figure(Truce__V1__Incident *inc, const Truce__V1__Claim *c)
{
	char label[40];
	if (!c->has_killed && !c->has_wounded)
		return 0;
	Truce__V1__SourceFigure *f = malloc(sizeof(*f));
	Truce__V1__SourceFigure **nv = realloc(inc->figures, (inc->n_figures + 1) * sizeof(*nv));
	if (f == NULL || nv == NULL) {
		free(f);
		if (nv != NULL)
			inc->figures = nv;
		return TRUCE_ENOMEM;
	}
	inc->figures = nv;
	truce__v1__source_figure__init(f);
	f->source = strdup(source_label(c, label, sizeof(label)));
	f->claimant = strdup(c->claimant != NULL ? c->claimant : "");
	f->has_article_seq = f->has_claim_id = 1;
	f->article_seq = c->article_seq;
	f->claim_id = c->id;
	f->has_killed = c->has_killed;
	f->killed = c->killed;
	f->has_wounded = c->has_wounded;
	f->wounded = c->wounded;
	inc->figures[inc->n_figures++] = f;
	if (f->source == NULL || f->claimant == NULL)
		return TRUCE_ENOMEM;
	ranges_update(inc);
	return 1;
}

static int set_date(char **field, const char *day)
{
	char *d = strdup(day);
	if (d == NULL)
		return TRUCE_ENOMEM;
	free(*field);
	*field = d;
	return 0;
}

static int same_str(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* The incident's record of the claim's (claimant, accused) pair, or NULL. */
static Truce__V1__ClaimPair *pair_find(const Truce__V1__Incident *inc, const Truce__V1__Claim *c)
{
	for (size_t i = 0; i < inc->n_pairs; i++)
		if (same_str(inc->pairs[i]->claimant, c->claimant) &&
		    same_str(inc->pairs[i]->accused, c->accused))
			return inc->pairs[i];
	return NULL;
}

/* Records the claim's pair with its article unless the pair is known; 1 if
 * added. Kept on the incident so that telling a corroboration needs no
 * read of the incident's other claims. */
static int pair_add(Truce__V1__Incident *inc, const Truce__V1__Claim *c)
{
	if (pair_find(inc, c) != NULL)
		return 0;
	Truce__V1__ClaimPair **nv = realloc(inc->pairs, (inc->n_pairs + 1) * sizeof(*nv));
	if (nv == NULL)
		return TRUCE_ENOMEM;
	inc->pairs = nv;
	Truce__V1__ClaimPair *p = malloc(sizeof(*p));
	if (p == NULL)
		return TRUCE_ENOMEM;
	truce__v1__claim_pair__init(p);
	p->claimant = strdup(c->claimant);
	p->accused = c->accused != NULL ? strdup(c->accused) : NULL;
	p->has_article_seq = 1;
	p->article_seq = c->article_seq;
	inc->pairs[inc->n_pairs++] = p;
	if (p->claimant == NULL || (c->accused != NULL && p->accused == NULL))
		return TRUCE_ENOMEM;
	return 1;
}

/* Adds the claim to the incident; *changed tells whether an incident.update
 * is due (new source, place or figures). */
static int incident_add_claim(Truce__V1__Incident *inc, const Truce__V1__Claim *c, long day,
                              int *changed)
{
	char d[11], label[40];
	truce_date_format(day, d);
	int r[6];
	r[0] = add_u64(&inc->claim_ids, &inc->n_claim_ids, c->id, 0);
	r[1] = add_str(&inc->sources, &inc->n_sources, source_label(c, label, sizeof(label)));
	r[2] = add_u64(&inc->article_seqs, &inc->n_article_seqs, c->article_seq, 1);
	r[3] = add_str(&inc->places, &inc->n_places, c->location);
	r[4] = add_str(&inc->parties, &inc->n_parties, c->claimant);
	r[5] = add_str(&inc->parties, &inc->n_parties, c->accused);
	for (int i = 0; i < 6; i++)
		if (r[i] < 0)
			return r[i];
	int pair = pair_add(inc, c);
	if (pair < 0)
		return pair;
	int fig = add_figure(inc, c);
	if (fig < 0)
		return fig;
	long first, last;
	int rc = 0;
	if (inc->date_first == NULL || truce_date_day(inc->date_first, &first) != 0 || day < first)
		rc = set_date(&inc->date_first, d);
	if (rc == 0 &&
	    (inc->date_last == NULL || truce_date_day(inc->date_last, &last) != 0 || day > last))
		rc = set_date(&inc->date_last, d);
	*changed = r[1] > 0 || r[3] > 0 || fig > 0;
	return rc;
}

static int incident_new(Truce__V1__Incident **out, uint64_t id, const Truce__V1__Claim *c, long day,
                        int64_t now)
{
	Truce__V1__Incident *inc = calloc(1, sizeof(*inc));
	if (inc == NULL)
		return TRUCE_ENOMEM;
	truce__v1__incident__init(inc);
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

/* The same pair already reported to this incident by another article? */
static int is_corroboration(const Truce__V1__Incident *inc, const Truce__V1__Claim *c)
{
	const Truce__V1__ClaimPair *p = pair_find(inc, c);
	return p != NULL && p->article_seq != c->article_seq;
}

static int put_packed(truce_txn *t, enum truce_db db, uint64_t id, const ProtobufCMessage *m,
                      int append)
{
	uint8_t *buf;
	size_t len;
	int rc = truce_wire_pack(m, &buf, &len);
	if (rc != 0)
		return rc;
	rc = append ? truce_txn_append(t, db, id, buf, len) : truce_txn_put(t, db, id, buf, len);
	free(buf);
	return rc;
}

/* An event about claim c (and incident inc, for incident.* events). Its
 * topic is the type's name, the conflict and, for claims, the accused:
 * "claim.new.karabakh.AZE", "incident.update.karabakh". */
static int emit(truced_event_fn fn, void *ctx, Truce__V1__EventType type, Truce__V1__Claim *c,
                Truce__V1__Incident *inc)
{
	char topic[160];
	const char *name = truce_event_type_name(type), *conflict = claim_conflict(c);
	if (inc != NULL)
		snprintf(topic, sizeof(topic), "%s.%s", name, conflict);
	else
		snprintf(topic, sizeof(topic), "%s.%s.%s", name, conflict,
		         c->accused != NULL ? c->accused : "none");
	Truce__V1__Event ev = TRUCE__V1__EVENT__INIT;
	ev.has_type = ev.has_article_seq = 1;
	ev.type = type;
	ev.topic = topic;
	ev.claim = c;
	ev.incident = inc;
	ev.article_seq = c->article_seq;
	return fn(ctx, &ev);
}

static int emit_events(Truce__V1__Claim *c, Truce__V1__Incident *inc, int is_new, int changed,
                       truced_event_fn fn, void *ctx)
{
	int rc = 0;
	if (is_new)
		rc = emit(fn, ctx, TRUCE__V1__EVENT_TYPE__EVENT_INCIDENT_NEW, c, inc);
	int corroborated = !is_new && is_corroboration(inc, c);
	if (rc == 0)
		rc = emit(fn, ctx,
		          corroborated ? TRUCE__V1__EVENT_TYPE__EVENT_CLAIM_CORROBORATED
		                       : TRUCE__V1__EVENT_TYPE__EVENT_CLAIM_NEW,
		          c, NULL);
	if (rc == 0 && !is_new && changed)
		rc = emit(fn, ctx, TRUCE__V1__EVENT_TYPE__EVENT_INCIDENT_UPDATE, c, inc);
	return rc;
}

int truced_incident_assign(truce_txn *t, Truce__V1__Claim *c, int64_t now, truced_event_fn fn,
                           void *ctx)
{
	int window;
	long day = claim_day(c, now, &window);
	Truce__V1__Incident *inc = NULL;
	int rc = find_incident(t, c, day, window, &inc);
	int is_new = rc == 0 && inc == NULL;
	if (is_new) {
		uint64_t last;
		rc = truce_txn_last(t, TRUCE_DB_INCIDENTS, &last);
		if (rc == 0)
			rc = incident_new(&inc, last + 1, c, day, now);
	}
	int changed = 0;
	if (rc == 0)
		rc = incident_add_claim(inc, c, day, &changed);
	if (rc == 0) {
		char d[11];
		truce_date_format(day, d);
		inc->has_updated_us = 1;
		inc->updated_us = now;
		c->has_incident_id = 1;
		c->incident_id = inc->id;
		rc = put_packed(t, TRUCE_DB_CLAIMS, c->id, &c->base, 1);
		if (rc == 0)
			rc = put_packed(t, TRUCE_DB_INCIDENTS, inc->id, &inc->base, is_new);
		if (rc == 0) /* a day already indexed for the incident is not an error */
			rc = truce_txn_incident_index_add(t, inc->conflict, d, inc->id);
	}
	if (rc == 0)
		rc = emit_events(c, inc, is_new, changed, fn, ctx);
	if (inc != NULL)
		truce__v1__incident__free_unpacked(inc, NULL);
	return rc;
}
