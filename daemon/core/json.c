/*
 * json.c - JSON renderings of truce records (see truce/json.h).
 */
#include "truce/date.h"
#include "truce/json.h"
#include "truce/records.h"

static json_t *str_or_null(const char *s)
{
	return s != NULL && s[0] != '\0' ? json_string(s) : json_null();
}

static json_t *count_or_null(int n)
{
	return n >= 0 ? json_integer(n) : json_null();
}

json_t *truce_json_claims(const truce_claims *claims)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < claims->n; i++) {
		const truce_claim *c = &claims->v[i];
		json_t *o = json_object();
		json_object_set_new(o, "claimant", json_string(c->claimant));
		json_object_set_new(o, "accused", str_or_null(c->accused));
		json_object_set_new(o, "event_date", str_or_null(c->event_date));
		json_object_set_new(o, "location", str_or_null(c->location));
		json_object_set_new(o, "killed", count_or_null(c->killed));
		json_object_set_new(o, "wounded", count_or_null(c->wounded));
		json_object_set_new(o, "incident", json_null());
		json_object_set_new(o, "conflict", str_or_null(c->conflict));
		json_object_set_new(o, "evidence", str_or_null(c->evidence));
		json_object_set_new(o, "evidence_start",
		                    json_integer((json_int_t)c->evidence_start));
		json_object_set_new(o, "evidence_end", json_integer((json_int_t)c->evidence_end));
		json_object_set_new(o, "confidence", json_real(c->confidence));
		json_array_append_new(arr, o);
	}
	return arr;
}

static json_t *opt_int(protobuf_c_boolean has, int32_t v)
{
	return has ? json_integer(v) : json_null();
}

json_t *truce_json_claim(const Truce__V1__Claim *c)
{
	return json_pack(
	    "{s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:I, "
	    "s:I, s:o, s:o}",
	    "id", (json_int_t)c->id, "article_seq", (json_int_t)c->article_seq, "article_id",
	    str_or_null(c->article_id), "source", str_or_null(c->source), "claimant",
	    str_or_null(c->claimant), "accused", str_or_null(c->accused), "event_date",
	    str_or_null(c->event_date), "location", str_or_null(c->location), "killed",
	    opt_int(c->has_killed, c->killed), "wounded", opt_int(c->has_wounded, c->wounded),
	    "conflict", str_or_null(c->conflict), "published", str_or_null(c->published),
	    "evidence", str_or_null(c->evidence), "evidence_start", (json_int_t)c->evidence_start,
	    "evidence_end", (json_int_t)c->evidence_end, "incident",
	    c->has_incident_id ? json_integer((json_int_t)c->incident_id) : json_null(),
	    "extractor", str_or_null(c->extractor_version));
}

static json_t *str_array(char **v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static json_t *u64_array(const uint64_t *v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_integer((json_int_t)v[i]));
	return a;
}

static json_t *range(protobuf_c_boolean has, int32_t lo, int32_t hi)
{
	return has ? json_pack("[i, i]", lo, hi) : json_null();
}

json_t *truce_json_incident(const Truce__V1__Incident *inc)
{
	json_t *figs = json_array();
	for (size_t i = 0; i < inc->n_figures; i++) {
		const Truce__V1__SourceFigure *f = inc->figures[i];
		json_array_append_new(figs, json_pack("{s:o, s:I, s:o, s:o, s:o}", "source",
		                                      str_or_null(f->source), "article_seq",
		                                      (json_int_t)f->article_seq, "claimant",
		                                      str_or_null(f->claimant), "killed",
		                                      opt_int(f->has_killed, f->killed), "wounded",
		                                      opt_int(f->has_wounded, f->wounded)));
	}
	return json_pack(
	    "{s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "id",
	    (json_int_t)inc->id, "conflict", str_or_null(inc->conflict), "key",
	    str_or_null(inc->key), "date_first", str_or_null(inc->date_first), "date_last",
	    str_or_null(inc->date_last), "parties", str_array(inc->parties, inc->n_parties),
	    "places", str_array(inc->places, inc->n_places), "sources",
	    str_array(inc->sources, inc->n_sources), "claims",
	    u64_array(inc->claim_ids, inc->n_claim_ids), "article_seqs",
	    u64_array(inc->article_seqs, inc->n_article_seqs), "killed",
	    range(inc->has_killed_low, inc->killed_low, inc->killed_high), "wounded",
	    range(inc->has_wounded_low, inc->wounded_low, inc->wounded_high), "figures", figs);
}

