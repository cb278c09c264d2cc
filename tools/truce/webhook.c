/*
 * webhook.c - `truce watch --post URL` and `--exec CMD`: each event handed
 * to another program, again and again until it takes it.
 *
 * --post sends the event's JSON (what `truce watch --json` prints) as an
 * HTTP POST with libcurl; a 2xx answer is a delivery, anything else
 * (another status, a refused connection, a timeout) is retried after a wait
 * that doubles up to a ceiling. --exec runs CMD through /bin/sh with the
 * JSON on its standard input; exit status 0 is a delivery. The event seq
 * goes along (the Idempotency-Key and X-Truce-Seq headers, TRUCE_EVENT_SEQ
 * in CMD's environment), so a receiver can drop the repeat that
 * at-least-once delivery allows after a crash.
 *
 * The watcher waits here while the receiver is down; truced does not: it
 * publishes regardless, and the subscriber backfills what its queue
 * dropped meanwhile from the query socket.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "truce/json.h"
#include "webhook.h"

#define FIRST_BACKOFF_MS 500
#define SLICE_MS 100 /* how often a wait looks at the stop flag */

struct cli_webhook {
	cli_webhook_opts o;
	CURL *curl;
	char curl_err[CURL_ERROR_SIZE];
};

int cli_webhook_open(const cli_webhook_opts *o, cli_webhook **out)
{
	if ((o->url == NULL) == (o->exec == NULL))
		return TRUCE_EINVAL;
	cli_webhook *w = calloc(1, sizeof(*w));
	if (w == NULL)
		return TRUCE_ENOMEM;
	w->o = *o;
	if (o->url != NULL) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
		    (w->curl = curl_easy_init()) == NULL) {
			free(w);
			return TRUCE_ENOMEM;
		}
	}
	*out = w;
	return 0;
}

void cli_webhook_close(cli_webhook *w)
{
	if (w == NULL)
		return;
	if (w->curl != NULL) {
		curl_easy_cleanup(w->curl);
		curl_global_cleanup();
	}
	free(w);
}

static size_t discard(char *data, size_t size, size_t n, void *ctx)
{
	(void)data;
	(void)ctx;
	return size * n;
}

/* One POST; 0 on a 2xx, else why in why. */
static int post_once(cli_webhook *w, const Truce__V1__Event *ev, const char *json, char *why,
                     size_t whylen)
{
	char h_seq[64], h_key[64], h_topic[512], h_type[64];
	snprintf(h_seq, sizeof(h_seq), "X-Truce-Seq: %llu", (unsigned long long)ev->seq);
	snprintf(h_key, sizeof(h_key), "Idempotency-Key: %llu", (unsigned long long)ev->seq);
	snprintf(h_topic, sizeof(h_topic), "X-Truce-Topic: %s", ev->topic ? ev->topic : "");
	snprintf(h_type, sizeof(h_type), "X-Truce-Event: %s", truce_event_type_name(ev->type));
	struct curl_slist *hdr = NULL, *h;
	const char *lines[] = {
	    "Content-Type: application/json", h_seq, h_key, h_topic, h_type, "Expect:"};
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		h = curl_slist_append(hdr, lines[i]);
		if (h == NULL) {
			curl_slist_free_all(hdr);
			snprintf(why, whylen, "out of memory");
			return TRUCE_ENOMEM;
		}
		hdr = h;
	}
	CURL *c = w->curl;
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, w->o.url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, json);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(json));
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)w->o.timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)w->o.timeout_ms);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "truce-watch/" TRUCE_VERSION);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, w->curl_err);
	w->curl_err[0] = '\0';
	CURLcode cc = curl_easy_perform(c);
	long status = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(hdr);
	if (cc != CURLE_OK) {
		snprintf(why, whylen, "%s", w->curl_err[0] ? w->curl_err : curl_easy_strerror(cc));
		return TRUCE_ENET;
	}
	if (status < 200 || status > 299) {
		snprintf(why, whylen, "HTTP %ld", status);
		return TRUCE_EIO;
	}
	return 0;
}

/* Writes all of data to fd; a reader that went away is not an error here
 * (the command's exit status decides). */
static void write_all(int fd, const char *data, size_t n)
{
	while (n > 0) {
		ssize_t k = write(fd, data, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return;
		data += k;
		n -= (size_t)k;
	}
}

/* One run of the command; 0 when it exits 0. */
static int exec_once(cli_webhook *w, const Truce__V1__Event *ev, const char *json, char *why,
                     size_t whylen)
{
	int fds[2];
	if (pipe(fds) != 0) {
		snprintf(why, whylen, "pipe: %s", strerror(errno));
		return TRUCE_EIO;
	}
	char seq[32];
	snprintf(seq, sizeof(seq), "%llu", (unsigned long long)ev->seq);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fds[0], 0);
		close(fds[0]);
		close(fds[1]);
		setenv("TRUCE_EVENT_SEQ", seq, 1);
		setenv("TRUCE_EVENT_TOPIC", ev->topic ? ev->topic : "", 1);
		setenv("TRUCE_EVENT_TYPE", truce_event_type_name(ev->type), 1);
		signal(SIGPIPE, SIG_DFL);
		execl("/bin/sh", "sh", "-c", w->o.exec, (char *)NULL);
		_exit(127);
	}
	close(fds[0]);
	if (pid < 0) {
		close(fds[1]);
		snprintf(why, whylen, "fork: %s", strerror(errno));
		return TRUCE_EIO;
	}
	write_all(fds[1], json, strlen(json));
	write_all(fds[1], "\n", 1);
	close(fds[1]);
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (WIFEXITED(st))
		snprintf(why, whylen, "the command exited %d", WEXITSTATUS(st));
	else
		snprintf(why, whylen, "the command was killed by signal %d",
		         WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	return TRUCE_EIO;
}

/* Sleeps ms in slices; 1 when stop was set meanwhile. */
static int wait_or_stop(int64_t ms, const volatile sig_atomic_t *stop)
{
	for (int64_t left = ms; left > 0 && !*stop; left -= SLICE_MS) {
		struct timespec ts = {0, (left < SLICE_MS ? left : SLICE_MS) * 1000000L};
		nanosleep(&ts, NULL);
	}
	return *stop != 0;
}

int cli_webhook_deliver(cli_webhook *w, const Truce__V1__Event *ev,
                        const volatile sig_atomic_t *stop)
{
	json_t *j = truce_json_event(ev);
	char *json = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (json == NULL)
		return TRUCE_ENOMEM;
	int64_t backoff = FIRST_BACKOFF_MS;
	int rc;
	for (unsigned attempt = 1;; attempt++) {
		char why[CURL_ERROR_SIZE + 64] = "";
		rc = w->curl != NULL ? post_once(w, ev, json, why, sizeof(why))
		                     : exec_once(w, ev, json, why, sizeof(why));
		if (rc == 0 || rc == TRUCE_ENOMEM)
			break;
		if (w->o.note != NULL) {
			char msg[sizeof(why) + 128];
			snprintf(msg, sizeof(msg),
			         "event %llu not delivered (attempt %u: %s), retrying in %.1f s",
			         (unsigned long long)ev->seq, attempt, why, (double)backoff / 1000);
			w->o.note(w->o.note_ctx, msg);
		}
		if (wait_or_stop(backoff, stop)) {
			rc = TRUCE_EINTR;
			break;
		}
		backoff = backoff * 2 > w->o.backoff_max_ms ? w->o.backoff_max_ms : backoff * 2;
	}
	free(json);
	return rc;
}
