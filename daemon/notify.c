/*
 * notify.c - the systemd notification protocol over NOTIFY_SOCKET (see
 * notify.h for why it is spoken directly).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "notify.h"
#include "truce/truce.h"

static void watchdog_setup(truced_notify *n)
{
	uint64_t us, pid;
	const char *e = getenv("WATCHDOG_USEC"), *p = getenv("WATCHDOG_PID");
	if (e == NULL || truce_parse_u64(e, &us) != 0 || us == 0 || us > INT64_MAX)
		return;
	/* WATCHDOG_PID says whom the watchdog is for; a child that inherited
	 * the variable must not ping on the service's behalf. */
	if (p != NULL && (truce_parse_u64(p, &pid) != 0 || pid != (uint64_t)getpid()))
		return;
	n->watchdog_us = (int64_t)us;
}

void truced_notify_open(truced_notify *n, const truced_log *lg)
{
	memset(n, 0, sizeof(*n));
	n->fd = -1;
	const char *e = getenv("NOTIFY_SOCKET");
	if (e == NULL || e[0] == '\0')
		return;
	size_t len = strlen(e);
	struct sockaddr_un sa;
	if ((e[0] != '/' && e[0] != '@') || len >= sizeof(sa.sun_path)) {
		TRUCED_LOGF(lg, TRUCED_LOG_WARN, "main",
		            "NOTIFY_SOCKET=%s is not a socket path: no service notifications", e);
		return;
	}
	n->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (n->fd < 0) {
		TRUCED_LOGF(lg, TRUCED_LOG_WARN, "main", "no service notifications: socket: %s",
		            strerror(errno));
		return;
	}
	memcpy(n->path, e, len);
	if (n->path[0] == '@')
		n->path[0] = '\0'; /* Linux abstract namespace */
	n->path_len = (unsigned)len;
	watchdog_setup(n);
}

void truced_notify_close(truced_notify *n)
{
	if (n->fd >= 0)
		close(n->fd);
	n->fd = -1;
}

int truced_notify_send(truced_notify *n, const char *msg)
{
	if (n->fd < 0)
		return 0;
	struct sockaddr_un sa;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, n->path, n->path_len);
	socklen_t alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n->path_len);
	ssize_t r;
	do
		r = sendto(n->fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&sa, alen);
	while (r < 0 && errno == EINTR);
	return r < 0 ? TRUCE_EIO : 0;
}

void truced_notify_watchdog(truced_notify *n, int64_t now_us)
{
	if (n->fd < 0 || n->watchdog_us == 0 || now_us - n->last_ping_us < n->watchdog_us / 2)
		return;
	if (truced_notify_send(n, "WATCHDOG=1") == 0)
		n->last_ping_us = now_us;
}
