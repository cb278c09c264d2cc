/*
 * web_http.c - the HTTP server of `truce web` (libmicrohttpd): routing,
 * the bearer token, request limits, the security headers every response
 * carries, and the dashboard's files, which are compiled in (web/, by
 * embed.cmake) so the binary serves them alone, with no CDN and no build
 * step.
 *
 * One thread per connection: a Server-Sent Events stream waits for the
 * next event inside its content reader, which libmicrohttpd allows only in
 * that mode; plain requests are short. The connection limit bounds the
 * threads.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "truce/date.h"
#include "web.h"
#include "web_assets.h"

#define WEB_MEMORY_LIMIT (32u << 10) /* request line + headers, per connection */
#define WEB_STACK_SIZE (1u << 20)

/* The page's scripts and styles come from this server only and no inline
 * script runs, so text from an article can never become code. */
#define WEB_CSP                                                                                    \
	"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "          \
	"connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

struct web_server {
	struct MHD_Daemon *d;
	web_server_opts o;
	const char *token;
	size_t token_len;
};

/* What a connection's first call leaves for the calls after it. */
typedef struct web_conn {
	int body_seen; /* a GET with a body: refused once it is read */
} web_conn;

/* --- replies ---------------------------------------------------------- */

enum MHD_Result web_reply(const web_request *r, unsigned status, struct MHD_Response *resp,
                          const char *content_type)
{
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	MHD_add_response_header(resp, "Content-Security-Policy", WEB_CSP);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "Cross-Origin-Resource-Policy", "same-origin");
	if (MHD_get_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL) == NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	enum MHD_Result ret = MHD_queue_response(r->conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

enum MHD_Result web_reply_json(const web_request *r, unsigned status, json_t *body)
{
	char *s = body != NULL ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	if (s == NULL)
		return MHD_NO;
	size_t n = strlen(s);
	/* One trailing newline, for curl on a terminal. */
	char *t = realloc(s, n + 2);
	if (t == NULL) {
		free(s);
		return MHD_NO;
	}
	t[n] = '\n';
	t[n + 1] = '\0';
	struct MHD_Response *resp =
	    MHD_create_response_from_buffer(n + 1, t, MHD_RESPMEM_MUST_FREE);
	if (resp == NULL)
		free(t);
	return web_reply(r, status, resp, "application/json; charset=utf-8");
}

enum MHD_Result web_reply_error(const web_request *r, unsigned status, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return web_reply_json(r, status, json_pack("{s:s, s:i}", "error", msg, "status", status));
}

enum MHD_Result web_reply_query_error(const web_request *r, int rc,
                                      const Truce__V1__QueryReply *reply)
{
	if (rc == TRUCE_ETIMEDOUT || rc == TRUCE_ENET)
		return web_reply_error(r, MHD_HTTP_SERVICE_UNAVAILABLE,
		                       "truced did not answer on its query socket");
	if (rc != 0)
		return web_reply_error(r, MHD_HTTP_BAD_GATEWAY, "query failed: %s",
		                       truce_strerror(rc));
	return web_reply_error(r, MHD_HTTP_BAD_GATEWAY, "truced refused the query: %s",
	                       reply != NULL && reply->error ? reply->error : "no reason given");
}

/* --- arguments --------------------------------------------------------- */

const char *web_arg(const web_request *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

typedef struct unknown_arg {
	const char *const *names;
	char bad[64];
} unknown_arg;

static enum MHD_Result check_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *value)
{
	unknown_arg *u = cls;
	(void)kind;
	(void)value;
	for (const char *const *n = u->names; *n != NULL; n++)
		if (strcmp(*n, key) == 0)
			return MHD_YES;
	snprintf(u->bad, sizeof(u->bad), "%s", key);
	return MHD_NO;
}

int web_args_known(const web_request *r, const char *const *names)
{
	unknown_arg u = {.names = names};
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, check_arg, &u);
	if (u.bad[0] == '\0')
		return 1;
	web_reply_error(r, MHD_HTTP_BAD_REQUEST, "unknown parameter '%s'", u.bad);
	return 0;
}

