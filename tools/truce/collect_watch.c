/*
 * collect_watch.c - `truce collect --watch DIR`: a drop folder. Every file
 * that appears in DIR (written and closed there, or moved in) is sent to
 * truced; once truced has acked all of a file's articles it is moved to
 * DIR/sent/, or to DIR/failed/ with NAME.reason beside it when one was
 * rejected.
 *
 * inotify (IN_CLOSE_WRITE, IN_MOVED_TO) says when a file is complete; the
 * files already there at the start, and all of them again after an event
 * queue overflow, are found by reading the directory. The file itself is
 * the durable state: it leaves DIR only after its acks, so a collector
 * killed at any moment sends the files still in DIR again when it starts,
 * and truced acks what it had already stored as DUPLICATE (moved to sent/
 * like the rest). Names starting with '.' or ending in .tmp, .part or '~'
 * are work in progress and left alone: write there, then rename. A file
 * still open for writing (found by the scan while being written in place)
 * waits for its IN_CLOSE_WRITE.
 *
 * Files are read only while the send window has room, so a backlog of any
 * size waits on disk, not in memory.
 */
#define _GNU_SOURCE /* renameat2 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zmq.h>

#include "cli.h"

#define DEFAULT_CONNECT "tcp://127.0.0.1:7701"

/* A file of DIR being sent: known from its event (or the scan) until it is
 * moved out. */
typedef struct watch_file {
	char *name;
	size_t articles, acked, rejected;
	int read;      /* its articles are with the sender */
	char *reasons; /* "where: reason\n" of the rejected ones */
	struct watch_file *next;
} watch_file;

typedef struct watch_run {
	const char *dir;
	int dfd, sent_fd, failed_fd;
	cli_outbox *out;
	cli_log log;
	const char *collector_id;
	int force_html;
	cli_input_defaults d;
	watch_file *files; /* known, in arrival order */
	size_t moved_sent, moved_failed;
	int failed; /* a move failed: DIR cannot be written */
} watch_run;

static int work_in_progress(const char *name)
{
	size_t n = strlen(name);
	return name[0] == '.' || name[n - 1] == '~' ||
	       (n > 4 && strcmp(name + n - 4, ".tmp") == 0) ||
	       (n > 5 && strcmp(name + n - 5, ".part") == 0);
}

static watch_file *find_file(const watch_run *w, const char *name)
{
	for (watch_file *f = w->files; f != NULL; f = f->next)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}

