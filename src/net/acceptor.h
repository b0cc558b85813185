/* acceptor.h — accept connections on one listening socket inside a worker's
 * event loop.
 *
 * Several worker processes accept on the same inherited socket. Each wakeup
 * accepts at most ACCEPTOR_BATCH connections, so a worker that was woken
 * first does not take a whole burst while its siblings idle, and EAGAIN
 * (a sibling was faster) is normal. When the process runs out of
 * descriptors or memory (EMFILE, ENFILE, ENOBUFS, ENOMEM), or accept()
 * fails in an unexpected way, the acceptor stops listening for
 * ACCEPTOR_PAUSE_MSECS instead of spinning on a readable socket it cannot
 * serve, logs once per pause, and resumes.
 */
#ifndef HAFEN_NET_ACCEPTOR_H
#define HAFEN_NET_ACCEPTOR_H

#include <stdbool.h>
#include <sys/socket.h>

#define ACCEPTOR_BATCH       16
#define ACCEPTOR_PAUSE_MSECS 100

struct acceptor;
struct event_base;

struct acceptor_callbacks {
	/* Optional. Decide on the peer address alone, before any work is
	 * done for the connection (per-address connection limits, bans).
	 * false closes the socket at once. */
	bool (*allow)(const struct sockaddr *peer, socklen_t peer_len, void *ctx);
	/* Required. A new connection: fd is non-blocking and close-on-exec,
	 * and now the callee's (typically for conn_new()). */
	void (*accepted)(int fd, const struct sockaddr *peer, socklen_t peer_len, void *ctx);
};

/* Start accepting on listen_fd (not owned: the listen_set keeps it). */
struct acceptor *acceptor_new(struct event_base *base, int listen_fd,
			      const struct acceptor_callbacks *cb, void *ctx);
/* Stop accepting and free; *accp becomes NULL. Accepts NULL. */
void acceptor_free(struct acceptor **accp);
/* Stop and restart accepting (e.g. at a worker's connection limit). */
void acceptor_pause(struct acceptor *acc);
void acceptor_resume(struct acceptor *acc);
/* How many times accepting was paused for lack of descriptors or memory. */
unsigned acceptor_overload_pauses(const struct acceptor *acc);

#endif
