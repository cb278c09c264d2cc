/*
 * cmd_export.c - `truce export` (alias `truce query`): claims or incidents
 * with filters, as a table, JSON Lines or CSV; and `--scoring`, the
 * ANNOTATION.md scoring format with incident ids, so a corpus can be scored
 * end to end through the daemon.
 *
 * Records come from the client library's record source: a data directory
 * opened read-only (--data) or a running daemon's query socket (--connect),
 * in bounded chunks either way.
 */
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"
#include "truce/date.h"
#include "truce/json.h"

enum export_what { EXPORT_CLAIMS, EXPORT_INCIDENTS };
enum export_format { FORMAT_AUTO, FORMAT_TABLE, FORMAT_JSONL, FORMAT_CSV };

typedef struct export_opts {
	const char *data;
	const char *connect;
	cli_key_args keys; /* CURVE, with --connect */
	enum export_what what;
	enum export_format format;
	int scoring;
	const char *conflict;
	const char *party;
	const char *date_from;
	const char *date_to;
} export_opts;

/* --- filters and output ------------------------------------------------- */

static int date_in(const export_opts *o, const char *date)
{
	if (o->date_from == NULL && o->date_to == NULL)
		return 1;
	if (date == NULL)
		return 0;
	return (o->date_from == NULL || strcmp(date, o->date_from) >= 0) &&
	       (o->date_to == NULL || strcmp(date, o->date_to) <= 0);
}

static int claim_passes(const export_opts *o, const Truce__V1__Claim *c)
{
	if (o->conflict && (c->conflict == NULL || strcmp(c->conflict, o->conflict) != 0))
		return 0;
	if (o->party && !(c->claimant && strcmp(c->claimant, o->party) == 0) &&
	    !(c->accused && strcmp(c->accused, o->party) == 0))
		return 0;
	return date_in(o, c->event_date);
}

static int incident_passes(const export_opts *o, const Truce__V1__Incident *inc)
{
	if (o->conflict && (inc->conflict == NULL || strcmp(inc->conflict, o->conflict) != 0))
		return 0;
	if (o->party) {
		int found = 0;
		for (size_t i = 0; i < inc->n_parties; i++)
			found |= strcmp(inc->parties[i], o->party) == 0;
		if (!found)
			return 0;
	}
	if (o->date_from && (inc->date_last == NULL || strcmp(inc->date_last, o->date_from) < 0))
		return 0;
	return !(o->date_to &&
	         (inc->date_first == NULL || strcmp(inc->date_first, o->date_to) > 0));
}

static void csv_field(const char *s, int last)
{
	fputc('"', stdout);
	for (; s != NULL && *s; s++) {
		if (*s == '"')
			fputc('"', stdout);
		fputc(*s, stdout);
	}
	fputs(last ? "\"\n" : "\",", stdout);
}

static void print_json_line(json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT);
	if (s != NULL)
		puts(s);
	free(s);
}

static void num(char *buf, size_t len, protobuf_c_boolean has, int v)
{
	if (has)
		snprintf(buf, len, "%d", v);
	else
		snprintf(buf, len, "-");
}

static int print_claim(void *vctx, const ProtobufCMessage *m)
{
	const export_opts *o = vctx;
	const Truce__V1__Claim *c = (const Truce__V1__Claim *)m;
	if (!claim_passes(o, c))
		return 0;
	char id[24], inc[24], k[16], w[16];
	snprintf(id, sizeof(id), "%llu", (unsigned long long)c->id);
	snprintf(inc, sizeof(inc), "%llu", (unsigned long long)c->incident_id);
	num(k, sizeof(k), c->has_killed, c->killed);
	num(w, sizeof(w), c->has_wounded, c->wounded);
	if (o->format == FORMAT_JSONL) {
		json_t *j = truce_json_claim(c);
		print_json_line(j);
		json_decref(j);
	} else if (o->format == FORMAT_CSV) {
		const char *f[] = {id,          c->conflict, c->claimant, c->accused, c->event_date,
		                   c->location, k,           w,           c->source,  inc,
		                   c->evidence};
		for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
			csv_field(f[i], i + 1 == sizeof(f) / sizeof(f[0]));
	} else {
		printf("%-6s %-10s %-8s %-8s %-10s %-16.16s %6s %6s %-24.24s %s\n", id,
		       c->conflict ? c->conflict : "-", c->claimant ? c->claimant : "-",
		       c->accused ? c->accused : "-", c->event_date ? c->event_date : "-",
		       c->location ? c->location : "-", k, w, c->source ? c->source : "-", inc);
	}
	return 0;
}

