/*
 * config.h - truced's settings: one table of options that both the command
 * line (getopt_long) and the configuration file read, so a flag and its
 * file key can never drift apart.
 *
 * The file is `key = value` lines; the keys are the long option names
 * (`batch = 512` is `--batch 512`), blank lines and lines starting with '#'
 * are ignored. Flags win over the file. Each option says whether SIGHUP can
 * apply a change to it while truced runs (rules, allow, log-level) or only
 * a restart can.
 */
#ifndef TRUCED_CONFIG_H
#define TRUCED_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "log.h"
#include "truce/wire.h"

#define TRUCED_DEFAULT_INGEST "tcp://127.0.0.1:7701"
#define TRUCED_DEFAULT_PUBLISH "tcp://127.0.0.1:7702"
#define TRUCED_DEFAULT_QUERY "tcp://127.0.0.1:7703"
#define TRUCED_DEFAULT_DATA "truce-data"
#define TRUCED_THREADS_AUTO SIZE_MAX /* --parse-threads auto: cores - 1 */

/* Every setting of truced; strings are owned (malloc'd) or NULL. */
typedef struct truced_config {
	char *data_dir;
	char *ingest_ep;
	char *publish_ep;
	char *query_ep;
	char *rules_dir;    /* NULL: the built-in rules */
	char *curve_secret; /* server secret key file: CURVE on every socket */
	char *allow_dir;    /* *.pub of the clients the ZAP handler admits */
	int insecure;       /* no keys, yet bind beyond loopback/ipc */
	size_t batch;
	size_t parse_threads; /* TRUCED_THREADS_AUTO until resolved */
	size_t map_size;      /* bytes (the option and key take MiB) */
	size_t pub_hwm;       /* events queued per subscriber before PUB drops */
	size_t disk_warn;     /* warn when free disk falls under this percentage */
	int sync;
	truce_limits limits;
	truced_log log;
} truced_config;

enum truced_option_kind {
	TRUCED_OPT_STRING, /* a path or endpoint; an empty value in the file = unset */
	TRUCED_OPT_COUNT,  /* a decimal from min to max (in units of 2^shift) */
	TRUCED_OPT_BOOL,   /* a flag on the command line; yes/no in the file */
	TRUCED_OPT_NAME,   /* one of names[], stored as its index */
};

typedef struct truced_option {
	const char *name;         /* --name, and the key in the file */
	const char *arg;          /* the value's name in --help; NULL for a BOOL */
	const char *const *names; /* NAME: the accepted words, NULL-terminated */
	const char *help;         /* lines of --help and of the example file */
	size_t offset;            /* of the field in truced_config */
	uint64_t min, max;        /* COUNT */
	enum truced_option_kind kind;
	unsigned shift; /* COUNT: the value is given in units of 2^shift */
	int auto_ok;    /* COUNT: "auto" means TRUCED_THREADS_AUTO */
	int live;       /* SIGHUP applies a change without a restart */
} truced_option;

/* The table, in --help order. */
extern const truced_option truced_options[];
extern const size_t truced_option_count;

/* Receives one error sentence ("FILE:LINE: reason" or "--opt: reason"). */
typedef void (*truced_config_err_fn)(void *ctx, const char *msg);

/* The defaults; 0 or TRUCE_ENOMEM. Free with truced_config_free. */
int truced_config_init(truced_config *c);
void truced_config_free(truced_config *c);

/* The option of a name, NULL when there is none. */
const truced_option *truced_option_find(const char *name);

/*
 * Sets one option from its text (a flag's argument, or a file's value; a
 * BOOL takes "yes"/"no" and the like, or NULL for a bare flag). Returns 0,
 * or TRUCE_EINVAL with the reason in why, or TRUCE_ENOMEM.
 */
int truced_option_set(truced_config *c, const truced_option *o, const char *value, char *why,
                      size_t whylen);

/* The value of an option as the file would spell it ("" for unset). */
void truced_option_format(const truced_config *c, const truced_option *o, char *buf, size_t len);

/* 1 when a and b hold the same value for o. */
int truced_option_equal(const truced_config *a, const truced_config *b, const truced_option *o);

/* Moves o's value from src to dst (a string changes owner). */
void truced_option_move(truced_config *dst, truced_config *src, const truced_option *o);

/*
 * Reads a configuration file (`name` names it in errors) into c. Every
 * error is reported, each as "NAME:LINE: reason"; the options of the lines
 * before an error are set. Returns 0, TRUCE_EINVAL (errors reported),
 * TRUCE_EIO (the file cannot be read, reported) or TRUCE_ENOMEM.
 */
int truced_config_read(truced_config *c, FILE *in, const char *name, truced_config_err_fn err,
                       void *ctx);
int truced_config_load(truced_config *c, const char *path, truced_config_err_fn err, void *ctx);

/*
 * Writes c as a configuration file: each option's help as comments, then
 * `key = value`; an option at its default is written commented out, so the
 * output is the example file when c holds the defaults. Reading it back
 * gives c again.
 */
void truced_config_print(const truced_config *c, FILE *out);

/* The --help lines of the options. */
void truced_config_usage(FILE *out);

/* The command line: actions, the file to read, then the flags to apply on
 * top of it (kept so that SIGHUP can apply them again over a re-read file). */
typedef struct truced_cmdline {
	const char *config_path;
	int check;        /* --check: validate and exit */
	int print_config; /* --print-config */
	int help;
	int version;
	size_t n;
	struct truced_cmdline_arg {
		const truced_option *opt;
		const char *value; /* argv's; NULL for a bare flag */
	} * args;
} truced_cmdline;

/* Parses argv. Returns 0, or TRUCE_EINVAL with the reason reported. */
int truced_cmdline_parse(int argc, char **argv, truced_cmdline *cl, truced_config_err_fn err,
                         void *ctx);
void truced_cmdline_free(truced_cmdline *cl);

/*
 * defaults, then the file (when cl names one), then the flags: the whole
 * configuration, checked (CURVE options go together; without keys only
 * local endpoints unless insecure). Returns 0 or TRUCE_EINVAL / TRUCE_EIO /
 * TRUCE_ENOMEM with every reason reported; c is always initialised and must
 * be freed.
 */
int truced_config_build(truced_config *c, const truced_cmdline *cl, truced_config_err_fn err,
                        void *ctx);

#endif
