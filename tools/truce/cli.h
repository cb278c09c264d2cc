/*
 * cli.h - what the truce subcommands share: their entry points, the article
 * readers (text, HTML, JSON Lines, stdin) and exit codes.
 */
#ifndef TRUCE_TOOLS_CLI_H
#define TRUCE_TOOLS_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "truce/client.h"
#include "truce/wire.h"

/* Exit codes every subcommand uses, so scripts can trust them. */
enum {
	TRUCE_EXIT_OK = 0,
	TRUCE_EXIT_FAIL = 1,  /* the work ran and found a failure (unacked article, diff, ...) */
	TRUCE_EXIT_USAGE = 2, /* bad command line */
	TRUCE_EXIT_IO = 3,    /* could not read input, open the store or connect */
};

int truce_cmd_collect(int argc, char **argv);
int truce_cmd_watch(int argc, char **argv);
int truce_cmd_replay(int argc, char **argv);
int truce_cmd_extract(int argc, char **argv);
int truce_cmd_bench(int argc, char **argv);
int truce_cmd_stats(int argc, char **argv);
int truce_cmd_export(int argc, char **argv);
int truce_cmd_keygen(int argc, char **argv);
/* `truce bench ingest` (tools/truce/bench_ingest.c), dispatched by `truce bench`. */
int truce_bench_ingest(int argc, char **argv);

/* One input article; strings are NUL-terminated UTF-8 (body may hold NULs
 * only if the input did; body_len is authoritative). NULL = absent. */
typedef struct truce_input_article {
	char *id;
	char *url;
	char *source;
	char *title;
	char *published;
	char *body;
	size_t body_len;
	int is_html;
	char where[300]; /* "file:line" for messages */
} truce_input_article;

/* Values given on the command line for single files. */
typedef struct truce_input_defaults {
	const char *source;
	const char *published;
	const char *url;
} truce_input_defaults;

/* Called once per article; return non-zero to stop reading. The article's
 * strings belong to the reader and are freed after the call returns. */
typedef int (*truce_input_fn)(void *ctx, const truce_input_article *a);

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
void truce_input_to_wire(const truce_input_article *a, int force_html, const char *collector_id,
                         Truce__V1__Article *out);

int truce_input_jsonl(const char *path, truce_input_fn fn, void *ctx, size_t *bad_lines);

/*
 * Reads one plain-text (first line = title) or HTML file (by extension or
 * by a leading '<'); "-" is stdin. The id is the file's base name.
 */
int truce_input_file(const char *path, const truce_input_defaults *d, truce_input_fn fn, void *ctx);

/* Parses a non-negative decimal; 0 on success, -1 on junk or overflow. */
int truce_parse_u64(const char *s, unsigned long long *out);

/* Prints "usage" text and returns TRUCE_EXIT_USAGE, for option errors. */
int truce_usage_error(const char *cmd, const char *fmt, ...);

/* --- CURVE options shared by the client subcommands (cli_keys.c) -------- */

/* getopt_long values for the two options; above any short option. */
enum { TRUCE_OPT_CURVE_SERVER_KEY = 0x1001, TRUCE_OPT_CURVE_SECRET = 0x1002 };

/* The two entries every client command adds to its option table. */
#define TRUCE_KEY_OPTIONS                                                                          \
	{"curve-server-key", required_argument, NULL, TRUCE_OPT_CURVE_SERVER_KEY},                 \
	{                                                                                          \
		"curve-secret", required_argument, NULL, TRUCE_OPT_CURVE_SECRET                    \
	}

/* Their --help lines. */
#define TRUCE_KEY_USAGE                                                                            \
	"  --curve-server-key FILE  truced's public key (.pub): talk CURVE to it\n"                \
	"  --curve-secret FILE      this client's secret key (.key, mode 0600)\n"

typedef struct truce_key_args {
	const char *server_key;
	const char *secret;
} truce_key_args;

/* Takes one of the two options; returns 1 when c was one of them. */
int truce_key_args_take(truce_key_args *a, int c, const char *arg);

/*
 * Loads the keys the options name. Returns an exit code: 0 (out is set; off
 * when neither option was given), 2 when only one of the two was given, 3
 * when a key file is unusable. Says why on stderr as "truce CMD: ...".
 */
int truce_key_args_load(const char *cmd, const truce_key_args *a, truce_client_keys *out);

#endif