int web_arg_u64(const web_request *r, const char *name, uint64_t max, uint64_t *out)
{
	const char *v = web_arg(r, name);
	if (v == NULL)
		return 0;
	uint64_t n;
	if (truce_parse_u64(v, &n) != 0 || n > max) {
		web_reply_error(r, MHD_HTTP_BAD_REQUEST, "%s wants a whole number from 0 to %llu",
		                name, (unsigned long long)max);
		return -1;
	}
	*out = n;
	return 1;
}

int web_arg_date(const web_request *r, const char *name, const char **out)
{
	const char *v = web_arg(r, name);
	if (v == NULL)
		return 0;
	long day;
	if (strlen(v) != 10 || truce_date_day(v, &day) != 0) {
		web_reply_error(r, MHD_HTTP_BAD_REQUEST, "%s wants a date YYYY-MM-DD", name);
		return -1;
	}
	*out = v;
	return 1;
}

/* --- the dashboard's files --------------------------------------------- */

static const char *asset_type(const char *name)
{
	const char *dot = strrchr(name, '.');
	if (dot != NULL && strcmp(dot, ".js") == 0)
		return "text/javascript; charset=utf-8";
	if (dot != NULL && strcmp(dot, ".css") == 0)
		return "text/css; charset=utf-8";
	if (dot != NULL && strcmp(dot, ".svg") == 0)
		return "image/svg+xml";
	return "text/html; charset=utf-8";
}

/* 1 with a reply queued when path names one of the embedded files. */
static int serve_asset(const web_request *r, enum MHD_Result *ret)
{
	const char *name = strcmp(r->path, "/") == 0 ? "index.html" : r->path + 1;
	for (size_t i = 0; i < web__assets_count; i++) {
		if (strcmp(web__assets[i].name, name) != 0)
			continue;
		struct MHD_Response *resp = MHD_create_response_from_buffer(
		    web__assets[i].len, (void *)web__assets[i].data, MHD_RESPMEM_PERSISTENT);
		if (resp != NULL)
			MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
		*ret = web_reply(r, MHD_HTTP_OK, resp, asset_type(name));
		return 1;
	}
	return 0;
}

/* --- authentication ---------------------------------------------------- */

static int token_matches(const web_server *ws, const char *given)
{
	return given != NULL && strlen(given) == ws->token_len &&
	       sodium_memcmp(given, ws->token, ws->token_len) == 0;
}

/* The token comes as "Authorization: Bearer T", or as the truce_token
 * cookie the dashboard sets (a browser's EventSource sends no header). */
static int authorized(const web_server *ws, struct MHD_Connection *c)
{
	if (ws->token == NULL)
		return 1;
	const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
	if (auth != NULL && strncmp(auth, "Bearer ", 7) == 0 && token_matches(ws, auth + 7))
		return 1;
	return token_matches(ws, MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "truce_token"));
}

/* --- the Host header ----------------------------------------------------- */

/*
 * A server on a loopback address answers only to a Host that is one: a web
 * page elsewhere could otherwise point its own name at 127.0.0.1 (DNS
 * rebinding) and read the API from a browser on this machine, with no token
 * to stop it. A request without Host (HTTP/1.0) comes from no such page.
 */
