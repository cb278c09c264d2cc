/*
 * config.c - truced's options (see config.h): the one table, its parsing
 * from argv and from a `key = value` file, formatting (--print-config, the
 * example file, the round trip), and the checks on the whole configuration.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "config.h"

#define CONFIG_LINE_MAX 4096
#define CMD_VAL_BASE 0x100 /* getopt values: table index + this */

enum { CMD_CONFIG = 1, CMD_CHECK, CMD_PRINT, CMD_HELP, CMD_VERSION };

static const char *const sync_names[] = {"full", "meta", "none", NULL};

/* A row of the table, in the order of its fields' meaning. */
#define OPT(n, k, field, a, lo, hi, sh, au, nm, lv, h)                                             \
	{                                                                                          \
		.name = (n), .kind = (k), .offset = offsetof(truced_config, field), .arg = (a),    \
		.min = (lo), .max = (hi), .shift = (sh), .auto_ok = (au), .names = (nm),           \
		.live = (lv), .help = (h)                                                          \
	}

const truced_option truced_options[] = {
    OPT("data", TRUCED_OPT_STRING, data_dir, "DIR", 0, 0, 0, 0, NULL, 0,
        "data directory (LMDB), created with mode 0700"),
    OPT("ingest", TRUCED_OPT_STRING, ingest_ep, "EP", 0, 0, 0, 0, NULL, 0,
        "collectors' ROUTER endpoint"),
    OPT("publish", TRUCED_OPT_STRING, publish_ep, "EP", 0, 0, 0, 0, NULL, 0,
        "subscribers' PUB endpoint"),
    OPT("query", TRUCED_OPT_STRING, query_ep, "EP", 0, 0, 0, 0, NULL, 0,
        "query ROUTER endpoint (catch-up, stats, exports, audits)"),
    OPT("batch", TRUCED_OPT_COUNT, batch, "N", 1, 1000000, 0, 0, NULL, 0,
        "most messages per commit"),
    OPT("parse-threads", TRUCED_OPT_COUNT, parse_threads, "N", 0, 64, 0, 1, NULL, 0,
        "validation and extraction threads, parsing the\n"
        "next batch while the main one commits (auto = one per\n"
        "core; 0 = the main thread parses alone)"),
    OPT("sync", TRUCED_OPT_NAME, sync, "MODE", 0, 0, 0, 0, sync_names, 0,
        "full (fsync every commit) | meta | none"),
    OPT("map-size", TRUCED_OPT_COUNT, map_size, "MIB", 1, SIZE_MAX >> 20, 20, 0, NULL, 0,
        "initial LMDB map size in MiB (it grows when full)"),
    OPT("max-message", TRUCED_OPT_COUNT, limits.max_message, "B", 1, SIZE_MAX, 0, 0, NULL, 0,
        "largest accepted frame in bytes"),
    OPT("max-body", TRUCED_OPT_COUNT, limits.max_body, "B", 1, SIZE_MAX, 0, 0, NULL, 0,
        "largest accepted article body in bytes"),
    OPT("rules", TRUCED_OPT_STRING, rules_dir, "DIR", 0, 0, 0, 0, NULL, 1,
        "extraction rule files replacing the built-in ones of the\n"
        "same names (SIGHUP reloads them)"),
    OPT("pub-hwm", TRUCED_OPT_COUNT, pub_hwm, "N", 1, 2147483647, 0, 0, NULL, 0,
        "events queued per subscriber before PUB drops them\n"
        "(a subscriber backfills what it missed)"),
    OPT("curve-secret", TRUCED_OPT_STRING, curve_secret, "FILE", 0, 0, 0, 0, NULL, 0,
        "this server's secret key (truce keygen): every socket\n"
        "becomes a CURVE server"),
    OPT("allow", TRUCED_OPT_STRING, allow_dir, "DIR", 0, 0, 0, 0, NULL, 1,
        "*.pub public keys of the clients admitted (with\n"
        "curve-secret; SIGHUP reloads them)"),
    OPT("insecure", TRUCED_OPT_BOOL, insecure, NULL, 0, 0, 0, 0, NULL, 0,
        "without keys, still bind non-loopback endpoints"),
    OPT("log-level", TRUCED_OPT_NAME, log.level, "L", 0, 0, 0, 0, truced_log_level_names, 1,
        "error | warn | info | debug"),
    OPT("disk-warn", TRUCED_OPT_COUNT, disk_warn, "PCT", 0, 100, 0, 0, NULL, 0,
        "warn in the log and in truce stats when the file system of\n"
        "the data directory has less than PCT% free (0 = never)"),
};
const size_t truced_option_count = sizeof(truced_options) / sizeof(truced_options[0]);

