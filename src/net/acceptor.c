/* acceptor.c — a bounded accept loop with a back-off on descriptor
 * exhaustion (see acceptor.h). */
#include "acceptor.h"

#include "lib/log.h"
#include "lib/mem.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

struct acceptor {
	int fd;
	struct event *ev;    /* the listening socket is readable */
	struct event *timer; /* the end of an overload pause */
	const struct acceptor_callbacks *cb;
	void *ctx;
	bool paused;     /* by the caller */
	bool overloaded; /* by us, until the timer fires */
	unsigned overload_pauses;
};

static void acceptor_update(struct acceptor *acc)
{
	if (acc->paused || acc->overloaded)
		event_del(acc->ev);
	else
		event_add(acc->ev, NULL);
}

static void acceptor_overload(struct acceptor *acc, int err)
{
	struct timeval tv = {0, ACCEPTOR_PAUSE_MSECS * 1000};

	acc->overloaded = true;
	acc->overload_pauses++;
	log_warn("accept: %s; pausing new connections for %d ms", strerror(err),
		 ACCEPTOR_PAUSE_MSECS);
	acceptor_update(acc);
	evtimer_add(acc->timer, &tv);
}

static void acceptor_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct acceptor *acc = arg;

	acc->overloaded = false;
	acceptor_update(acc);
}

/* Turn Nagle's algorithm off: a reply is written in pieces (FETCH lines,
 * then the tagged OK), and a last small piece held back until the
 * client's delayed ACK arrives costs every such command about 40 ms. */
static void acceptor_set_nodelay(int fd, const struct sockaddr_storage *ss)
{
	int on = 1;

	if (ss->ss_family == AF_INET || ss->ss_family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
}

/* Returns false when the loop should stop for this wakeup. */
static bool acceptor_accept_one(struct acceptor *acc)
{
	/* Zeroed: a family of AF_UNSPEC if the kernel writes no address. */
	struct sockaddr_storage ss = {0};
	socklen_t len = sizeof(ss);
	int fd = accept4(acc->fd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0) {
		switch (errno) {
		case EMFILE:
		case ENFILE:
		case ENOBUFS:
		case ENOMEM:
			acceptor_overload(acc, errno);
			return false;
		case EINTR:
		case ECONNABORTED:
		case EPROTO:
		case EPERM: /* a firewall rule refused it */
			return true;
		case EAGAIN:
#if EAGAIN != EWOULDBLOCK
		case EWOULDBLOCK:
#endif
			/* A sibling worker took it, or nothing is left. */
			return false;
		default:
			/* Unexpected (the socket was shut down?): back off rather
			 * than spin on a descriptor that stays readable. */
			acceptor_overload(acc, errno);
			return false;
		}
	}
	if (acc->cb->allow != NULL && !acc->cb->allow((struct sockaddr *)&ss, len, acc->ctx)) {
		close(fd);
		return true;
	}
	acceptor_set_nodelay(fd, &ss);
	acc->cb->accepted(fd, (struct sockaddr *)&ss, len, acc->ctx);
	return true;
}

static void acceptor_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct acceptor *acc = arg;

	for (int i = 0; i < ACCEPTOR_BATCH && !acc->paused && !acc->overloaded; i++) {
		if (!acceptor_accept_one(acc))
			break;
	}
}

struct acceptor *acceptor_new(struct event_base *base, int listen_fd,
			      const struct acceptor_callbacks *cb, void *ctx)
{
	struct acceptor *acc = xcalloc(1, sizeof(*acc));

	acc->fd = listen_fd;
	acc->cb = cb;
	acc->ctx = ctx;
	acc->ev = event_new(base, listen_fd, EV_READ | EV_PERSIST, acceptor_read_cb, acc);
	acc->timer = evtimer_new(base, acceptor_timer_cb, acc);
	if (acc->ev == NULL || acc->timer == NULL)
		hf_panic("acceptor: out of memory");
	acceptor_update(acc);
	return acc;
}

void acceptor_free(struct acceptor **accp)
{
	struct acceptor *acc = *accp;

	if (acc == NULL)
		return;
	event_free(acc->ev);
	event_free(acc->timer);
	xfree(accp);
}

void acceptor_pause(struct acceptor *acc)
{
	acc->paused = true;
	acceptor_update(acc);
}

void acceptor_resume(struct acceptor *acc)
{
	acc->paused = false;
	acceptor_update(acc);
}

unsigned acceptor_overload_pauses(const struct acceptor *acc)
{
	return acc->overload_pauses;
}