static int host_is_loopback(const char *host)
{
	char name[256];
	const char *end;
	if (host == NULL)
		return 1;
	if (host[0] == '[') {
		end = strchr(host, ']');
		if (end == NULL || (size_t)(end - host - 1) >= sizeof(name))
			return 0;
		memcpy(name, host + 1, (size_t)(end - host - 1));
		name[end - host - 1] = '\0';
		struct in6_addr a6;
		return inet_pton(AF_INET6, name, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
	}
	end = strchr(host, ':');
	size_t n = end != NULL ? (size_t)(end - host) : strlen(host);
	if (n >= sizeof(name))
		return 0;
	memcpy(name, host, n);
	name[n] = '\0';
	struct in_addr a4;
	if (inet_pton(AF_INET, name, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	return strcasecmp(name, "localhost") == 0;
}

/* --- routing ----------------------------------------------------------- */

typedef struct topic_list {
	const char *v[WEB_MAX_TOPICS];
	size_t n;
	int too_many;
} topic_list;

static enum MHD_Result take_topic(void *cls, enum MHD_ValueKind kind, const char *key,
                                  const char *value)
{
	topic_list *t = cls;
	(void)kind;
	if (strcmp(key, "topic") != 0 || value == NULL)
		return MHD_YES;
	if (t->n == WEB_MAX_TOPICS) {
		t->too_many = 1;
		return MHD_NO;
	}
	t->v[t->n++] = value;
	return MHD_YES;
}

/* Whether an Accept-Encoding header lists gzip with a weight above zero
 * ("gzip, deflate, br"; "gzip;q=0" refuses it). */
static int accepts_gzip(const char *ae)
{
	while (ae != NULL && *ae != '\0') {
		ae += strspn(ae, " \t,");
		size_t name = strcspn(ae, " \t;,");
		size_t item = strcspn(ae, ",");
		if (name == 4 && strncasecmp(ae, "gzip", 4) == 0) {
			const char *q = ae + name;
			q += strspn(q, " \t;");
			if (item <= (size_t)(q - ae) || strncasecmp(q, "q=", 2) != 0)
				return 1;
			/* q=0, q=0.0, q=0.00, q=0.000 refuse; any other weight takes. */
			q += 2;
			size_t zeros =
			    q[0] == '0' ? 1 + (q[1] == '.' ? 1 + strspn(q + 2, "0") : 0) : 0;
			return zeros == 0 ||
			       (q[zeros] != '\0' && q[zeros] != ',' && q[zeros] != ' ' &&
			        q[zeros] != '\t' && q[zeros] != ';');
		}
		ae += item;
	}
	return 0;
}

/* /api/events: from Last-Event-ID (what a reconnecting EventSource sends),
 * else ?since=N, else from now on; gzip when the client accepts it. */
static enum MHD_Result serve_events(const web_request *r)
{
	static const char *const known[] = {"since", "topic", NULL};
	if (!web_args_known(r, known))
		return MHD_YES;
	topic_list t = {.n = 0};
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, take_topic, &t);
	if (t.too_many)
		return web_reply_error(r, MHD_HTTP_BAD_REQUEST, "at most %d topic parameters",
		                       WEB_MAX_TOPICS);
	uint64_t after = 0;
	const char *last_id =
	    MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_LAST_EVENT_ID);
	if (last_id != NULL && last_id[0] != '\0') {
		if (truce_parse_u64(last_id, &after) != 0)
			return web_reply_error(r, MHD_HTTP_BAD_REQUEST,
			                       "Last-Event-ID wants an event seq");
	} else {
		int got = web_arg_u64(r, "since", TRUCE_SEQ_MAX - 1, &after);
		if (got < 0)
			return MHD_YES;
		if (got == 0)
			web_hub_counts(r->hub, NULL, NULL, &after);
	}
	int gzip = accepts_gzip(
	    MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_ENCODING));
	struct MHD_Response *resp = web_sse_response(r->hub, after, t.v, t.n, gzip);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, "X-Accel-Buffering", "no");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY, MHD_HTTP_HEADER_ACCEPT_ENCODING);
	if (gzip)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
	return web_reply(r, MHD_HTTP_OK, resp, "text/event-stream; charset=utf-8");
}

