/*
 * cmd_keygen.c - `truce keygen`: a CURVE key pair for truced or a client.
 *
 * PREFIX.key holds the secret key and is created with mode 0600 and
 * O_EXCL, so it is never readable by others, not even for an instant, and
 * never written through a file or symlink someone else put there.
 * PREFIX.pub holds the public key: give the daemon's to clients
 * (--curve-server-key) and put clients' into truced's --allow directory.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "truce/keys.h"

#define DEFAULT_PREFIX "truce"

static void keygen_usage(FILE *f)
{
	fprintf(f, "usage: truce keygen [--out PREFIX | --out DIR] [--force]\n\n"
	           "Makes a CURVE key pair: PREFIX.key (secret, mode 0600) and PREFIX.pub\n"
	           "(public). For a directory the prefix is DIR/" DEFAULT_PREFIX
	           "; without --out it is\n"
	           "./" DEFAULT_PREFIX ".\n\n"
	           "  --out PREFIX|DIR  where to write the pair\n"
	           "  --force           replace existing files (they are removed and created\n"
	           "                    anew, never rewritten in place)\n"
	           "  -h, --help        this text\n\n"
	           "truced: --curve-secret server.key --allow DIR (DIR holds the clients' .pub).\n"
	           "clients: --curve-server-key server.pub --curve-secret client.key\n");
}

int cmd_keygen(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"out", required_argument, NULL, 'o'},
	    {"force", no_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *out = NULL;
	int force = 0, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'f': force = 1; break;
		case 'h': keygen_usage(stdout); return CLI_EXIT_OK;
		default: return cli_usage_error("keygen", "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage_error("keygen", "unexpected argument '%s'", argv[optind]);
	if (out != NULL && out[0] == '\0')
		return cli_usage_error("keygen", "--out wants a path");
	char prefix[PATH_MAX];
	struct stat st;
	size_t n = out != NULL ? strlen(out) : 0;
	if (out == NULL)
		snprintf(prefix, sizeof(prefix), "%s", DEFAULT_PREFIX);
	else if (out[n - 1] == '/' || (stat(out, &st) == 0 && S_ISDIR(st.st_mode)))
		snprintf(prefix, sizeof(prefix), "%s%s" DEFAULT_PREFIX, out,
		         out[n - 1] == '/' ? "" : "/");
	else if (n >= sizeof(prefix))
		return cli_usage_error("keygen", "--out path too long");
	else
		snprintf(prefix, sizeof(prefix), "%s", out);
	char pub[TRUCE_KEY_Z85_LEN + 1], err[PATH_MAX + 128] = "";
	if (truce_keys_write_pair(prefix, force, pub, err, sizeof(err)) != 0) {
		fprintf(stderr, "truce keygen: %s\n", err);
		return CLI_EXIT_IO;
	}
	printf("secret key: %s.key (mode 0600; keep it private)\n"
	       "public key: %s.pub\n"
	       "%s\n",
	       prefix, prefix, pub);
	return CLI_EXIT_OK;
}
