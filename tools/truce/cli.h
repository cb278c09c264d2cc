/*
 * cli.h - what the truce subcommands share: their entry points, the article
 * readers (text, HTML, JSON Lines, stdin) and exit codes.
 */
#ifndef TRUCE_CLI_H
#define TRUCE_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "truce/client.h"
#include "truce/wire.h"

/* Exit codes every subcommand uses, so scripts can trust them. */
enum {
	CLI_EXIT_OK = 0,
	CLI_EXIT_FAIL = 1,  /* the work ran and found a failure (unacked article, diff, ...) */
	CLI_EXIT_USAGE = 2, /* bad command line */
	CLI_EXIT_IO = 3,    /* could not read input, open the store or connect */
};

int cmd_collect(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_extract(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_upgrade(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_restore(int argc, char **argv);
int cmd_web(int argc, char **argv);
int cmd_feed(int argc, char **argv);
/* `truce bench ingest` (tools/truce/bench_ingest.c), dispatched by `truce bench`. */
int cmd_bench_ingest(int argc, char **argv);
/* `truce bench sse` (tools/truce/bench_sse.c): SSE clients of truce web. */
int cmd_bench_sse(int argc, char **argv);
/* `truce bench feed` (tools/truce/feed/bench.c), dispatched by `truce bench`. */
int cmd_bench_feed(int argc, char **argv);
/* `truce collect --watch DIR` (tools/truce/collect_watch.c). */
int cli_collect_watch(int argc, char **argv);

/* One input article; strings are NUL-terminated UTF-8 (body may hold NULs
 * only if the input did; body_len is authoritative). NULL = absent. */
typedef struct cli_input_article {
	char *id;
	char *url;
	char *source;
	char *title;
	char *published;
	char *body;
	size_t body_len;
	int is_html;
	char where[300]; /* "file:line" for messages */
} cli_input_article;

/* Values given on the command line for single files. */
typedef struct cli_input_defaults {
	const char *source;
	const char *published;
	const char *url;
} cli_input_defaults;

/* Called once per article; return non-zero to stop reading. The article's
 * strings belong to the reader and are freed after the call returns. */
typedef int (*cli_input_fn)(void *ctx, const cli_input_article *a);

/*
 * Reads JSON Lines in the corpus format (ANNOTATION.md). A line that is not
 * a JSON object with a string body is reported on stderr and counted in
 * *bad_lines, and reading goes on. path "-" is stdin.
 * Returns 0, or TRUCE_EIO when the file cannot be read.
 */
/*
 * The wire Article of an input article (pointers borrow from a): what
 * `truce collect` sends, and what `truce extract` and `truce bench extract`
 * hand the extractor, so that all three see the article truced would.
 */
void cli_input_to_wire(const cli_input_article *a, int force_html, const char *collector_id,
                       Truce__V1__Article *out);

int cli_input_jsonl(const char *path, cli_input_fn fn, void *ctx, size_t *bad_lines);

/*
 * Reads one plain-text (first line = title) or HTML file (by extension or
 * by a leading '<'); "-" is stdin. The id is the file's base name.
 */
int cli_input_file(const char *path, const cli_input_defaults *d, cli_input_fn fn, void *ctx);

/* The bundled sample articles, tests/data/seeds.jsonl: under
 * $TRUCE_SOURCE_DIR, else in the checkout this binary was built from. */
void cli_default_seeds(char *out, size_t len);

/* Calls on_stop on SIGINT and SIGTERM (without SA_RESTART, so a blocking
 * call returns EINTR), for the commands that run until stopped; with
 * ignore_pipe also ignores SIGPIPE (a peer that hangs up is then an error
 * to report, not a death; keep it for commands whose output may go into a
 * pipe that closes, like `truce watch | head`). */
void cli_catch_stop(void (*on_stop)(int), int ignore_pipe);

/* Prints "usage" text and returns CLI_EXIT_USAGE, for option errors. */
int cli_usage_error(const char *cmd, const char *fmt, ...);

/* --- CURVE options shared by the client subcommands (cli_keys.c) -------- */

/* getopt_long values for the two options; above any short option. */
enum { CLI_OPT_CURVE_SERVER_KEY = 0x1001, CLI_OPT_CURVE_SECRET = 0x1002 };

/* The two entries every client command adds to its option table. */
#define CLI_KEY_OPTIONS                                                                            \
	{"curve-server-key", required_argument, NULL, CLI_OPT_CURVE_SERVER_KEY},                   \
	{                                                                                          \
		"curve-secret", required_argument, NULL, CLI_OPT_CURVE_SECRET                      \
	}

/* Their --help lines. */
#define CLI_KEY_USAGE                                                                              \
	"  --curve-server-key FILE  truced's public key (.pub): talk CURVE to it\n"                \
	"  --curve-secret FILE      this client's secret key (.key, mode 0600)\n"

typedef struct cli_key_args {
	const char *server_key;
	const char *secret;
} cli_key_args;

/* Takes one of the two options; returns 1 when c was one of them. */
int cli_key_args_take(cli_key_args *a, int c, const char *arg);

/*
 * Loads the keys the options name. Returns an exit code: 0 (out is set; off
 * when neither option was given), 2 when only one of the two was given, 3
 * when a key file is unusable. Says why on stderr as "truce CMD: ...".
 */
int cli_key_args_load(const char *cmd, const cli_key_args *a, truce_client_keys *out);

/* --- the log of the commands that run until stopped (cli_log.c) --------- */

enum { CLI_LOG_ERROR, CLI_LOG_WARN, CLI_LOG_INFO, CLI_LOG_DEBUG };

typedef struct cli_log {
	int level; /* messages above it are dropped */
	FILE *out; /* NULL: stderr */
} cli_log;

/* One line: RFC 3339 UTC time, level, stage, message. */
__attribute__((format(printf, 4, 5))) void cli_logf(const cli_log *lg, int level, const char *stage,
                                                    const char *fmt, ...);
/* "error", "warn", "info", "debug"; TRUCE_EINVAL otherwise. */
int cli_log_parse_level(const char *s, int *level);

/* --- signals of the commands that run until stopped (cli_signal.c) ------ */

/* Installs the handlers (SIGTERM/SIGINT: stop; SIGHUP: reload; SIGPIPE
 * ignored) and returns a descriptor that becomes readable on a signal (for
 * a poll loop), or -1 when no pipe could be made. */
int cli_signals_install(void);
/* The stop signal received, 0 when none. */
int cli_signal_stop(void);
/* 1 once after each SIGHUP; also empties the wake-up pipe. */
int cli_signal_reload(void);

/* --- a sender that never finishes (outbox.c) ---------------------------- */

/*
 * For collectors that run until stopped (`truce feed`, `truce collect
 * --watch`): truce_sender with a caller's tag per article, connected to
 * one endpoint, renewing its socket once in a while so that a months-long
 * run does not keep a slot per article ever sent. Articles are re-sent
 * until acked, with no deadline: a daemon that is down is waited for.
 */
typedef struct cli_outbox cli_outbox;

/* Called once per article with its tag when its first Ack arrives. */
typedef void (*cli_outbox_ack_fn)(void *ctx, void *tag, const truce_send_item *it);

typedef struct cli_outbox_opts {
	const char *connect;           /* truced's ingest endpoint */
	const truce_client_keys *keys; /* CURVE; NULL = plain (copied) */
	size_t window;                 /* most articles unacked at once */
	int64_t timeout_ms;            /* first re-send timeout */
	const char *label;
	cli_outbox_ack_fn on_ack;
	void (*free_tag)(void *tag); /* for the tags of articles unacked at close; may be NULL */
	void *ctx;
} cli_outbox_opts;

int cli_outbox_open(void *zctx, const cli_outbox_opts *o, cli_outbox **out);
void cli_outbox_close(cli_outbox *ob);
/* Queues a packed Article (copied) with its tag. */
int cli_outbox_add(cli_outbox *ob, const uint8_t *frame, size_t len, void *tag);
/* Articles added and not yet acked; room left in the window. */
size_t cli_outbox_unacked(const cli_outbox *ob);
size_t cli_outbox_room(const cli_outbox *ob);
/* One turn of the sender (sends, re-sends, acks); may renew the socket. */
int cli_outbox_pump(cli_outbox *ob, int wait_ms);
/* For a poll loop: the socket's ZMQ_FD (it changes when the socket is
 * renewed), and whether acks are waiting (check before sleeping: ZMQ_FD
 * only signals changes). */
int cli_outbox_fd(cli_outbox *ob);
int cli_outbox_readable(cli_outbox *ob);
/* Why the last handshake failed, or NULL. */
const char *cli_outbox_failure(cli_outbox *ob);

#endif
