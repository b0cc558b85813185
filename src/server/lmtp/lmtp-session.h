/* lmtp-session.h — one LMTP connection (RFC 2033): the MTA hands hafend
 * messages for local recipients; each accepted recipient gets its own
 * reply after the message, sent only once that copy is durable. */
#ifndef HAFEN_SERVER_LMTP_SESSION_H
#define HAFEN_SERVER_LMTP_SESSION_H

#include <sys/socket.h>

struct worker;

/* Take over an accepted connection (fd is now the session's). The session
 * frees itself when the connection ends. */
void lmtp_session_new(struct worker *w, int fd, const struct sockaddr *peer, socklen_t peer_len);

#endif
