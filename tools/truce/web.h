/*
 * web.h - `truce web`, the HTTP side of truce, module by module:
 *
 *   cmd_web.c      options, the listen address and token, start and stop
 *   web_http.c     libmicrohttpd: routing, authentication, limits, the
 *                  security headers of every response, the embedded page
 *   web_query.c    a pool of query-socket clients shared by the request
 *                  threads (a truce_qclient serves one thread at a time)
 *   web_api.c      /api/incidents, /api/claims, /api/articles, /api/stats,
 *                  /api/timeline: JSON read through truced's query socket
 *   web_events.c   /api/events: Server-Sent Events from one truce_sub (the
 *                  hub) through a ring of recent events to every client
 *   web_gzip.c     ...compressed once for every client that accepts gzip
 *   web_metrics.c  /metrics: truced's METRICS in the Prometheus text format
 *   web/           the dashboard (HTML, CSS, JavaScript), compiled in
 *
 * The web side only reads: it talks to truced's PUB and query sockets,
 * whose protocol has no write, and never opens the store.
 */
#ifndef TRUCE_WEB_H
#define TRUCE_WEB_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <microhttpd.h>

#include "truce/client.h"

#define WEB_DEFAULT_LIMIT 50
#define WEB_MAX_LIMIT 500
#define WEB_MAX_TOPICS 16

/* --- web_query.c ---------------------------------------------------------- */

typedef struct web_qpool web_qpool;

/* n clients of the query endpoint, each used by one thread at a time. */
int web_qpool_open(const char *endpoint, const truce_client_keys *keys, int n, int timeout_ms,
                   web_qpool **out);
void web_qpool_close(web_qpool *p);

/* One request, one reply (see truce_qclient_call): waits for a free client.
 * A reply with ok = false is returned as 0; the caller reads its error. */
int web_query(web_qpool *p, const Truce__V1__QueryRequest *rq, Truce__V1__QueryReply **out);

/* --- web_events.c --------------------------------------------------------- */

typedef struct web_hub web_hub;

typedef struct web_hub_opts {
	const char *publish;           /* truced's PUB endpoint */
	const char *query;             /* its query endpoint (the hub's gap fill) */
	const truce_client_keys *keys; /* NULL = plain */
	web_qpool *qp;                 /* for clients that resume before the ring */
	size_t max_events;             /* the ring: most events kept */
	size_t max_bytes;              /* ...and most bytes */
	int keepalive_ms;              /* an SSE comment after this much silence */
} web_hub_opts;

/* Starts the hub's thread: one subscriber to truced for every client. */
int web_hub_start(const web_hub_opts *o, web_hub **out);
/* Ends every stream (their readers return end of stream) and the thread. */
void web_hub_stop(web_hub *h);
void web_hub_free(web_hub *h);

/* SSE clients connected now, events in the ring, the last seq the hub saw. */
void web_hub_counts(web_hub *h, uint64_t *clients, uint64_t *buffered, uint64_t *last);

/* A stream of the events after `after` whose topic starts with one of the
 * prefixes (none = all), as an MHD response; gzip: its body is a gzip
 * stream (Content-Encoding: gzip, web_gzip.c). NULL when out of memory. */
struct MHD_Response *web_sse_response(web_hub *h, uint64_t after, const char *const *topics,
                                      size_t n_topics, int gzip);

/* --- web_http.c ----------------------------------------------------------- */

typedef struct web_server web_server;
typedef struct web_api web_api; /* web_api.c: the timeline's running aggregate */

typedef struct web_server_opts {
	const struct sockaddr *addr; /* where to listen */
	const char *token;           /* required of every data request; NULL = none */
	int loopback_hosts_only;     /* refuse a Host header that names no loopback
	                                address (DNS rebinding) */
	web_qpool *qp;
	web_hub *hub;
	web_api *api;
	unsigned max_connections;
	int timeout_s; /* an idle connection is closed after this */
} web_server_opts;

int web_server_start(const web_server_opts *o, web_server **out, char *err, size_t errlen);
/* The port it listens on (the one picked when the address said 0). */
unsigned web_server_port(const web_server *ws);
void web_server_stop(web_server *ws);

/* A request as the handlers see it. */
typedef struct web_request {
	struct MHD_Connection *conn;
	const char *path;
	web_qpool *qp;
	web_hub *hub;
	web_api *api;
} web_request;

/* Queues a JSON reply (takes the reference) or a JSON error {"error": ...}. */
enum MHD_Result web_reply_json(const web_request *r, unsigned status, json_t *body);
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
enum MHD_Result
web_reply_error(const web_request *r, unsigned status, const char *fmt, ...);
/* Queues a response with the security headers every response carries. */
enum MHD_Result web_reply(const web_request *r, unsigned status, struct MHD_Response *resp,
                          const char *content_type);
/* The reply for a query that failed: 503 when truced did not answer. */
enum MHD_Result web_reply_query_error(const web_request *r, int rc,
                                      const Truce__V1__QueryReply *reply);

/* A query argument, NULL when absent. */
const char *web_arg(const web_request *r, const char *name);
/* Checks that every query argument is one of names (a NULL-terminated
 * list); queues a 400 and returns 0 when one is not. */
int web_args_known(const web_request *r, const char *const *names);
/* A number argument: 0 absent (dflt), 1 set, -1 bad (a 400 queued). */
int web_arg_u64(const web_request *r, const char *name, uint64_t max, uint64_t *out);
/* A YYYY-MM-DD argument: 0 absent, 1 set, -1 bad (a 400 queued). */
int web_arg_date(const web_request *r, const char *name, const char **out);

/* --- web_api.c ------------------------------------------------------------ */

int web_api_new(web_api **out);
void web_api_free(web_api *a);
/* Answers /api/... (but /api/events); 404 for an unknown path. */
enum MHD_Result web_api_handle(const web_request *r);

/* --- web_metrics.c -------------------------------------------------------- */

/* Answers /metrics: truced's counters, the web side's own. */
enum MHD_Result web_metrics_handle(const web_request *r);

#endif
