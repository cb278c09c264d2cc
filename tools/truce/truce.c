/*
 * truce.c - the `truce` command: dispatches to one subcommand per file.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "truce/truce.h"

struct subcommand {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct subcommand subcommands[] = {
    {"collect", cmd_collect, "send articles to truced and wait for durable acks"},
    {"feed", cmd_feed, "follow RSS, Atom and JSON feeds and send new articles to truced"},
    {"watch", cmd_watch, "print live violation alerts from truced"},
    {"replay", cmd_replay, "print the stored articles of a data directory"},
    {"extract", cmd_extract, "extract violation claims from articles (offline)"},
    {"export", cmd_export, "claims or incidents with filters; --scoring for the scorer"},
    {"query", cmd_export, "the same as export"},
    {"stats", cmd_stats, "counts and sequence numbers of a running truced"},
    {"keygen", cmd_keygen, "make a CURVE key pair (secret .key, public .pub)"},
    {"backup", cmd_backup, "a consistent copy of a store while truced runs"},
    {"restore", cmd_restore, "put a backup into an empty data directory"},
    {"bench", cmd_bench, "benchmarks: extract (MB/s on one core), ingest, sse, feed"},
    {"upgrade", cmd_upgrade, "upgrade a store written by an older truce, after a backup"},
    {"web", cmd_web, "dashboard, JSON API, event stream and metrics over HTTP"},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: truce COMMAND [OPTIONS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		fprintf(f, "  %-9s %s\n", subcommands[i].name, subcommands[i].summary);
	fprintf(f, "\n`truce COMMAND --help` describes each command.\n");
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "truce %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(see `truce %s --help`)\n", cmd);
	return CLI_EXIT_USAGE;
}

void cli_catch_stop(void (*on_stop)(int), int ignore_pipe)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	if (ignore_pipe)
		sigaction(SIGPIPE, &sa, NULL);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("truce %s\n", TRUCE_VERSION);
		return CLI_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (strcmp(argv[1], subcommands[i].name) == 0)
			return subcommands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "truce: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return CLI_EXIT_USAGE;
}
