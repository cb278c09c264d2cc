/*
 * wire.c - decoding and validation of network input, packing and content
 * keys (see truce/wire.h).
 *
 * Everything here runs on bytes from the network, so every size is checked
 * before it is used and every failure produces a sentence a collector's
 * operator can act on.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <utf8proc.h>

#include "truce/date.h"
#include "truce/wire.h"

static int reject(char *reason, size_t len, int rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(reason, len, fmt, ap);
	va_end(ap);
	return rc;
}

int truce_utf8_check(const uint8_t *s, size_t n, size_t *bad)
{
	size_t i = 0;
	while (i < n) {
		if (s[i] < 0x80) { /* ASCII fast path: most article text */
			/* eight bytes a step while none has its high bit set */
			uint64_t x = 0x8080808080808080ull;
			if (i + 8 <= n)
				memcpy(&x, s + i, 8);
			i += (x & 0x8080808080808080ull) == 0 ? 8 : 1;
			continue;
		}
		utf8proc_int32_t cp;
		size_t left = n - i;
		utf8proc_ssize_t k =
		    utf8proc_iterate(s + i, left > 4 ? 4 : (utf8proc_ssize_t)left, &cp);
		if (k <= 0) {
			if (bad != NULL)
				*bad = i;
			return TRUCE_EUTF8;
		}
		i += (size_t)k;
	}
	return 0;
}

/* A string field: bounded and valid UTF-8. protobuf-c hands strings as C
 * strings, so an embedded NUL only shortens them; the body is bytes. */
static int check_field(const char *name, const char *v, char *reason, size_t rlen)
{
	if (v == NULL)
		return 0;
	size_t n = strlen(v), bad;
	if (n > TRUCE_MAX_FIELD)
		return reject(reason, rlen, TRUCE_ETOOBIG,
		              "%s is %zu bytes, over the %d-byte limit", name, n, TRUCE_MAX_FIELD);
	if (truce_utf8_check((const uint8_t *)v, n, &bad) != 0)
		return reject(reason, rlen, TRUCE_EUTF8, "%s is not valid UTF-8 (byte %zu)", name,
		              bad);
	return 0;
}

static int check_body(const Truce__V1__Article *a, const truce_limits *lim, char *reason,
                      size_t rlen)
{
	if (!a->has_body || a->body.len == 0)
		return reject(reason, rlen, TRUCE_EINVAL, "article has no body");
	if (a->body.len > lim->max_body)
		return reject(reason, rlen, TRUCE_ETOOBIG,
		              "body is %zu bytes, over the %zu-byte limit (--max-body)",
		              a->body.len, lim->max_body);
	const uint8_t *nul = memchr(a->body.data, 0, a->body.len);
	if (nul != NULL)
		return reject(reason, rlen, TRUCE_EINVAL, "body contains a NUL byte at offset %zu",
		              (size_t)(nul - a->body.data));
	size_t bad;
	if (truce_utf8_check(a->body.data, a->body.len, &bad) != 0)
		return reject(reason, rlen, TRUCE_EUTF8, "body is not valid UTF-8 (byte %zu)", bad);
	return 0;
}

/* The largest field number protobuf allows (2^29 - 1). */
#define PB_FIELD_MAX 536870911u

/*
 * Fields the Article does not define are kept by protobuf-c and packed back
 * into the stored record (forward compatibility). But protobuf-c decodes a
 * forbidden field number (0, or over 2^29 - 1) when its tag is spelled with
 * redundant varint bytes, and then packs it in a form it cannot decode: the
 * stored record would be unreadable for replay and queries, forever.
 */
static int check_unknown(const Truce__V1__Article *a, char *reason, size_t rlen)
{
	for (unsigned i = 0; i < a->base.n_unknown_fields; i++) {
		uint32_t tag = a->base.unknown_fields[i].tag;
		if (tag == 0 || tag > PB_FIELD_MAX)
			return reject(reason, rlen, TRUCE_EPROTO,
			              "field number %u is not valid protobuf", (unsigned)tag);
	}
	return 0;
}