static void range_text(char *buf, size_t len, protobuf_c_boolean has, int lo, int hi)
{
	if (!has)
		snprintf(buf, len, "-");
	else if (lo == hi)
		snprintf(buf, len, "%d", lo);
	else
		snprintf(buf, len, "%d-%d", lo, hi);
}

static int print_incident(void *vctx, const ProtobufCMessage *m)
{
	const export_opts *o = vctx;
	const Truce__V1__Incident *inc = (const Truce__V1__Incident *)m;
	if (!incident_passes(o, inc))
		return 0;
	char id[24], k[32], w[32], nsrc[16];
	snprintf(id, sizeof(id), "%llu", (unsigned long long)inc->id);
	snprintf(nsrc, sizeof(nsrc), "%zu", inc->n_sources);
	range_text(k, sizeof(k), inc->has_killed_low, inc->killed_low, inc->killed_high);
	range_text(w, sizeof(w), inc->has_wounded_low, inc->wounded_low, inc->wounded_high);
	if (o->format == FORMAT_JSONL) {
		json_t *j = truce_json_incident(inc);
		print_json_line(j);
		json_decref(j);
	} else if (o->format == FORMAT_CSV) {
		const char *f[] = {id,
		                   inc->key,
		                   inc->conflict,
		                   inc->date_first,
		                   inc->date_last,
		                   k,
		                   w,
		                   nsrc,
		                   inc->n_places ? inc->places[0] : ""};
		for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
			csv_field(f[i], i + 1 == sizeof(f) / sizeof(f[0]));
	} else {
		printf("%-6s %-28.28s %-10s %-10s %8s %8s %4s  %s\n", id, inc->key ? inc->key : "-",
		       inc->date_first ? inc->date_first : "-",
		       inc->date_last ? inc->date_last : "-", k, w, nsrc,
		       inc->n_places ? inc->places[0] : "-");
	}
	return 0;
}

/* The column names of the table and CSV rows above, in their order. */
static void print_header(const export_opts *o)
{
	int inc = o->what == EXPORT_INCIDENTS;
	if (o->format == FORMAT_CSV)
		puts(inc ? "id,key,conflict,date_first,date_last,killed,wounded,sources,place"
		         : "id,conflict,claimant,accused,event_date,location,killed,wounded,source,"
		           "incident,evidence");
	else if (o->format == FORMAT_TABLE && inc)
		printf("%-6s %-28s %-10s %-10s %8s %8s %4s  %s\n", "ID", "KEY", "FIRST", "LAST",
		       "KILLED", "WOUNDED", "SRC", "PLACE");
	else if (o->format == FORMAT_TABLE)
		printf("%-6s %-10s %-8s %-8s %-10s %-16s %6s %6s %-24s %s\n", "ID", "CONFLICT",
		       "CLAIMANT", "ACCUSED", "DATE", "PLACE", "KILLED", "WOUND", "SOURCE",
		       "INCIDENT");
}

/* --- scoring format ----------------------------------------------------- */

typedef struct scoring_ctx {
	json_t **by_article; /* claims array per article seq (index seq - 1) */
	char **ids;
	size_t n;
	size_t cap;
} scoring_ctx;

