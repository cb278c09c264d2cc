/*
 * rawsend.c - test helper: sends one multipart message of arbitrary frames
 * to truced's ingest socket and prints the Ack as JSON, so tests can feed
 * the daemon what no well-behaved collector would.
 *
 *   truce-rawsend ENDPOINT FRAME...
 *   truce-rawsend --query ENDPOINT FRAME...
 *   FRAME: str:TEXT | hex:HEX | file:PATH | article:BODY (a valid Article
 *          with that body and id "raw") | article-file:PATH | html-file:PATH
 *          (a valid Article whose body is the file, as text or HTML) |
 *          empty | random:N | big:N (N bytes)
 *
 * Exits 0 with the Ack printed, 1 when no Ack came within 5 s (e.g. the
 * daemon dropped the connection for a frame over --max-message); the
 * environment variable TRUCE_RAWSEND_TIMEOUT_MS changes the 5 s.
 *
 * --query talks to the query socket instead: the frames go out after an
 * empty delimiter (DEALER speaking to a ROUTER as REQ would) and the reply
 * is printed as {"ok", "error", and the number of records of each kind}.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>
#include <zmq.h>

#include "truce/wire.h"

/* A valid Article whose body is the contents of path. */
static int article_from_file(const char *path, int html, uint8_t **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return -1;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *body = malloc((size_t)n + 1);
	size_t got = body != NULL ? fread(body, 1, (size_t)n, f) : 0;
	fclose(f);
	if (body == NULL || got != (size_t)n) {
		free(body);
		return -1;
	}
	Truce__V1__Article a = TRUCE__V1__ARTICLE__INIT;
	a.id = "raw-file";
	a.has_body = a.has_content_type = 1;
	a.body.data = body;
	a.body.len = got;
	a.content_type =
	    html ? TRUCE__V1__CONTENT_TYPE__CONTENT_HTML : TRUCE__V1__CONTENT_TYPE__CONTENT_TEXT;
	int rc = truce_wire_pack(&a.base, buf, len);
	free(body);
	return rc;
}

static int frame_bytes(const char *spec, uint8_t **buf, size_t *len)
{
	if (strncmp(spec, "str:", 4) == 0) {
		*len = strlen(spec + 4);
		*buf = (uint8_t *)strdup(spec + 4);
	} else if (strncmp(spec, "hex:", 4) == 0) {
		size_t n = strlen(spec + 4) / 2;
		*buf = malloc(n + 1);
		if (sodium_hex2bin(*buf, n, spec + 4, n * 2, NULL, len, NULL) != 0)
			return -1;
	} else if (strncmp(spec, "file:", 5) == 0) {
		FILE *f = fopen(spec + 5, "rb");
		if (f == NULL)
			return -1;
		fseek(f, 0, SEEK_END);
		long n = ftell(f);
		fseek(f, 0, SEEK_SET);
		*buf = malloc((size_t)n + 1);
		*len = fread(*buf, 1, (size_t)n, f);
		fclose(f);
	} else if (strncmp(spec, "article:", 8) == 0) {
		Truce__V1__Article a = TRUCE__V1__ARTICLE__INIT;
		a.id = "raw";
		a.has_body = 1;
		a.body.data = (uint8_t *)spec + 8;
		a.body.len = strlen(spec + 8);
		return truce_wire_pack(&a.base, buf, len);
	} else if (strncmp(spec, "article-file:", 13) == 0) {
		return article_from_file(spec + 13, 0, buf, len);
	} else if (strncmp(spec, "html-file:", 10) == 0) {
		return article_from_file(spec + 10, 1, buf, len);
	} else if (strcmp(spec, "empty") == 0) {
		*buf = malloc(1);
		*len = 0;
	} else if (strncmp(spec, "random:", 7) == 0 || strncmp(spec, "big:", 4) == 0) {
		*len = (size_t)strtoull(strchr(spec, ':') + 1, NULL, 10);
		*buf = malloc(*len + 1);
		if (spec[0] == 'r')
			randombytes_buf(*buf, *len);
		else
			memset(*buf, 'a', *len);
	} else {
		return -1;
	}
	return *buf != NULL ? 0 : -1;
}

