/*
 * cli_signal.c - signals for the commands that run until stopped (`truce
 * feed`, `truce collect --watch`): SIGTERM and SIGINT ask them to stop,
 * SIGHUP to re-read their configuration, and a pipe wakes their poll loop
 * at once instead of at the end of its wait (see cli.h).
 */
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* The only mutable state outside main's frame: what the handlers set. */
static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t reload_signal;
static int wake_pipe[2] = {-1, -1};

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reload_signal = 1;
	else
		stop_signal = sig;
	if (wake_pipe[1] >= 0) {
		char b = 1;
		ssize_t n = write(wake_pipe[1], &b, 1); /* full pipe: already awake */
		(void)n;
	}
}

int cli_signals_install(void)
{
	if (wake_pipe[0] < 0 && pipe(wake_pipe) == 0) {
		for (int i = 0; i < 2; i++) {
			fcntl(wake_pipe[i], F_SETFL, fcntl(wake_pipe[i], F_GETFL) | O_NONBLOCK);
			fcntl(wake_pipe[i], F_SETFD, FD_CLOEXEC);
		}
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	return wake_pipe[0];
}

int cli_signal_stop(void)
{
	return stop_signal;
}

int cli_signal_reload(void)
{
	int r = reload_signal;
	reload_signal = 0;
	char buf[64];
	while (wake_pipe[0] >= 0 && read(wake_pipe[0], buf, sizeof(buf)) > 0)
		;
	return r;
}