json_t *truce_json_incident_summary(const Truce__V1__IncidentSummary *s)
{
	return json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:I, s:I, s:I, s:o, s:o}",
	                 "id", (json_int_t)s->id, "conflict", str_or_null(s->conflict), "key",
	                 str_or_null(s->key), "date_first", str_or_null(s->date_first), "date_last",
	                 str_or_null(s->date_last), "parties", str_array(s->parties, s->n_parties),
	                 "places", str_array(s->places, s->n_places), "sources",
	                 str_array(s->sources, s->n_sources), "claim_count",
	                 (json_int_t)s->claim_count, "source_count", (json_int_t)s->source_count,
	                 "article_count", (json_int_t)s->article_count, "place_count",
	                 (json_int_t)s->place_count, "killed",
	                 range(s->has_killed_low, s->killed_low, s->killed_high), "wounded",
	                 range(s->has_wounded_low, s->wounded_low, s->wounded_high));
}

/* An incident.* event's incident as a summary: events of a schema 1 store
 * carry the whole incident, summarized here so that every event reads the
 * same. */
static json_t *event_incident(const Truce__V1__Event *ev)
{
	if (ev->summary != NULL)
		return truce_json_incident_summary(ev->summary);
	Truce__V1__IncidentSummary *s;
	if (ev->incident == NULL || truce_incident_summarize(ev->incident, &s) != 0)
		return json_null();
	json_t *j = truce_json_incident_summary(s);
	truce__v1__incident_summary__free_unpacked(s, NULL);
	return j;
}

json_t *truce_json_event(const Truce__V1__Event *ev)
{
	char when[40];
	truce_rfc3339(ev->time_us, when, sizeof(when));
	return json_pack("{s:I, s:s, s:o, s:s, s:I, s:o, s:o}", "seq", (json_int_t)ev->seq, "type",
	                 truce_event_type_name(ev->type), "topic", str_or_null(ev->topic), "time",
	                 when, "article_seq", (json_int_t)ev->article_seq, "claim",
	                 ev->claim ? truce_json_claim(ev->claim) : json_null(), "incident",
	                 event_incident(ev));
}

json_t *truce_json_article(const Truce__V1__Article *a)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:s%, s:s}", "id", str_or_null(a->id), "url",
	                 str_or_null(a->url), "source", str_or_null(a->source), "published",
	                 str_or_null(a->published), "title", str_or_null(a->title), "body",
	                 a->has_body ? (const char *)a->body.data : "",
	                 a->has_body ? a->body.len : (size_t)0, "content_type",
	                 a->has_content_type &&
	                         a->content_type == TRUCE__V1__CONTENT_TYPE__CONTENT_HTML
	                     ? "html"
	                     : "text");
}

static json_t *hex_or_null(const ProtobufCBinaryData *b, protobuf_c_boolean has)
{
	char hex[2 * 64 + 1];
	if (!has || b->len == 0 || b->len > 64)
		return json_null();
	truce_hex(b->data, b->len, hex);
	return json_string(hex);
}