static void reportf(truced_config_err_fn err, void *ctx, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void reportf(truced_config_err_fn err, void *ctx, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (err != NULL)
		err(ctx, msg);
}

static void *field(const truced_config *c, const truced_option *o)
{
	return (char *)c + o->offset;
}

/* Fields are char *, size_t or int by kind. */
static char **str_field(const truced_config *c, const truced_option *o)
{
	return (char **)field(c, o);
}

static size_t *count_field(const truced_config *c, const truced_option *o)
{
	return (size_t *)field(c, o);
}

static int *int_field(const truced_config *c, const truced_option *o)
{
	return (int *)field(c, o);
}

static int set_string(truced_config *c, const truced_option *o, const char *v)
{
	char *copy = NULL;
	if (v[0] != '\0' && (copy = strdup(v)) == NULL)
		return TRUCE_ENOMEM;
	free(*str_field(c, o));
	*str_field(c, o) = copy;
	return 0;
}

int truced_config_init(truced_config *c)
{
	memset(c, 0, sizeof(*c));
	c->batch = 256;
	c->parse_threads = TRUCED_THREADS_AUTO;
	c->map_size = (size_t)256 << 20;
	c->pub_hwm = 100000;
	c->disk_warn = 10;
	c->sync = 0;
	c->limits.max_message = TRUCE_DEFAULT_MAX_MESSAGE;
	c->limits.max_body = TRUCE_DEFAULT_MAX_BODY;
	c->log.level = TRUCED_LOG_INFO;
	c->log.out = stderr;
	static const struct {
		const char *name;
		const char *value;
	} strings[] = {{"data", TRUCED_DEFAULT_DATA},
	               {"ingest", TRUCED_DEFAULT_INGEST},
	               {"publish", TRUCED_DEFAULT_PUBLISH},
	               {"query", TRUCED_DEFAULT_QUERY}};
	for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
		if (set_string(c, truced_option_find(strings[i].name), strings[i].value) != 0) {
			truced_config_free(c);
			return TRUCE_ENOMEM;
		}
	}
	return 0;
}

void truced_config_free(truced_config *c)
{
	for (size_t i = 0; i < truced_option_count; i++) {
		if (truced_options[i].kind == TRUCED_OPT_STRING) {
			free(*str_field(c, &truced_options[i]));
			*str_field(c, &truced_options[i]) = NULL;
		}
	}
}

const truced_option *truced_option_find(const char *name)
{
	for (size_t i = 0; i < truced_option_count; i++)
		if (strcmp(truced_options[i].name, name) == 0)
			return &truced_options[i];
	return NULL;
}

static int parse_bool(const char *v, int *out)
{
	static const char *const yes[] = {"yes", "true", "on", "1"};
	static const char *const no[] = {"no", "false", "off", "0"};
	for (int i = 0; i < 4; i++) {
		if (strcmp(v, yes[i]) == 0 || strcmp(v, no[i]) == 0) {
			*out = strcmp(v, yes[i]) == 0;
			return 0;
		}
	}
	return -1;
}

static void names_list(const char *const *names, char *buf, size_t len)
{
	size_t at = 0;
	buf[0] = '\0';
	for (int i = 0; names[i] != NULL && at < len; i++)
		at += (size_t)snprintf(buf + at, len - at, "%s%s", i ? ", " : "", names[i]);
}

static int set_count(truced_config *c, const truced_option *o, const char *v, char *why,
                     size_t whylen)
{
	uint64_t n;
	if (o->auto_ok && strcmp(v, "auto") == 0) {
		*count_field(c, o) = TRUCED_THREADS_AUTO;
		return 0;
	}
	if (truce_parse_u64(v, &n) != 0 || n < o->min || n > o->max) {
		snprintf(why, whylen, "wants a number from %llu to %llu%s, not '%s'",
		         (unsigned long long)o->min, (unsigned long long)o->max,
		         o->auto_ok ? " or auto" : "", v);
		return TRUCE_EINVAL;
	}
	*count_field(c, o) = (size_t)n << o->shift;
	return 0;
}

