/*
 * collector.c - a collector of your own, built on the installed client
 * library: sends each file named on the command line to truced as one
 * article and waits until truced has durably stored (or rejected) it.
 *
 *   cc -o collector collector.c $(pkg-config --cflags --libs truce-client)
 *   ./collector tcp://127.0.0.1:7701 report1.txt report2.txt
 *
 * A file's first line is the title, the rest the body. The sender keeps a
 * window of articles in flight and re-sends any whose ack is late, so the
 * articles arrive at least once; truced's deduplication stores each once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include <truce/client.h>

/* The whole file, NUL-terminated; NULL when it cannot be read. */
static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	size_t got;
	while (buf != NULL && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += got;
		if (n + 1 == cap) {
			char *bigger = realloc(buf, cap *= 2);
			if (bigger == NULL)
				free(buf);
			buf = bigger;
		}
	}
	fclose(f);
	if (buf != NULL) {
		buf[n] = '\0';
		*len = n;
	}
	return buf;
}

/* Packs one article (title = first line) and queues it on the sender. */
static int queue_file(truce_sender *snd, const char *path)
{
	size_t len;
	char *text = read_file(path, &len);
	if (text == NULL) {
		fprintf(stderr, "collector: cannot read %s\n", path);
		return -1;
	}
	char *nl = strchr(text, '\n');
	char *body = nl != NULL ? nl + 1 : text;
	if (nl != NULL)
		*nl = '\0';
	Truce__V1__Article a = TRUCE__V1__ARTICLE__INIT;
	a.id = (char *)path;
	a.title = nl != NULL ? text : NULL;
	a.source = "example collector";
	a.collector_id = "examples/collector";
	a.has_body = 1;
	a.body.data = (uint8_t *)body;
	a.body.len = strlen(body);
	uint8_t *frame;
	size_t flen;
	int rc = truce_wire_pack(&a.base, &frame, &flen);
	if (rc == 0) {
		rc = truce_sender_add(snd, frame, flen, NULL);
		free(frame);
	}
	free(text);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s ENDPOINT FILE...\n", argv[0]);
		return 2;
	}
	void *zctx = zmq_ctx_new();
	void *sock = NULL;
	truce_sender *snd = NULL;
	truce_sender_opts o = {.window = 64, .timeout_ms = 2000, .label = "collector"};
	int rc = truce_sender_socket(zctx, o.window, &sock);
	if (rc == 0 && zmq_connect(sock, argv[1]) != 0)
		rc = TRUCE_EINVAL;
	if (rc == 0)
		rc = truce_sender_new(sock, &o, &snd);
	for (int i = 2; rc == 0 && i < argc; i++)
		rc = queue_file(snd, argv[i]);
	if (rc != 0) {
		fprintf(stderr, "collector: %s\n", truce_strerror(rc));
	} else {
		truce_sender_run(snd, 30000); /* wait up to 30 s for every ack */
		for (int i = 2; i < argc; i++) {
			const truce_send_item *it = truce_sender_item(snd, (size_t)(i - 2));
			printf("%s %s seq=%llu%s%s\n", argv[i], truce_send_status_name(it),
			       (unsigned long long)it->seq, it->reason ? " " : "",
			       it->reason ? it->reason : "");
			if (!truce_send_item_ok(it))
				rc = 1;
		}
	}
	truce_sender_free(snd);
	if (sock != NULL)
		zmq_close(sock);
	zmq_ctx_term(zctx);
	return rc == 0 ? 0 : 1;
}
