/* conn-tls.c — TLS on a connection: implicit TLS, the STARTTLS upgrade with
 * its discarding of pipelined plaintext, and TLS facts for logs (see conn.h). */
#include "conn-private.h"

#include "tls-private.h"

#include <assert.h>
#include <stdio.h>

#include <event2/buffer.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <openssl/err.h>
#include <openssl/x509.h>

int conn_tls_attach(struct conn *conn, SSL *ssl, bool server, const char **error_r)
{
	struct bufferevent *bev;

	/* BEV_OPT_CLOSE_ON_FREE: libevent frees the SSL and closes the fd
	 * when the bufferevent is finally released (and frees the SSL itself
	 * if creation fails). */
	bev = bufferevent_openssl_socket_new(conn->base, conn->fd, ssl,
					     server ? BUFFEREVENT_SSL_ACCEPTING
						    : BUFFEREVENT_SSL_CONNECTING,
					     BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL) {
		*error_r = "cannot start TLS on the socket";
		return -1;
	}
	conn->fd = -1;
	/* A peer that closes TCP without close_notify is ending the
	 * session, not attacking it: mail protocols have their own
	 * end-of-data markers (LOGOUT, QUIT, ".") so truncation is visible. */
	bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	conn->tls = true;
	conn->tls_done = false;
	conn->deadline = conn_now_msecs() +
			 (conn->idle_msecs != 0 ? conn->idle_msecs : CONN_DEFAULT_IDLE_MSECS);
	if (conn_bev_setup(conn, bev, bev) < 0) {
		*error_r = "cannot watch the socket";
		return -1;
	}
	return 0;
}

int conn_start_tls(struct conn *conn, struct tls_ctx *ctx, const char *peer_name,
		   size_t *discarded_r, const char **error_r)
{
	struct evbuffer *input;
	size_t discarded;
	SSL *ssl;

	if (conn->state != CONN_STATE_OPEN || conn->input_eof) {
		*error_r = "the connection is closing";
		return -1;
	}
	/* RFC 4978 section 3: TLS goes under compression, never over it. */
	if (conn->z != NULL) {
		*error_r = "TLS cannot start once compression is active";
		return -1;
	}
	if (conn->tls || conn->is_stdio) {
		*error_r = conn->tls ? "TLS is already active" : "TLS is not available over stdio";
		return -1;
	}
	assert(conn->cb->starttls_reset != NULL);
	ssl = tls_ssl_new(ctx, peer_name, error_r);
	if (ssl == NULL)
		return -1;

	/* Nothing received in plaintext after the STARTTLS command may be
	 * acted on once TLS is up (RFC 3207 section 4.2; CVE-2011-0411):
	 * drop it, and stop reading plaintext from the socket. */
	input = bufferevent_get_input(conn->bev);
	discarded = evbuffer_get_length(input);
	evbuffer_drain(input, discarded);
	bufferevent_disable(conn->bev, EV_READ);
	if (discarded_r != NULL)
		*discarded_r = discarded;

	conn->pending_ssl = ssl;
	conn->pending_server = tls_ctx_is_server(ctx);
	conn->state = CONN_STATE_STARTTLS_FLUSH;
	conn->drain_armed = false;
	conn->deadline = conn_now_msecs() + conn->flush_msecs;
	bufferevent_setwatermark(conn->obev, EV_WRITE, 0, 0);

	conn_hold(conn);
	conn->cb->starttls_reset(conn, conn->ctx);
	if (!conn->freed && conn->state == CONN_STATE_STARTTLS_FLUSH) {
		/* The reply may be out already; then no write callback comes. */
		if (evbuffer_get_length(bufferevent_get_output(conn->obev)) == 0)
			conn_tls_switch(conn);
		else
			conn_timer_arm(conn);
	}
	conn_release(conn);
	return 0;
}

void conn_tls_switch(struct conn *conn)
{
	SSL *ssl = conn->pending_ssl;
	struct evbuffer *queued = conn->tls_pending;
	const char *error;

	assert(conn->state == CONN_STATE_STARTTLS_FLUSH && ssl != NULL);
	conn->pending_ssl = NULL;
	conn->tls_pending = NULL;
	/* The plain bufferevent does not own the fd; freeing it also throws
	 * away anything it might still hold in its input buffer. */
	bufferevent_free(conn->bev);
	conn->bev = conn->obev = NULL;
	conn->state = CONN_STATE_OPEN;
	if (conn_tls_attach(conn, ssl, conn->pending_server, &error) < 0) {
		if (queued != NULL)
			evbuffer_free(queued);
		conn_finish_later(conn, CONN_CLOSE_TLS_ERROR, error);
		return;
	}
	if (queued != NULL) {
		evbuffer_add_buffer(bufferevent_get_output(conn->bev), queued);
		evbuffer_free(queued);
	}
	conn_timer_arm(conn);
}

void conn_tls_connected(struct conn *conn)
{
	if (!conn->tls || conn->tls_done)
		return;
	conn->tls_done = true;
	conn->last_activity = conn_now_msecs();
	if (conn->cb->tls_ready != NULL && conn->state == CONN_STATE_OPEN)
		conn->cb->tls_ready(conn, conn->ctx);
}

const char *conn_tls_error_text(struct conn *conn)
{
	static char text[256];
	SSL *ssl = bufferevent_openssl_get_ssl(conn->bev);
	unsigned long e = bufferevent_get_openssl_error(conn->bev);
	long verify = ssl != NULL ? SSL_get_verify_result(ssl) : X509_V_OK;
	const char *reason;

	/* Drain the rest of the bufferevent's error list. */
	while (bufferevent_get_openssl_error(conn->bev) != 0) {
	}
	if (verify != X509_V_OK && !conn->tls_done) {
		snprintf(text, sizeof(text), "certificate verification failed: %s",
			 X509_verify_cert_error_string(verify));
		return text;
	}
	if (e == 0)
		return NULL;
	reason = ERR_reason_error_string(e);
	if (reason != NULL)
		snprintf(text, sizeof(text), "%s", reason);
	else
		ERR_error_string_n(e, text, sizeof(text));
	return text;
}

bool conn_is_tls(const struct conn *conn)
{
	return conn->tls_done && conn->state != CONN_STATE_CLOSED;
}

const char *conn_tls_version(const struct conn *conn)
{
	if (!conn_is_tls(conn))
		return NULL;
	return SSL_get_version(bufferevent_openssl_get_ssl(conn->bev));
}

const char *conn_tls_cipher(const struct conn *conn)
{
	if (!conn_is_tls(conn))
		return NULL;
	return SSL_get_cipher_name(bufferevent_openssl_get_ssl(conn->bev));
}