static int check_article(const Truce__V1__Article *a, const truce_limits *lim, char *reason,
                         size_t rlen)
{
	int rc = check_unknown(a, reason, rlen);
	if (rc == 0)
		rc = check_body(a, lim, reason, rlen);
	const struct {
		const char *name;
		const char *v;
	} fields[] = {{"id", a->id},
	              {"url", a->url},
	              {"source", a->source},
	              {"title", a->title},
	              {"published", a->published},
	              {"collector_id", a->collector_id}};
	for (size_t i = 0; rc == 0 && i < sizeof(fields) / sizeof(fields[0]); i++)
		rc = check_field(fields[i].name, fields[i].v, reason, rlen);
	if (rc == 0 && a->published != NULL && a->published[0] != '\0' &&
	    truce_date_check(a->published) != 0)
		rc = reject(reason, rlen, TRUCE_EINVAL, "published is not a YYYY-MM-DD date");
	if (rc == 0 && a->has_content_type &&
	    a->content_type != TRUCE__V1__CONTENT_TYPE__CONTENT_TEXT &&
	    a->content_type != TRUCE__V1__CONTENT_TYPE__CONTENT_HTML)
		rc = reject(reason, rlen, TRUCE_EINVAL, "unknown content_type %d",
		            (int)a->content_type);
	return rc;
}

/* A protobuf varint of at most max bytes at *p (< end); -1 when cut short. */
static int pb_varint(const uint8_t **p, const uint8_t *end, int max, uint64_t *v)
{
	*v = 0;
	for (int i = 0; i < max && *p < end; i++) {
		uint8_t b = *(*p)++;
		*v |= (uint64_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80))
			return 0;
	}
	return -1;
}

size_t truce_pb_put_varint(uint8_t *p, uint64_t v)
{
	size_t n = 0;
	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

size_t truce_pb_varint_len(uint64_t v)
{
	size_t n = 1;
	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

int truce_pb_next(const uint8_t **p, const uint8_t *end, truce_pb_field *f)
{
	const uint8_t *q = *p;
	uint64_t tag, n;
	truce_pb_field x = {0};
	if (pb_varint(&q, end, 5, &tag) != 0)
		return -1;
	x.number = (uint32_t)(tag >> 3);
	x.wire_type = (unsigned)(tag & 7);
	switch (x.wire_type) {
	case 0:
		if (pb_varint(&q, end, 10, &x.value) != 0)
			return -1;
		break;
	case 1:
	case 5:
		n = x.wire_type == 1 ? 8 : 4;
		if ((uint64_t)(end - q) < n)
			return -1;
		q += n;
		break;
	case 2:
		if (pb_varint(&q, end, 10, &n) != 0 || n > (uint64_t)(end - q))
			return -1;
		x.data = q;
		x.len = (size_t)n;
		q += n;
		break;
	default: return -1;
	}
	*p = q;
	*f = x;
	return 0;
}

/*
 * The name of an Article string field whose bytes on the wire hold a NUL,
 * or NULL. protobuf-c hands strings over as C strings, so such a field
 * would arrive cut at the NUL: a different title or URL (hence content key)
 * than the collector sent, acked STORED. Only called on a frame protobuf-c
 * decoded, whose layout is therefore sound.
 */
static const char *string_with_nul(const uint8_t *p, size_t len)
{
	static const char *const names[] = {[1] = "id",    [2] = "url",       [3] = "source",
	                                    [4] = "title", [5] = "published", [8] = "collector_id"};
	const uint8_t *end = p + len;
	truce_pb_field f;
	while (p < end) {
		if (truce_pb_next(&p, end, &f) != 0)
			return NULL;
		if (f.wire_type == 2 && f.number < sizeof(names) / sizeof(names[0]) &&
		    names[f.number] != NULL && memchr(f.data, 0, f.len) != NULL)
			return names[f.number];
	}
	return NULL;
}

int truce_wire_decode_article(const void *buf, size_t len, const truce_limits *lim,
                              Truce__V1__Article **out, char *reason, size_t reason_len)
{
	*out = NULL;
	if (len == 0)
		return reject(reason, reason_len, TRUCE_EPROTO, "empty article frame");
	if (len > lim->max_message)
		return reject(reason, reason_len, TRUCE_ETOOBIG,
		              "message is %zu bytes, over the %zu-byte limit", len,
		              lim->max_message);
	Truce__V1__Article *a = truce__v1__article__unpack(NULL, len, buf);
	if (a == NULL)
		return reject(reason, reason_len, TRUCE_EPROTO,
		              "not a truce.v1.Article protobuf (%zu bytes did not decode)", len);
	const char *nul_field = string_with_nul(buf, len);
	int rc = nul_field != NULL
	             ? reject(reason, reason_len, TRUCE_EINVAL, "%s contains a NUL byte", nul_field)
	             : check_article(a, lim, reason, reason_len);
	if (rc == 0) {
		/* NUL-terminate the body (bytes are not), so text code downstream
		 * may treat it as a C string; the default protobuf-c allocator is
		 * malloc, so free_unpacked frees the grown block. */
		uint8_t *b = realloc(a->body.data, a->body.len + 1);
		if (b == NULL)
			rc = reject(reason, reason_len, TRUCE_ENOMEM, "out of memory");
		else {
			b[a->body.len] = '\0';
			a->body.data = b;
		}
	}
	if (rc != 0) {
		truce__v1__article__free_unpacked(a, NULL);
		return rc;
	}
	*out = a;
	return 0;
}

void truce_wire_article_free(Truce__V1__Article *a)
{
	if (a != NULL)
		truce__v1__article__free_unpacked(a, NULL);
}

static void key_update_url(crypto_hash_sha256_state *st, const char *url)
{
	/* Scheme and host are case-insensitive; the path is not. */
	const char *p = strstr(url, "://");
	const char *host_end = p != NULL ? strchr(p + 3, '/') : NULL;
	size_t n = strcspn(url, "#");
	size_t lower = host_end != NULL ? (size_t)(host_end - url) : n;
	if (lower > n)
		lower = n;
	/* hashed a buffer at a time: an update call a byte cost more than
	 * the hashing */
	uint8_t buf[256];
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)url[i];
		if (i < lower)
			c = (unsigned char)tolower(c);
		buf[k++] = c;
		if (k == sizeof(buf)) {
			crypto_hash_sha256_update(st, buf, k);
			k = 0;
		}
	}
	crypto_hash_sha256_update(st, buf, k);
}

