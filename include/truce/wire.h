/*
 * wire.h - the truce.v1 messages on the wire: decoding with validation and
 * readable reasons, packing, content keys, and the limits that bound every
 * allocation driven by network input.
 */
#ifndef TRUCE_WIRE_H
#define TRUCE_WIRE_H

#include "truce.h"
#include "truce.pb-c.h"

/* Defaults of the documented limits (truced --max-message / --max-body). */
#define TRUCE_DEFAULT_MAX_MESSAGE (16u << 20) /* one ZeroMQ frame, ZMQ_MAXMSGSIZE */
#define TRUCE_DEFAULT_MAX_BODY (8u << 20)     /* article body bytes */
#define TRUCE_MAX_FIELD 4096                  /* id, url, source, title, ... */
#define TRUCE_MAX_MSG_ID 64                   /* collector's msg_id frame */
#define TRUCE_REASON_MAX 200

typedef struct truce_limits {
	size_t max_message;
	size_t max_body;
} truce_limits;

/*
 * Decodes and validates an Article frame: size limit, protobuf decode, body
 * present and non-empty, UTF-8 everywhere, no NUL in the body, field sizes,
 * published as YYYY-MM-DD. On failure *out is NULL and reason holds a
 * sentence for the collector (the Ack) and the quarantine. On success the
 * body is NUL-terminated one byte past body.len.
 */
int truce_wire_decode_article(const void *buf, size_t len, const truce_limits *lim,
                              Truce__V1__Article **out, char *reason, size_t reason_len);
void truce_wire_article_free(Truce__V1__Article *a);

/*
 * The dedup key: SHA-256 of "url\n" + the URL with scheme and host
 * lowercased and the fragment dropped, or of "body\n" + the body with
 * whitespace runs collapsed when there is no URL.
 */
void truce_content_key(const Truce__V1__Article *a, uint8_t key[TRUCE_HASH_LEN]);

/* Packs any message into a malloc'd buffer. */
int truce_wire_pack(const ProtobufCMessage *m, uint8_t **buf, size_t *len);

/* 0 when s[0..n) is valid UTF-8; else TRUCE_EUTF8 and *bad = byte offset. */
int truce_utf8_check(const uint8_t *s, size_t n, size_t *bad);

/* One field of a serialized protobuf message, as truce_pb_next reads it. */
typedef struct truce_pb_field {
	uint32_t number;     /* the field number */
	unsigned wire_type;  /* 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32 */
	const uint8_t *data; /* wire type 2: the field's bytes (else NULL) */
	size_t len;
	uint64_t value; /* wire type 0: the varint */
} truce_pb_field;

/*
 * Reads the field at *p (before end) into *f and moves *p past it: for code
 * that must see what protobuf-c hides (a NUL inside a string, the exact
 * bytes of a sub-message). Tags are read as protobuf-c reads them: at most
 * 5 bytes, the field number in the low 32 bits. 0 when a field was read;
 * -1 (*p and *f untouched) when it is cut short or of another wire type.
 */
int truce_pb_next(const uint8_t **p, const uint8_t *end, truce_pb_field *f);

/* Writes v as a protobuf varint at p (room for 10 bytes); its length. For
 * code that lays out a message around bytes it will not copy twice. */
size_t truce_pb_put_varint(uint8_t *p, uint64_t v);

/* The length of v as a protobuf varint, 1 to 10. */
size_t truce_pb_varint_len(uint64_t v);

/* An event type's name, the first two parts of its topics: "claim.new",
 * "claim.corroborated", "incident.new", "incident.update". */
const char *truce_event_type_name(Truce__V1__EventType t);

/* Hex of n bytes into out (2n+1 bytes). */
void truce_hex(const uint8_t *b, size_t n, char *out);

#endif
