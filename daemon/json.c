/*
 * json.c - JSON renderings of truce records (see truce/json.h).
 */
#include "truce/json.h"

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
		json_object_set_new(o, "evidence_start", json_integer((json_int_t)c->evidence_start));
		json_object_set_new(o, "evidence_end", json_integer((json_int_t)c->evidence_end));
		json_object_set_new(o, "confidence", json_real(c->confidence));
		json_array_append_new(arr, o);
	}
	return arr;
}