/* Remembers a new file of DIR (a regular one, not in progress). */
static void notice(watch_run *w, const char *name)
{
	struct stat st;
	if (work_in_progress(name) || find_file(w, name) != NULL ||
	    fstatat(w->dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
		return;
	watch_file *f = calloc(1, sizeof(*f));
	if (f == NULL || (f->name = strdup(name)) == NULL) {
		free(f);
		cli_logf(&w->log, CLI_LOG_ERROR, "watch", "out of memory: %s waits", name);
		return;
	}
	watch_file **tail = &w->files;
	while (*tail != NULL)
		tail = &(*tail)->next;
	*tail = f;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every file in DIR, in name order (at the start, and after an inotify
 * queue overflow). */
static void scan(watch_run *w)
{
	DIR *d = opendir(w->dir);
	if (d == NULL)
		return;
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (truce_grow(&names, &cap, n, sizeof(*names), 64) != 0)
			break;
		if ((names[n] = strdup(e->d_name)) != NULL)
			n++;
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n; i++) {
		notice(w, names[i]);
		free(names[i]);
	}
	free(names);
}

static void forget(watch_run *w, watch_file *f)
{
	for (watch_file **p = &w->files; *p != NULL; p = &(*p)->next) {
		if (*p == f) {
			*p = f->next;
			break;
		}
	}
	free(f->name);
	free(f->reasons);
	free(f);
}

/* Moves name from DIR into the directory todir (sent/ or failed/), as
 * NAME, else NAME.1, NAME.2, ... (never over an earlier file); the name it
 * got into out. */
static int move_out(watch_run *w, const char *name, int todir, char *out, size_t outlen)
{
	for (unsigned k = 0; k < 10000; k++) {
		if (k == 0)
			snprintf(out, outlen, "%s", name);
		else
			snprintf(out, outlen, "%s.%u", name, k);
		if (renameat2(w->dfd, name, todir, out, RENAME_NOREPLACE) == 0)
			return 0;
		if (errno != EEXIST)
			return -1;
	}
	errno = EEXIST;
	return -1;
}

/* All of f's articles were acked: out of DIR it goes. */
static void settle(watch_run *w, watch_file *f)
{
	char to[1024];
	int bad = f->rejected > 0;
	if (move_out(w, f->name, bad ? w->failed_fd : w->sent_fd, to, sizeof(to)) != 0) {
		cli_logf(&w->log, CLI_LOG_ERROR, "watch", "cannot move %s out of %s: %s", f->name,
		         w->dir, strerror(errno));
		w->failed = 1;
		forget(w, f);
		return;
	}
	if (bad) {
		char rname[1100];
		snprintf(rname, sizeof(rname), "%s.reason", to);
		int fd =
		    openat(w->failed_fd, rname, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd >= 0) {
			ssize_t n = write(fd, f->reasons, strlen(f->reasons));
			(void)n; /* the file is in failed/ either way */
			close(fd);
		}
		w->moved_failed++;
		cli_logf(&w->log, CLI_LOG_WARN, "watch", "%s -> failed/%s: %zu of %zu rejected: %s",
		         f->name, to, f->rejected, f->articles, f->reasons);
	} else {
		w->moved_sent++;
		cli_logf(&w->log, CLI_LOG_INFO, "watch", "%s -> sent/%s (%zu article%s)", f->name,
		         to, f->articles, f->articles == 1 ? "" : "s");
	}
	forget(w, f);
}

static void append_reason(watch_file *f, const char *where, const char *reason)
{
	size_t old = f->reasons != NULL ? strlen(f->reasons) : 0;
	size_t add = strlen(where) + strlen(reason) + 4;
	char *r = realloc(f->reasons, old + add);
	if (r == NULL)
		return;
	snprintf(r + old, add, "%s: %s\n", where, reason);
	f->reasons = r;
}

static void on_ack(void *ctx, void *tag, const truce_send_item *it)
{
	watch_run *w = ctx;
	watch_file *f = tag;
	if (truce_send_item_ok(it)) {
		f->acked++;
	} else {
		f->rejected++;
		append_reason(f, f->name, it->reason != NULL ? it->reason : "rejected");
	}
	if (f->read && f->acked + f->rejected == f->articles)
		settle(w, f);
}

typedef struct read_ctx {
	watch_run *w;
	watch_file *f;
} read_ctx;

static int add_article(void *vctx, const cli_input_article *a)
{
	read_ctx *rc = vctx;
	Truce__V1__Article art;
	cli_input_to_wire(a, rc->w->force_html, rc->w->collector_id, &art);
	uint8_t *frame;
	size_t len;
	int e = truce_wire_pack(&art.base, &frame, &len);
	if (e == 0) {
		e = cli_outbox_add(rc->w->out, frame, len, rc->f);
		free(frame);
	}
	if (e == 0)
		rc->f->articles++;
	return e;
}

/* Whether some process still has name open for writing. The scan finds
 * files whatever their state, so a file being written in place when the
 * watcher starts is found half written (often empty: open(O_TRUNC) came,
 * the write did not); read then, half of it would be stored, or it would
 * be rejected as empty and moved to failed/ before its writer closed it.
 * Such a file gets its IN_CLOSE_WRITE later and is read then. A read lease
 * is refused with EAGAIN exactly when the file is open for writing (Linux
 * fcntl(2)); where no lease can be had (another owner, a filesystem
 * without leases) the file is taken as complete, as before. */
static int being_written(const watch_run *w, const char *name)
{
	int fd = openat(w->dfd, name, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return 0; /* the read says why */
	int busy = fcntl(fd, F_SETLEASE, F_RDLCK) != 0 && errno == EAGAIN;
	close(fd); /* releases the lease, if it was granted */
	return busy;
}

/* Reads the next known file that is not read yet, while there is room. */
static void read_files(watch_run *w)
{
	watch_file *f = w->files;
	while (f != NULL && cli_outbox_room(w->out) > 0) {
		watch_file *next = f->next;
		if (f->read || being_written(w, f->name)) {
			f = next;
			continue;
		}
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", w->dir, f->name);
		read_ctx rc = {w, f};
		size_t n = strlen(f->name), bad = 0;
		int e = n > 6 && strcmp(f->name + n - 6, ".jsonl") == 0
		            ? cli_input_jsonl(path, add_article, &rc, &bad)
		            : cli_input_file(path, &w->d, add_article, &rc);
		f->read = 1;
		if (e != 0 && f->articles == 0) {
			if (errno == ENOENT) { /* gone before we read it: not ours */
				forget(w, f);
				f = next;
				continue;
			}
			f->rejected = 1;
			append_reason(f, f->name,
			              e == TRUCE_ENOMEM ? "out of memory" : strerror(errno));
			f->articles = 1;
		} else if (bad > 0) {
			char why[64];
			snprintf(why, sizeof(why), "%zu unreadable JSON lines", bad);
			append_reason(f, f->name, why);
			f->rejected += bad;
			f->articles += bad;
		}
		if (f->articles == 0) { /* an empty JSON Lines file */
			f->articles = 1;
			f->acked = 1;
		}
		if (f->acked + f->rejected == f->articles)
			settle(w, f);
		f = next;
	}
}

static void read_events(watch_run *w, int ifd)
{
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;
	while ((n = read(ifd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)(void *)p;
			if (ev->mask & IN_Q_OVERFLOW)
				scan(w);
			else if (ev->len > 0 && !(ev->mask & IN_ISDIR))
				notice(w, ev->name);
			p += sizeof(*ev) + ev->len;
		}
	}
}

static void watch_usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: truce collect --watch DIR [OPTIONS]\n\n"
	    "A drop folder: every file that appears in DIR (written and closed there, or\n"
	    "moved in) is sent to truced; when truced has acked all of its articles it is\n"
	    "moved to DIR/sent/, or to DIR/failed/ with NAME.reason beside it when one was\n"
	    "rejected. Runs until SIGTERM or SIGINT; files left in DIR are sent at the next\n"
	    "start. Files: plain text (first line = title), HTML (.html/.htm or starting\n"
	    "with '<'), or JSON Lines in the corpus format (.jsonl). Names starting with\n"
	    "'.' or ending in .tmp, .part or ~ are left alone: write there, then rename.\n\n"
	    "  --connect EP        truced ingest endpoint (default " DEFAULT_CONNECT ")\n"
	    "  --source NAME       outlet of the articles\n"
	    "  --html              treat every file as HTML\n"
	    "  --collector-id ID   name recorded with the articles (default truce-watch)\n"
	    "  --window N          most unacknowledged articles in flight (default 256)\n"
	    "  --timeout MS        first re-send timeout; doubles up to 30 s (default 2000)\n"
	    "  --log-level L       error, warn, info (a line per file moved), debug\n" CLI_KEY_USAGE
	    "  -h, --help          this text\n");
}

typedef struct watch_opts {
	const char *dir, *connect;
	cli_key_args keys;
	size_t window;
	int64_t timeout_ms;
} watch_opts;

static int parse_watch_args(int argc, char **argv, watch_opts *o, watch_run *w)
{
	static const struct option opts[] = {
	    {"watch", required_argument, NULL, 'W'},
	    {"connect", required_argument, NULL, 'c'},
	    {"source", required_argument, NULL, 's'},
	    {"html", no_argument, NULL, 'H'},
	    {"collector-id", required_argument, NULL, 'I'},
	    {"window", required_argument, NULL, 'w'},
	    {"timeout", required_argument, NULL, 't'},
	    {"log-level", required_argument, NULL, 'l'},
	    {"help", no_argument, NULL, 'h'},
	    CLI_KEY_OPTIONS,
	    {NULL, 0, NULL, 0},
	};
	uint64_t v;
	int c;
	for (int i = 1; i < argc; i++) { /* "--watch --help" would take --help for DIR */
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			watch_usage(stdout);
			return -1;
		}
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'W': o->dir = optarg; break;
		case 'c': o->connect = optarg; break;
		case 's': w->d.source = optarg; break;
		case 'H': w->force_html = 1; break;
		case 'I': w->collector_id = optarg; break;
		case 'l':
			if (cli_log_parse_level(optarg, &w->log.level) != 0)
				return cli_usage_error(
				    "collect", "--log-level wants error, warn, info or debug");
			break;
		case 'h': watch_usage(stdout); return -1;
		case 'w':
		case 't':
			if (truce_parse_u64(optarg, &v) != 0 || v == 0 || v > 1000000)
				return cli_usage_error("collect", "bad number '%s'", optarg);
			if (c == 'w')
				o->window = (size_t)v;
			else
				o->timeout_ms = (int64_t)v;
			break;
		default:
			if (cli_key_args_take(&o->keys, c, optarg))
				break;
			return cli_usage_error("collect", "--watch takes only the options of "
			                                  "`truce collect --watch --help`");
		}
	}
	if (optind < argc)
		return cli_usage_error("collect", "--watch DIR takes no files ('%s')",
		                       argv[optind]);
	return 0;
}