json_t *truce_json_stored_article(const Truce__V1__StoredArticle *sa,
                                  const Truce__V1__ArticleRecord *rec)
{
	char when[40];
	truce_rfc3339(rec->received_us, when, sizeof(when));
	json_t *o =
	    json_pack("{s:I, s:s, s:I, s:o, s:o, s:o, s:o, s:o}", "seq", (json_int_t)rec->seq,
	              "received", when, "received_us", (json_int_t)rec->received_us, "collector_id",
	              str_or_null(rec->collector_id), "peer_key", str_or_null(rec->peer_key),
	              "content_key", hex_or_null(&rec->content_key, rec->has_content_key),
	              "prev_hash", hex_or_null(&sa->prev_hash, sa->has_prev_hash), "hash",
	              hex_or_null(&sa->hash, sa->has_hash));
	json_object_set_new(
	    o, "hash_alg",
	    json_string(truce_chain_hash_name(
	        sa->has_hash_alg ? (int)sa->hash_alg : TRUCE__V1__CHAIN_HASH__CHAIN_SHA256)));
	json_object_set_new(o, "article",
	                    rec->article ? truce_json_article(rec->article) : json_null());
	return o;
}

/* Each named db: name, entries, pages, bytes, depth. */
static json_t *stats_dbs(const Truce__V1__Stats *s)
{
	json_t *arr = json_array();
	for (size_t i = 0; arr != NULL && i < s->n_dbs; i++) {
		const Truce__V1__DbStat *d = s->dbs[i];
		json_array_append_new(
		    arr, json_pack("{s:s, s:I, s:I, s:I, s:i}", "name", d->name ? d->name : "",
		                   "entries", (json_int_t)d->entries, "pages", (json_int_t)d->pages,
		                   "bytes", (json_int_t)d->bytes, "depth", (int)d->depth));
	}
	return arr;
}

void truce_stats_disk_warning(const Truce__V1__Stats *s, char *buf, size_t len)
{
	buf[0] = '\0';
	if (!s->has_disk_avail || s->disk_size == 0 || s->disk_warn_pct == 0)
		return;
	unsigned pct = (unsigned)(s->disk_avail * 100 / s->disk_size);
	if (pct < s->disk_warn_pct)
		snprintf(buf, len,
		         "the store's disk is %u%% free (%.1f of %.1f GiB), under truced's "
		         "disk-warn of %u%%: free space or move the store before it fills",
		         pct, (double)s->disk_avail / (1 << 30), (double)s->disk_size / (1 << 30),
		         s->disk_warn_pct);
}

json_t *truce_json_stats(const Truce__V1__Stats *s)
{
	char head[2 * TRUCE_HASH_LEN + 1] = "", warning[256];
	if (s->chain_head.len == TRUCE_HASH_LEN)
		truce_hex(s->chain_head.data, TRUCE_HASH_LEN, head);
	json_t *j = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:I, s:s, s:s}", "articles",
	                      (json_int_t)s->articles, "claims", (json_int_t)s->claims, "incidents",
	                      (json_int_t)s->incidents, "events", (json_int_t)s->events,
	                      "quarantined", (json_int_t)s->quarantined, "last_article_seq",
	                      (json_int_t)s->last_article_seq, "last_event_seq",
	                      (json_int_t)s->last_event_seq, "uptime_s", (double)s->uptime_us / 1e6,
	                      "db_size", (json_int_t)s->db_size, "chain_head", head, "extractor",
	                      s->extractor_version ? s->extractor_version : "");
	if (j == NULL)
		return NULL;
	if (s->has_schema)
		json_object_set_new(j, "schema", json_integer((json_int_t)s->schema));
	if (s->has_chain_blake2b_from) /* the first article chained with BLAKE2b-256 */
		json_object_set_new(j, "chain_blake2b_from",
		                    json_integer((json_int_t)s->chain_blake2b_from));
	if (s->has_chain_frame_from) /* the first one with the frame's digest */
		json_object_set_new(j, "chain_frame_from",
		                    json_integer((json_int_t)s->chain_frame_from));
	if (s->has_disk_avail) {
		json_object_set_new(j, "disk_avail", json_integer((json_int_t)s->disk_avail));
		json_object_set_new(j, "disk_size", json_integer((json_int_t)s->disk_size));
	}
	truce_stats_disk_warning(s, warning, sizeof(warning));
	if (warning[0] != '\0')
		json_object_set_new(j, "disk_warning", json_string(warning));
	if (s->n_dbs > 0)
		json_object_set_new(j, "dbs", stats_dbs(s));
	return j;
}