int truced_option_set(truced_config *c, const truced_option *o, const char *value, char *why,
                      size_t whylen)
{
	switch (o->kind) {
	case TRUCED_OPT_STRING:
		if (value == NULL)
			break;
		return set_string(c, o, value);
	case TRUCED_OPT_COUNT:
		if (value == NULL)
			break;
		return set_count(c, o, value, why, whylen);
	case TRUCED_OPT_BOOL:
		if (value == NULL) {
			*int_field(c, o) = 1;
			return 0;
		}
		if (parse_bool(value, int_field(c, o)) == 0)
			return 0;
		snprintf(why, whylen, "wants yes or no, not '%s'", value);
		return TRUCE_EINVAL;
	case TRUCED_OPT_NAME:
		if (value == NULL)
			break;
		for (int i = 0; o->names[i] != NULL; i++) {
			if (strcmp(value, o->names[i]) == 0) {
				*int_field(c, o) = i;
				return 0;
			}
		}
		char list[128];
		names_list(o->names, list, sizeof(list));
		snprintf(why, whylen, "wants one of %s, not '%s'", list, value);
		return TRUCE_EINVAL;
	}
	snprintf(why, whylen, "wants a value");
	return TRUCE_EINVAL;
}

void truced_option_format(const truced_config *c, const truced_option *o, char *buf, size_t len)
{
	switch (o->kind) {
	case TRUCED_OPT_STRING: {
		const char *s = *str_field(c, o);
		snprintf(buf, len, "%s", s != NULL ? s : "");
		return;
	}
	case TRUCED_OPT_COUNT: {
		size_t n = *count_field(c, o);
		if (o->auto_ok && n == TRUCED_THREADS_AUTO)
			snprintf(buf, len, "auto");
		else
			snprintf(buf, len, "%zu", n >> o->shift);
		return;
	}
	case TRUCED_OPT_BOOL: snprintf(buf, len, "%s", *int_field(c, o) ? "yes" : "no"); return;
	case TRUCED_OPT_NAME: snprintf(buf, len, "%s", o->names[*int_field(c, o)]); return;
	}
}

int truced_option_equal(const truced_config *a, const truced_config *b, const truced_option *o)
{
	char va[1024], vb[1024];
	truced_option_format(a, o, va, sizeof(va));
	truced_option_format(b, o, vb, sizeof(vb));
	return strcmp(va, vb) == 0;
}

void truced_option_move(truced_config *dst, truced_config *src, const truced_option *o)
{
	switch (o->kind) {
	case TRUCED_OPT_STRING:
		free(*str_field(dst, o));
		*str_field(dst, o) = *str_field(src, o);
		*str_field(src, o) = NULL;
		return;
	case TRUCED_OPT_COUNT: *count_field(dst, o) = *count_field(src, o); return;
	case TRUCED_OPT_BOOL:
	case TRUCED_OPT_NAME: *int_field(dst, o) = *int_field(src, o); return;
	}
}

/* ------------------------------------------------------------------ file */

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

/* One line; 0 when it was fine (or blank), TRUCE_EINVAL / TRUCE_ENOMEM. */
static int read_line(truced_config *c, char *line, const char *name, size_t lineno,
                     size_t first_seen[], truced_config_err_fn err, void *ctx)
{
	char *s = trim(line);
	if (*s == '\0' || *s == '#')
		return 0;
	char *eq = strchr(s, '=');
	if (eq == NULL) {
		reportf(err, ctx, "%s:%zu: not a 'key = value' line: '%s'", name, lineno, s);
		return TRUCE_EINVAL;
	}
	*eq = '\0';
	char *key = trim(s), *value = trim(eq + 1);
	const truced_option *o = truced_option_find(key);
	if (o == NULL) {
		reportf(err, ctx, "%s:%zu: unknown key '%s' (see truced --help)", name, lineno,
		        key);
		return TRUCE_EINVAL;
	}
	size_t i = (size_t)(o - truced_options);
	if (first_seen[i] != 0) {
		reportf(err, ctx, "%s:%zu: %s is set again (first on line %zu)", name, lineno, key,
		        first_seen[i]);
		return TRUCE_EINVAL;
	}
	first_seen[i] = lineno;
	if (*value == '\0' && o->kind != TRUCED_OPT_STRING) {
		reportf(err, ctx, "%s:%zu: %s has no value", name, lineno, key);
		return TRUCE_EINVAL;
	}
	char why[256] = "";
	int rc = truced_option_set(c, o, value, why, sizeof(why));
	if (rc == TRUCE_EINVAL)
		reportf(err, ctx, "%s:%zu: %s %s", name, lineno, key, why);
	return rc;
}