static int grow_to(scoring_ctx *s, size_t n)
{
	if (n <= s->cap)
		return 0;
	/* n is a seq read from the store or the query socket: refuse one whose
	 * arrays could not be allocated rather than let cap overflow to 0 and
	 * the doubling below spin forever. */
	if (n > SIZE_MAX / 2 / sizeof(*s->by_article))
		return TRUCE_ENOMEM;
	size_t cap = s->cap ? s->cap : 256;
	while (cap < n)
		cap *= 2;
	json_t **b = realloc(s->by_article, cap * sizeof(*b));
	if (b != NULL)
		s->by_article = b;
	char **ids = realloc(s->ids, cap * sizeof(*ids));
	if (ids != NULL)
		s->ids = ids;
	if (b == NULL || ids == NULL)
		return TRUCE_ENOMEM;
	memset(b + s->cap, 0, (cap - s->cap) * sizeof(*b));
	memset(ids + s->cap, 0, (cap - s->cap) * sizeof(*ids));
	s->cap = cap;
	return 0;
}

static int scoring_article(void *vctx, const truce_source_article *a)
{
	scoring_ctx *s = vctx;
	const Truce__V1__ArticleRecord *r = a->rec;
	if (r == NULL || r->seq == 0) /* seq 0 would index ids[-1] */
		return TRUCE_ECORRUPT;
	int rc = grow_to(s, (size_t)r->seq);
	if (rc == 0) {
		s->ids[r->seq - 1] = strdup(r->article && r->article->id ? r->article->id : "");
		if (s->n < r->seq)
			s->n = (size_t)r->seq;
	}
	return rc;
}

static int scoring_claim(void *vctx, const ProtobufCMessage *m)
{
	scoring_ctx *s = vctx;
	const Truce__V1__Claim *c = (const Truce__V1__Claim *)m;
	if (c->article_seq == 0 || grow_to(s, (size_t)c->article_seq) != 0)
		return c->article_seq == 0 ? 0 : TRUCE_ENOMEM;
	json_t **arr = &s->by_article[c->article_seq - 1];
	if (*arr == NULL)
		*arr = json_array();
	char inc[24];
	snprintf(inc, sizeof(inc), "%llu", (unsigned long long)c->incident_id);
	json_t *j = truce_json_claim(c);
	json_object_set_new(j, "incident", c->has_incident_id ? json_string(inc) : json_null());
	json_array_append_new(*arr, j);
	return 0;
}

static int export_scoring(truce_source *src)
{
	scoring_ctx s = {0};
	truce_article_range all = {.from = 1, .to = TRUCE_SEQ_MAX};
	int rc = truce_source_articles(src, &all, scoring_article, &s);
	if (rc == 0)
		rc = truce_source_scan(src, TRUCE_DB_CLAIMS, 1, scoring_claim, &s);
	for (size_t i = 0; i < s.cap; i++) {
		if (rc == 0 && i < s.n && s.ids[i] != NULL) {
			json_t *claims =
			    s.by_article[i] ? json_incref(s.by_article[i]) : json_array();
			json_t *j = json_pack("{s:s, s:o}", "id", s.ids[i], "claims", claims);
			print_json_line(j);
			json_decref(j);
		}
		free(s.ids ? s.ids[i] : NULL);
		json_decref(s.by_article ? s.by_article[i] : NULL);
	}
	free(s.ids);
	free(s.by_article);
	return rc;
}

/* --- command line ------------------------------------------------------- */

static void export_usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: truce export --data DIR | --connect QUERY_EP [OPTIONS]\n"
	    "       truce query  (the same command)\n\n"
	    "Claims or incidents with filters: a table on a terminal, JSON Lines or CSV.\n\n"
	    "  --data DIR          read a data directory (read-only, safe while truced runs)\n"
	    "  --connect EP        ask a running truced's query socket\n"
	    "  --incidents         incidents instead of claims\n"
	    "  --format F          table | jsonl | csv (default: table on a terminal, else jsonl)\n"
	    "  --scoring           one line per article in the scoring format of\n"
	    "                      ANNOTATION.md, with incident ids (filters do not apply)\n"
	    "  --conflict NAME     e.g. karabakh, donbas, kashmir, gaza\n"
	    "  --party CODE        claimant or accused (incidents: any party), e.g. AZE\n"
	    "  --from-date D       event date >= D (YYYY-MM-DD)\n"
	    "  --to-date D         event date <= D\n" CLI_KEY_USAGE
	    "  -h, --help          this text\n");
}