static void key_update_body(crypto_hash_sha256_state *st, const uint8_t *b, size_t n)
{
	/* Collapse whitespace runs so re-wrapped copies of a text match. */
	uint8_t buf[4096];
	size_t k = 0;
	int space = 1;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = b[i];
		int ws = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
		if (ws) {
			if (space)
				continue;
			c = ' ';
		}
		space = ws;
		buf[k++] = c;
		if (k == sizeof(buf)) {
			crypto_hash_sha256_update(st, buf, k);
			k = 0;
		}
	}
	if (k > 0 && buf[k - 1] == ' ')
		k--; /* a trailing run collapses to nothing */
	crypto_hash_sha256_update(st, buf, k);
}

void truce_content_key(const Truce__V1__Article *a, uint8_t key[TRUCE_HASH_LEN])
{
	crypto_hash_sha256_state st;
	crypto_hash_sha256_init(&st);
	if (a->url != NULL && a->url[0] != '\0') {
		crypto_hash_sha256_update(&st, (const uint8_t *)"url\n", 4);
		key_update_url(&st, a->url);
	} else {
		crypto_hash_sha256_update(&st, (const uint8_t *)"body\n", 5);
		key_update_body(&st, a->has_body ? a->body.data : NULL,
		                a->has_body ? a->body.len : 0);
	}
	crypto_hash_sha256_final(&st, key);
}

int truce_wire_pack(const ProtobufCMessage *m, uint8_t **buf, size_t *len)
{
	size_t n = protobuf_c_message_get_packed_size(m);
	uint8_t *b = malloc(n > 0 ? n : 1);
	if (b == NULL)
		return TRUCE_ENOMEM;
	protobuf_c_message_pack(m, b);
	*buf = b;
	*len = n;
	return 0;
}

const char *truce_event_type_name(Truce__V1__EventType t)
{
	switch (t) {
	case TRUCE__V1__EVENT_TYPE__EVENT_CLAIM_NEW: return "claim.new";
	case TRUCE__V1__EVENT_TYPE__EVENT_CLAIM_CORROBORATED: return "claim.corroborated";
	case TRUCE__V1__EVENT_TYPE__EVENT_INCIDENT_NEW: return "incident.new";
	case TRUCE__V1__EVENT_TYPE__EVENT_INCIDENT_UPDATE: return "incident.update";
	default: return "unknown";
	}
}

void truce_hex(const uint8_t *b, size_t n, char *out)
{
	sodium_bin2hex(out, 2 * n + 1, b, n);
}