/* Prints a QueryReply as a JSON summary; 0 when it decoded. */
static int print_reply(zmq_msg_t *m)
{
	Truce__V1__QueryReply *r =
	    truce__v1__query_reply__unpack(NULL, zmq_msg_size(m), zmq_msg_data(m));
	if (r == NULL) {
		fprintf(stderr, "rawsend: the reply is not a QueryReply\n");
		return 1;
	}
	json_t *j =
	    json_pack("{s:b, s:s, s:I, s:I, s:I, s:I, s:b, s:b, s:b}", "ok", r->ok, "error",
	              r->error ? r->error : "", "events", (json_int_t)r->n_events, "articles",
	              (json_int_t)r->n_articles, "claims", (json_int_t)r->n_claims, "incidents",
	              (json_int_t)r->n_incidents, "incident", r->incident != NULL, "stats",
	              r->stats != NULL, "more", r->more);
	char *out = json_dumps(j, JSON_COMPACT);
	puts(out);
	free(out);
	json_decref(j);
	truce__v1__query_reply__free_unpacked(r, NULL);
	return 0;
}

/* Receives the reply and prints it; 1 when none came within the timeout. */
static int print_answer(void *s, int query)
{
	zmq_msg_t m;
	zmq_msg_init(&m);
	int rc = 1;
	if (query) {
		/* [empty delimiter][QueryReply] */
		if (zmq_msg_recv(&m, s, 0) >= 0 && zmq_msg_more(&m) && zmq_msg_recv(&m, s, 0) >= 0)
			rc = print_reply(&m);
		else
			fprintf(stderr, "rawsend: no reply in time\n");
		zmq_msg_close(&m);
		return rc;
	}
	if (zmq_msg_recv(&m, s, 0) >= 0) {
		Truce__V1__Ack *ack =
		    truce__v1__ack__unpack(NULL, zmq_msg_size(&m), zmq_msg_data(&m));
		if (ack != NULL) {
			static const char *const names[] = {"STORED", "DUPLICATE", "REJECTED"};
			json_t *j = json_pack("{s:s, s:s, s:I, s:I}", "status",
			                      ack->status <= 2 ? names[ack->status] : "?", "reason",
			                      ack->reason ? ack->reason : "", "article_seq",
			                      (json_int_t)ack->article_seq, "quarantine_seq",
			                      (json_int_t)ack->quarantine_seq);
			char *out = json_dumps(j, JSON_COMPACT);
			puts(out);
			free(out);
			json_decref(j);
			truce__v1__ack__free_unpacked(ack, NULL);
			rc = 0;
		}
	} else {
		fprintf(stderr, "rawsend: no ack in time\n");
	}
	zmq_msg_close(&m);
	return rc;
}

int main(int argc, char **argv)
{
	int query = argc > 1 && strcmp(argv[1], "--query") == 0;
	if (query) {
		argv++;
		argc--;
	}
	if (argc < 3 || sodium_init() < 0) {
		fprintf(stderr, "usage: truce-rawsend [--query] ENDPOINT FRAME...\n");
		return 2;
	}
	void *ctx = zmq_ctx_new();
	void *s = zmq_socket(ctx, ZMQ_DEALER);
	int linger = 1000, tmo = 5000;
	const char *env_tmo = getenv("TRUCE_RAWSEND_TIMEOUT_MS");
	if (env_tmo != NULL && atoi(env_tmo) > 0)
		tmo = atoi(env_tmo);
	zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_setsockopt(s, ZMQ_RCVTIMEO, &tmo, sizeof(tmo));
	if (zmq_connect(s, argv[1]) != 0) {
		fprintf(stderr, "rawsend: cannot connect %s\n", argv[1]);
		return 2;
	}
	if (query)
		zmq_send(s, "", 0, ZMQ_SNDMORE);
	for (int i = 2; i < argc; i++) {
		uint8_t *buf;
		size_t len;
		if (frame_bytes(argv[i], &buf, &len) != 0) {
			fprintf(stderr, "rawsend: bad frame spec %s\n", argv[i]);
			return 2;
		}
		zmq_send(s, buf, len, i + 1 < argc ? ZMQ_SNDMORE : 0);
		free(buf);
	}
	int rc = print_answer(s, query);
	zmq_close(s);
	zmq_ctx_term(ctx);
	return rc;
}