static int parse_format(const char *s, enum export_format *f)
{
	static const char *const names[] = {"auto", "table", "jsonl", "csv"};
	for (int i = 0; i < 4; i++)
		if (strcmp(s, names[i]) == 0) {
			*f = (enum export_format)i;
			return 0;
		}
	return -1;
}

static int parse_export_args(int argc, char **argv, export_opts *o)
{
	static const struct option opts[] = {
	    {"data", required_argument, NULL, 'd'},
	    {"connect", required_argument, NULL, 'c'},
	    {"incidents", no_argument, NULL, 'I'},
	    {"claims", no_argument, NULL, 'C'},
	    {"format", required_argument, NULL, 'f'},
	    {"scoring", no_argument, NULL, 'S'},
	    {"conflict", required_argument, NULL, 'k'},
	    {"party", required_argument, NULL, 'p'},
	    {"from-date", required_argument, NULL, 'F'},
	    {"to-date", required_argument, NULL, 'T'},
	    {"help", no_argument, NULL, 'h'},
	    CLI_KEY_OPTIONS,
	    {NULL, 0, NULL, 0},
	};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': o->data = optarg; break;
		case 'c': o->connect = optarg; break;
		case 'I': o->what = EXPORT_INCIDENTS; break;
		case 'C': o->what = EXPORT_CLAIMS; break;
		case 'S': o->scoring = 1; break;
		case 'k': o->conflict = optarg; break;
		case 'p': o->party = optarg; break;
		case 'F':
		case 'T':
			if (truce_date_check(optarg) != 0)
				return cli_usage_error("export", "dates are YYYY-MM-DD");
			*(c == 'F' ? &o->date_from : &o->date_to) = optarg;
			break;
		case 'f':
			if (parse_format(optarg, &o->format) != 0)
				return cli_usage_error("export", "--format table|jsonl|csv");
			break;
		case 'h': export_usage(stdout); return -1;
		default:
			if (cli_key_args_take(&o->keys, c, optarg))
				break;
			return cli_usage_error("export", "unknown option");
		}
	}
	if ((o->data == NULL) == (o->connect == NULL))
		return cli_usage_error("export", "give exactly one of --data DIR, --connect EP");
	if ((o->keys.server_key == NULL) != (o->keys.secret == NULL))
		return cli_usage_error("export", "CURVE needs both --curve-server-key and "
		                                 "--curve-secret");
	if (o->format == FORMAT_AUTO)
		o->format = isatty(STDOUT_FILENO) ? FORMAT_TABLE : FORMAT_JSONL;
	return 0;
}

static void print_note(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "truce export: %s\n", msg);
}

int cmd_export(int argc, char **argv)
{
	export_opts o = {.what = EXPORT_CLAIMS};
	int rc = parse_export_args(argc, argv, &o);
	if (rc != 0)
		return rc < 0 ? CLI_EXIT_OK : rc;
	truce_client_keys keys;
	if (cli_key_args_load("export", &o.keys, &keys) != 0)
		return CLI_EXIT_IO; /* said why */
	truce_source_opts so = {
	    .data = o.data, .connect = o.connect, .keys = &keys, .note = print_note};
	truce_source *src;
	char err[512] = "";
	rc = truce_source_open(&so, &src, err, sizeof(err));
	truce_client_keys_clear(&keys);
	if (rc != 0) {
		fprintf(stderr, "truce export: %s\n", err[0] ? err : truce_strerror(rc));
		return CLI_EXIT_IO;
	}
	if (o.scoring)
		rc = export_scoring(src);
	else
		print_header(&o);
	if (!o.scoring && o.what == EXPORT_INCIDENTS)
		rc = truce_source_scan(src, TRUCE_DB_INCIDENTS, 1, print_incident, &o);
	else if (!o.scoring)
		rc = truce_source_scan(src, TRUCE_DB_CLAIMS, 1, print_claim, &o);
	truce_source_close(src);
	if (rc != 0) {
		fprintf(stderr, "truce export: %s\n", truce_strerror(rc));
		return CLI_EXIT_IO;
	}
	return CLI_EXIT_OK;
}