/* Opens DIR and makes DIR/sent and DIR/failed; an exit code. */
static int open_dirs(watch_run *w)
{
	w->dfd = open(w->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (w->dfd < 0) {
		fprintf(stderr, "truce collect: cannot open %s: %s\n", w->dir, strerror(errno));
		return CLI_EXIT_IO;
	}
	const char *sub[2] = {"sent", "failed"};
	int *fd[2] = {&w->sent_fd, &w->failed_fd};
	for (int i = 0; i < 2; i++) {
		if (mkdirat(w->dfd, sub[i], 0755) != 0 && errno != EEXIST) {
			fprintf(stderr, "truce collect: cannot create %s/%s: %s\n", w->dir, sub[i],
			        strerror(errno));
			return CLI_EXIT_IO;
		}
		*fd[i] = openat(w->dfd, sub[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (*fd[i] < 0) {
			fprintf(stderr, "truce collect: cannot open %s/%s: %s\n", w->dir, sub[i],
			        strerror(errno));
			return CLI_EXIT_IO;
		}
	}
	return 0;
}

static void loop(watch_run *w, int ifd, int wake)
{
	while (!cli_signal_stop() && !w->failed) {
		cli_signal_reload(); /* nothing to re-read: drains the wake pipe */
		read_files(w);
		cli_outbox_pump(w->out, 0);
		struct pollfd p[3] = {{.fd = ifd, .events = POLLIN},
		                      {.fd = cli_outbox_fd(w->out), .events = POLLIN},
		                      {.fd = wake, .events = POLLIN}};
		int wait = cli_outbox_unacked(w->out) > 0 ? 100 : 1000;
		if (cli_outbox_readable(w->out))
			wait = 0;
		poll(p, wake >= 0 ? 3 : 2, wait);
		read_events(w, ifd);
		cli_outbox_pump(w->out, 0);
	}
}

int cli_collect_watch(int argc, char **argv)
{
	watch_opts o = {.connect = DEFAULT_CONNECT, .window = 256, .timeout_ms = 2000};
	watch_run w = {.collector_id = "truce-watch",
	               .log = {.level = CLI_LOG_INFO},
	               .dfd = -1,
	               .sent_fd = -1,
	               .failed_fd = -1};
	int rc = parse_watch_args(argc, argv, &o, &w);
	if (rc != 0)
		return rc < 0 ? CLI_EXIT_OK : rc;
	if (o.dir == NULL || o.dir[0] == '\0') {
		cli_usage_error("collect", "--watch wants a directory");
		return CLI_EXIT_USAGE;
	}
	w.dir = o.dir;
	truce_client_keys keys = {0};
	rc = open_dirs(&w);
	if (rc == 0)
		rc = cli_key_args_load("collect", &o.keys, &keys);
	int ifd = rc == 0 ? inotify_init1(IN_NONBLOCK | IN_CLOEXEC) : -1;
	if (rc == 0 &&
	    (ifd < 0 || inotify_add_watch(ifd, w.dir, IN_CLOSE_WRITE | IN_MOVED_TO) < 0)) {
		fprintf(stderr, "truce collect: cannot watch %s: %s\n", w.dir, strerror(errno));
		rc = CLI_EXIT_IO;
	}
	void *zctx = rc == 0 ? zmq_ctx_new() : NULL;
	cli_outbox_opts oo = {.connect = o.connect,
	                      .keys = &keys,
	                      .window = o.window,
	                      .timeout_ms = o.timeout_ms,
	                      .label = "collect",
	                      .on_ack = on_ack,
	                      .ctx = &w};
	if (rc == 0 && (zctx == NULL || cli_outbox_open(zctx, &oo, &w.out) != 0)) {
		fprintf(stderr, "truce collect: cannot connect to %s\n", o.connect);
		rc = CLI_EXIT_IO;
	}
	truce_client_keys_clear(&keys);
	if (rc == 0) {
		int wake = cli_signals_install();
		/* A writer opening a file in the instant being_written() holds its
		 * lease makes the kernel send SIGIO, which would end the process. */
		struct sigaction ign = {.sa_handler = SIG_IGN};
		sigaction(SIGIO, &ign, NULL);
		scan(&w); /* after the watch: a file is either found here or gets an event */
		size_t waiting = 0;
		for (const watch_file *f = w.files; f != NULL; f = f->next)
			waiting++;
		cli_logf(&w.log, CLI_LOG_INFO, "watch",
		         "watching %s (%zu files waiting); truced at %s", w.dir, waiting,
		         o.connect);
		loop(&w, ifd, wake);
		cli_logf(&w.log, CLI_LOG_INFO, "watch",
		         "stopping: %zu files moved to sent/, %zu to "
		         "failed/",
		         w.moved_sent, w.moved_failed);
		rc = w.failed ? CLI_EXIT_IO : CLI_EXIT_OK;
	}
	cli_outbox_close(w.out);
	while (w.files != NULL)
		forget(&w, w.files);
	if (zctx != NULL)
		zmq_ctx_term(zctx);
	if (ifd >= 0)
		close(ifd);
	int fds[3] = {w.dfd, w.sent_fd, w.failed_fd};
	for (int i = 0; i < 3; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return rc;
}