int truced_config_read(truced_config *c, FILE *in, const char *name, truced_config_err_fn err,
                       void *ctx)
{
	size_t first_seen[sizeof(truced_options) / sizeof(truced_options[0])] = {0};
	char line[CONFIG_LINE_MAX + 2];
	size_t lineno = 0;
	int result = 0;
	while (fgets(line, sizeof(line), in) != NULL) {
		lineno++;
		size_t n = strlen(line);
		if (n > 0 && line[n - 1] == '\n') {
			line[n - 1] = '\0';
		} else if (!feof(in)) {
			reportf(err, ctx, "%s:%zu: line longer than %d bytes", name, lineno,
			        CONFIG_LINE_MAX);
			int ch;
			while ((ch = fgetc(in)) != EOF && ch != '\n')
				;
			result = TRUCE_EINVAL;
			continue;
		}
		if (memchr(line, '\0', n > 0 ? n - 1 : 0) != NULL) {
			reportf(err, ctx, "%s:%zu: a NUL byte in the line", name, lineno);
			result = TRUCE_EINVAL;
			continue;
		}
		int rc = read_line(c, line, name, lineno, first_seen, err, ctx);
		if (rc == TRUCE_ENOMEM)
			return rc;
		if (rc != 0)
			result = rc;
	}
	if (ferror(in)) {
		reportf(err, ctx, "%s: read error", name);
		return TRUCE_EIO;
	}
	return result;
}

int truced_config_load(truced_config *c, const char *path, truced_config_err_fn err, void *ctx)
{
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		reportf(err, ctx, "%s: cannot read: %s", path, strerror(errno));
		return TRUCE_EIO;
	}
	int rc = truced_config_read(c, f, path, err, ctx);
	fclose(f);
	return rc;
}

static void print_lines(FILE *out, const char *prefix, const char *text)
{
	while (*text != '\0') {
		const char *nl = strchr(text, '\n');
		int n = nl != NULL ? (int)(nl - text) : (int)strlen(text);
		fprintf(out, "%s%.*s\n", prefix, n, text);
		text += n + (nl != NULL);
	}
}

void truced_config_print(const truced_config *c, FILE *out)
{
	truced_config def;
	int have_def = truced_config_init(&def) == 0;
	fprintf(out, "# truced configuration (truced --config FILE). Keys are truced's long\n"
	             "# options; a flag on the command line wins over its key here. A line\n"
	             "# starting with # is a comment; a commented key shows its default.\n"
	             "# SIGHUP applies changes of rules, allow and log-level; the others\n"
	             "# need a restart.\n");
	for (size_t i = 0; i < truced_option_count; i++) {
		const truced_option *o = &truced_options[i];
		char v[1024];
		truced_option_format(c, o, v, sizeof(v));
		fprintf(out, "\n");
		print_lines(out, "# ", o->help);
		int is_default = have_def && truced_option_equal(c, &def, o);
		fprintf(out, "%s%s = %s\n", is_default ? "#" : "", o->name, v);
	}
	if (have_def)
		truced_config_free(&def);
}

void truced_config_usage(FILE *out)
{
	truced_config def;
	int have_def = truced_config_init(&def) == 0;
	for (size_t i = 0; i < truced_option_count; i++) {
		const truced_option *o = &truced_options[i];
		char head[64], v[1024] = "";
		snprintf(head, sizeof(head), "--%s%s%s", o->name, o->arg ? " " : "",
		         o->arg ? o->arg : "");
		if (have_def && o->kind != TRUCED_OPT_BOOL)
			truced_option_format(&def, o, v, sizeof(v));
		const char *text = o->help;
		int first = 1;
		while (*text != '\0') {
			const char *nl = strchr(text, '\n');
			int n = nl != NULL ? (int)(nl - text) : (int)strlen(text);
			fprintf(out, "  %-20s%.*s", first ? head : "", n, text);
			text += n + (nl != NULL);
			/* The default ends the last line, or has a line of its own. */
			if (*text == '\0' && v[0] != '\0') {
				if (22 + (size_t)n + 11 + strlen(v) > 80)
					fprintf(out, "\n%22s", "");
				else
					fputc(' ', out);
				fprintf(out, "(default %s)", v);
			}
			fprintf(out, "\n");
			first = 0;
		}
	}
	if (have_def)
		truced_config_free(&def);
}

/* ------------------------------------------------------------ command line */

