/* load-conn.c — the generator's IMAP connection: libevent bufferevents
 * (with OpenSSL for IMAPS) feeding the project's client-side parser. */
#include "load-conn.h"
#include "imap/imap-parser.h"
#include "lib/buf.h"
#include "lib/mem.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct load_conn {
	struct bufferevent *bev;
	struct imap_parser *parser;
	const struct load_conn_handler *h;
	void *ctx;
	struct buf line;
	unsigned next_tag;
	char tag[16];
	bool in_callback; /* a handler runs: load_conn_free only marks dead */
	bool dead;
	bool ended; /* closed() was called */
};

static void conn_destroy(struct load_conn *c)
{
	if (c->bev != NULL)
		bufferevent_free(c->bev);
	imap_parser_free(&c->parser);
	buf_free(&c->line);
	free(c);
}

void load_conn_free(struct load_conn **cp)
{
	struct load_conn *c = *cp;

	if (c == NULL)
		return;
	*cp = NULL;
	if (c->in_callback) {
		/* Close the socket now; the struct goes when the callback returns. */
		c->dead = true;
		if (c->bev != NULL) {
			bufferevent_free(c->bev);
			c->bev = NULL;
		}
		return;
	}
	conn_destroy(c);
}

/* Tell the owner once; returns true when the owner freed the connection. */
static bool conn_end(struct load_conn *c, const char *why)
{
	if (c->ended)
		return c->dead;
	c->ended = true;
	c->in_callback = true;
	c->h->closed(c->ctx, why);
	c->in_callback = false;
	return c->dead;
}

static void conn_feed_input(struct load_conn *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	struct evbuffer_iovec vec[16];

	while (evbuffer_get_length(in) > 0) {
		int n = evbuffer_peek(in, -1, NULL, vec, 16);
		size_t total = 0;

		if (n > 16)
			n = 16;
		for (int i = 0; i < n; i++) {
			imap_parser_feed(c->parser, vec[i].iov_base, vec[i].iov_len);
			total += vec[i].iov_len;
		}
		evbuffer_drain(in, total);
	}
}

static void on_read(struct bufferevent *bev, void *arg)
{
	struct load_conn *c = arg;
	struct imap_response *r;
	struct imap_parse_error err;
	enum imap_parse_result ret;
	char why[256];

	(void)bev;
	conn_feed_input(c);
	while (!c->dead && !c->ended) {
		ret = imap_parser_next_response(c->parser, &r, &err);
		if (ret == IMAP_PARSE_MORE)
			break;
		if (ret != IMAP_PARSE_DONE) {
			snprintf(why, sizeof(why), "unparsable response: %s", err.message);
			conn_end(c, why);
			break;
		}
		c->in_callback = true;
		c->h->response(c->ctx, r);
		c->in_callback = false;
		imap_response_free(&r);
	}
	if (c->dead)
		conn_destroy(c);
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
	struct load_conn *c = arg;
	char why[256];
	unsigned long tls_err;

	if ((what & BEV_EVENT_CONNECTED) != 0)
		return;
	if ((what & BEV_EVENT_EOF) != 0) {
		snprintf(why, sizeof(why), "server closed the connection");
	} else if ((tls_err = bufferevent_get_openssl_error(bev)) != 0) {
		snprintf(why, sizeof(why), "TLS: %s", ERR_reason_error_string(tls_err));
	} else {
		snprintf(why, sizeof(why), "%s",
			 evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
	}
	if (conn_end(c, why))
		conn_destroy(c);
}

static struct bufferevent *conn_bev_new(struct event_base *base, const struct load_target *t)
{
	SSL *ssl;
	struct bufferevent *bev;

	if (t->tls == NULL)
		return bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	ssl = SSL_new(t->tls);
	if (ssl == NULL)
		return NULL;
	bev = bufferevent_openssl_socket_new(base, -1, ssl, BUFFEREVENT_SSL_CONNECTING,
					     BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL)
		SSL_free(ssl);
	return bev;
}

struct load_conn *load_conn_new(struct event_base *base, const struct load_target *target,
				const struct load_conn_handler *handler, void *ctx,
				const char **error_r)
{
	struct load_conn *c = xcalloc(1, sizeof(*c));

	c->h = handler;
	c->ctx = ctx;
	c->parser = imap_parser_new(IMAP_PARSER_CLIENT, NULL);
	c->bev = conn_bev_new(base, target);
	if (c->bev == NULL) {
		*error_r = "cannot create a bufferevent";
		conn_destroy(c);
		return NULL;
	}
	bufferevent_setcb(c->bev, on_read, NULL, on_event, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	if (bufferevent_socket_connect(c->bev, (const struct sockaddr *)&target->addr,
				       (int)target->addr_len) < 0) {
		*error_r = "cannot start connecting (out of descriptors?)";
		conn_destroy(c);
		return NULL;
	}
	/* As interactive clients do: no wait for an ACK before a small write
	 * (DONE, a command after a literal). */
	(void)setsockopt(bufferevent_getfd(c->bev), IPPROTO_TCP, TCP_NODELAY, &(int){1},
			 sizeof(int));
	return c;
}

static void conn_vcommand(struct load_conn *c, bool crlf, const char *fmt, va_list ap)
{
	snprintf(c->tag, sizeof(c->tag), "a%u", ++c->next_tag);
	buf_reset(&c->line);
	buf_append_str(&c->line, c->tag);
	buf_append_byte(&c->line, ' ');
	buf_vprintf(&c->line, fmt, ap);
	if (crlf)
		buf_append(&c->line, "\r\n", 2);
	load_conn_write(c, c->line.data, c->line.len);
}

const char *load_conn_command(struct load_conn *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conn_vcommand(c, true, fmt, ap);
	va_end(ap);
	return c->tag;
}

const char *load_conn_command_start(struct load_conn *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conn_vcommand(c, false, fmt, ap);
	va_end(ap);
	return c->tag;
}

void load_conn_write(struct load_conn *c, const void *data, size_t len)
{
	if (c->bev != NULL)
		bufferevent_write(c->bev, data, len);
}

const char *load_conn_tag(const struct load_conn *c)
{
	return c->tag;
}

int load_conn_is_done(const struct load_conn *c, const struct imap_response *r)
{
	return r->kind == IMAP_RESP_STATUS && r->tag != NULL && strcmp(r->tag, c->tag) == 0;
}

struct ssl_ctx_st *load_tls_client_ctx(void)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (ctx == NULL)
		return NULL;
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	return ctx;
}