static enum MHD_Result route(const web_server *ws, const web_request *r)
{
	enum MHD_Result ret;
	const char *host = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Host");
	if (ws->o.loopback_hosts_only && !host_is_loopback(host))
		return web_reply_error(r, MHD_HTTP_FORBIDDEN,
		                       "Host '%.100s' is not a loopback address: this server "
		                       "answers only to localhost, 127.0.0.0/8 and [::1]",
		                       host);
	if (serve_asset(r, &ret))
		return ret;
	if (!authorized(ws, r->conn)) {
		struct MHD_Response *resp = NULL;
		char *s = strdup("{\"error\":\"this server wants a token: Authorization: Bearer "
		                 "TOKEN\",\"status\":401}\n");
		if (s != NULL)
			resp = MHD_create_response_from_buffer(strlen(s), s, MHD_RESPMEM_MUST_FREE);
		if (resp == NULL) {
			free(s);
			return MHD_NO;
		}
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
		return web_reply(r, MHD_HTTP_UNAUTHORIZED, resp, "application/json; charset=utf-8");
	}
	if (strcmp(r->path, "/metrics") == 0)
		return web_metrics_handle(r);
	if (strcmp(r->path, "/api/events") == 0)
		return serve_events(r);
	if (strncmp(r->path, "/api/", 5) == 0)
		return web_api_handle(r);
	return web_reply_error(r, MHD_HTTP_NOT_FOUND, "no such page: %s", r->path);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
	web_server *ws = cls;
	(void)version;
	(void)upload;
	web_request r = {
	    .conn = c, .path = url, .qp = ws->o.qp, .hub = ws->o.hub, .api = ws->o.api};
	int read_only =
	    strcmp(method, MHD_HTTP_METHOD_GET) == 0 || strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
	if (*con_cls == NULL) {
		web_conn *wc = calloc(1, sizeof(*wc));
		if (wc == NULL)
			return MHD_NO;
		*con_cls = wc;
		/* Refused before any body is read: nothing here writes. */
		if (!read_only)
			return web_reply_error(&r, MHD_HTTP_METHOD_NOT_ALLOWED,
			                       "%s: this server is read-only (GET and HEAD only)",
			                       method);
		return MHD_YES;
	}
	web_conn *wc = *con_cls;
	if (*upload_size != 0) {
		wc->body_seen = 1;
		*upload_size = 0; /* read and dropped; refused below */
		return MHD_YES;
	}
	if (wc->body_seen)
		return web_reply_error(&r, MHD_HTTP_CONTENT_TOO_LARGE,
		                       "a GET request carries no body");
	return route(ws, &r);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)c;
	(void)toe;
	free(*con_cls);
	*con_cls = NULL;
}

int web_server_start(const web_server_opts *o, web_server **out, char *err, size_t errlen)
{
	web_server *ws = calloc(1, sizeof(*ws));
	if (ws == NULL)
		return TRUCE_ENOMEM;
	ws->o = *o;
	ws->token = o->token;
	ws->token_len = o->token != NULL ? strlen(o->token) : 0;
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
	                 MHD_USE_POLL | MHD_USE_ERROR_LOG;
	if (o->addr->sa_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	ws->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, ws, MHD_OPTION_SOCK_ADDR,
	                         o->addr, MHD_OPTION_CONNECTION_LIMIT, o->max_connections,
	                         MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)o->timeout_s,
	                         MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)WEB_MEMORY_LIMIT,
	                         MHD_OPTION_THREAD_STACK_SIZE, (size_t)WEB_STACK_SIZE,
	                         MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_END);
	if (ws->d == NULL) {
		snprintf(err, errlen,
		         "libmicrohttpd could not listen there (in use, or not an "
		         "address of this machine)");
		free(ws);
		return TRUCE_ENET;
	}
	*out = ws;
	return 0;
}

unsigned web_server_port(const web_server *ws)
{
	const union MHD_DaemonInfo *i = MHD_get_daemon_info(ws->d, MHD_DAEMON_INFO_BIND_PORT);
	return i != NULL ? i->port : 0;
}

void web_server_stop(web_server *ws)
{
	if (ws == NULL)
		return;
	MHD_stop_daemon(ws->d);
	free(ws);
}