int truced_cmdline_parse(int argc, char **argv, truced_cmdline *cl, truced_config_err_fn err,
                         void *ctx)
{
	static const struct option actions[] = {
	    {"config", required_argument, NULL, CMD_CONFIG},
	    {"check", no_argument, NULL, CMD_CHECK},
	    {"print-config", no_argument, NULL, CMD_PRINT},
	    {"help", no_argument, NULL, CMD_HELP},
	    {"version", no_argument, NULL, CMD_VERSION},
	};
	const size_t n_actions = sizeof(actions) / sizeof(actions[0]);
	memset(cl, 0, sizeof(*cl));
	struct option *opts = calloc(truced_option_count + n_actions + 1, sizeof(*opts));
	cl->args = calloc((size_t)argc + 1, sizeof(*cl->args));
	if (opts == NULL || cl->args == NULL) {
		free(opts);
		truced_cmdline_free(cl);
		return TRUCE_ENOMEM;
	}
	for (size_t i = 0; i < truced_option_count; i++) {
		opts[i].name = truced_options[i].name;
		opts[i].has_arg =
		    truced_options[i].kind == TRUCED_OPT_BOOL ? no_argument : required_argument;
		opts[i].val = CMD_VAL_BASE + (int)i;
	}
	memcpy(opts + truced_option_count, actions, sizeof(actions));
	int c, rc = 0;
	optind = 1;
	opterr = 0; /* our own message below names the word */
	while (rc == 0 && (c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case CMD_CONFIG: cl->config_path = optarg; break;
		case CMD_CHECK: cl->check = 1; break;
		case CMD_PRINT: cl->print_config = 1; break;
		case 'h':
		case CMD_HELP: cl->help = 1; break;
		case CMD_VERSION: cl->version = 1; break;
		default:
			if (c >= CMD_VAL_BASE && (size_t)(c - CMD_VAL_BASE) < truced_option_count) {
				cl->args[cl->n].opt = &truced_options[c - CMD_VAL_BASE];
				cl->args[cl->n++].value = optarg;
			} else {
				reportf(err, ctx, "unknown option or missing value: %s",
				        argv[optind - 1]);
				rc = TRUCE_EINVAL;
			}
		}
	}
	if (rc == 0 && optind < argc) {
		reportf(err, ctx, "unexpected argument: %s", argv[optind]);
		rc = TRUCE_EINVAL;
	}
	free(opts);
	if (rc != 0)
		truced_cmdline_free(cl);
	return rc;
}

void truced_cmdline_free(truced_cmdline *cl)
{
	free(cl->args);
	cl->args = NULL;
	cl->n = 0;
}

/*
 * Without keys anyone who can reach an endpoint can feed, read and watch
 * the store, so plain sockets stay on this machine unless insecure says
 * otherwise.
 */
static int check_security(const truced_config *c, truced_config_err_fn err, void *ctx)
{
	const char *eps[] = {c->ingest_ep, c->publish_ep, c->query_ep};
	if ((c->curve_secret == NULL) != (c->allow_dir == NULL)) {
		reportf(err, ctx, "curve-secret and allow go together (see truced --help)");
		return TRUCE_EINVAL;
	}
	for (int i = 0; i < 3 && c->curve_secret == NULL && !c->insecure; i++) {
		if (eps[i] == NULL || !truced_endpoint_is_local(eps[i])) {
			reportf(err, ctx,
			        "refusing to bind %s without authentication: give curve-secret "
			        "and allow, or insecure",
			        eps[i] != NULL ? eps[i] : "an empty endpoint");
			return TRUCE_EINVAL;
		}
	}
	if (c->data_dir == NULL) {
		reportf(err, ctx, "data wants a directory");
		return TRUCE_EINVAL;
	}
	return 0;
}

int truced_config_build(truced_config *c, const truced_cmdline *cl, truced_config_err_fn err,
                        void *ctx)
{
	int rc = truced_config_init(c);
	if (rc != 0) {
		memset(c, 0, sizeof(*c));
		return rc;
	}
	if (cl->config_path != NULL)
		rc = truced_config_load(c, cl->config_path, err, ctx);
	for (size_t i = 0; i < cl->n && rc != TRUCE_ENOMEM; i++) {
		char why[256] = "";
		int r = truced_option_set(c, cl->args[i].opt, cl->args[i].value, why, sizeof(why));
		if (r == TRUCE_EINVAL)
			reportf(err, ctx, "--%s %s", cl->args[i].opt->name, why);
		if (r != 0 && rc == 0)
			rc = r;
	}
	if (rc == 0)
		rc = check_security(c, err, ctx);
	return rc;
}
