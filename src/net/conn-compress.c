/* conn-compress.c — COMPRESS=DEFLATE on a connection (RFC 4978): the plain
 * buffers the session sees, one compressed batch per loop callback, input
 * inflated only into the room the input limit leaves, and the zlib state
 * given back while traffic pauses (see conn.h, compress.h).
 *
 * Buffers: the session writes to `zout`; a write activates `ev`, which
 * compresses everything in zout into the socket's (or TLS's) output once
 * the current callback is over, so a response written in pieces is one
 * batch with one flush. Wire input is inflated into `zin`, which the
 * session's input callback receives. The same `ev` is the park timer:
 * CONN_COMPRESS_PARK_MSECS after the last batch or input it parks both
 * zlib streams.
 */
#include "conn-private.h"

#include "compress.h"

#include "lib/mem.h"

#include <stdio.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>

/* Inflated bytes per round when the conn has no input limit. */
#define UNLIMITED_ROOM (64 * 1024)

struct conn_compress {
	struct compress_in *in;
	struct compress_out *out;
	struct evbuffer *zin;  /* inflated input for the session */
	struct evbuffer *zout; /* the session's plain output */
	struct event *ev;      /* activated: compress a batch; timer: park */
	unsigned park_msecs;
	bool flush_pending; /* ev was activated for a batch */
};

/* A close reason must outlive conn_finish(), which frees z. */
static void compress_fail(struct conn *conn, const char *error)
{
	static char detail[192];

	snprintf(detail, sizeof(detail), "%s", error);
	conn_finish(conn, CONN_CLOSE_ERROR, detail);
}

static void arm_park(struct conn_compress *z)
{
	struct timeval tv = {(time_t)(z->park_msecs / 1000),
			     (suseconds_t)(z->park_msecs % 1000) * 1000};

	if (z->park_msecs > 0)
		evtimer_add(z->ev, &tv);
}

/* Compress what the session wrote since the last batch. */
static void flush_batch(struct conn *conn)
{
	struct conn_compress *z = conn->z;
	const char *error;

	if (conn->state != CONN_STATE_OPEN && conn->state != CONN_STATE_CLOSING) {
		evbuffer_drain(z->zout, evbuffer_get_length(z->zout));
		return;
	}
	if (compress_out_run(z->out, z->zout, bufferevent_get_output(conn->obev), &error) < 0)
		compress_fail(conn, error);
}

/* Traffic paused: give the zlib state back. The inflater can only park
 * where the peer flushed (it always does at the end of a command). */
static void park(struct conn *conn)
{
	struct conn_compress *z = conn->z;

	if (evbuffer_get_length(z->zout) > 0)
		return;
	compress_out_park(z->out);
	if (conn->bev != NULL && evbuffer_get_length(bufferevent_get_input(conn->bev)) == 0)
		(void)compress_in_park(z->in);
}

static void compress_event_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn *conn = arg;
	struct conn_compress *z = conn->z;

	(void)fd;
	(void)what;
	conn_hold(conn);
	if (z->flush_pending) {
		z->flush_pending = false;
		flush_batch(conn);
		/* flush_batch may have closed the conn, which frees z. */
		if (conn->z != NULL)
			arm_park(conn->z);
	} else {
		park(conn);
	}
	conn_release(conn);
}

static void zout_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
	struct conn *conn = arg;
	struct conn_compress *z = conn->z;

	(void)buf;
	if (info->n_added == 0 || z->flush_pending)
		return;
	z->flush_pending = true;
	event_active(z->ev, EV_TIMEOUT, 0);
}

int conn_start_compress(struct conn *conn, const struct compress_settings *set,
			const char **error_r)
{
	struct conn_compress *z;

	if (conn->z != NULL) {
		*error_r = "compression is already active";
		return -1;
	}
	if (conn->state != CONN_STATE_OPEN || conn->input_eof) {
		*error_r = "the connection is closing";
		return -1;
	}
	if (conn->tls && !conn->tls_done) {
		*error_r = "the TLS handshake is not complete";
		return -1;
	}
	if (set != NULL && compress_settings_check(set, error_r) < 0)
		return -1;
	z = xcalloc(1, sizeof(*z));
	z->in = compress_in_new(set);
	z->out = compress_out_new(set);
	z->zin = evbuffer_new();
	z->zout = evbuffer_new();
	z->ev = evtimer_new(conn->base, compress_event_cb, conn);
	if (z->zin == NULL || z->zout == NULL || z->ev == NULL)
		hf_panic("conn: out of memory starting compression");
	evbuffer_add_cb(z->zout, zout_cb, conn);
	z->park_msecs = CONN_COMPRESS_PARK_MSECS;
	conn->z = z;
	/* Bytes that arrived after the OK are compressed: read them again
	 * through the inflater, from the loop. */
	if (!conn->input_paused && evbuffer_get_length(bufferevent_get_input(conn->bev)) > 0)
		bufferevent_trigger(conn->bev, EV_READ,
				    BEV_TRIG_IGNORE_WATERMARKS | BEV_TRIG_DEFER_CALLBACKS);
	arm_park(z);
	return 0;
}

bool conn_is_compressed(const struct conn *conn)
{
	return conn->z != NULL;
}

void conn_set_compress_park(struct conn *conn, unsigned msecs)
{
	if (conn->z == NULL)
		return;
	conn->z->park_msecs = msecs;
	if (msecs == 0)
		evtimer_del(conn->z->ev);
	else if (!conn->z->flush_pending)
		arm_park(conn->z);
}

void conn_compress_stats(const struct conn *conn, struct conn_compress_stats *stats_r)
{
	memset(stats_r, 0, sizeof(*stats_r));
	if (conn->z == NULL)
		return;
	compress_in_totals(conn->z->in, &stats_r->in_wire, &stats_r->in_plain);
	compress_out_totals(conn->z->out, &stats_r->out_plain, &stats_r->out_wire);
	stats_r->memory = compress_in_memory(conn->z->in) + compress_out_memory(conn->z->out);
}

/* Room the input limit leaves for inflated bytes. */
static size_t input_room(const struct conn *conn)
{
	size_t have = evbuffer_get_length(conn->z->zin);

	if (conn->input_limit == 0)
		return have < UNLIMITED_ROOM ? UNLIMITED_ROOM - have : 0;
	return have < conn->input_limit ? conn->input_limit - have : 0;
}

void conn_compress_read(struct conn *conn, struct evbuffer *wire)
{
	struct conn_compress *z = conn->z;
	const char *error;

	for (;;) {
		size_t room = input_room(conn), have;

		if (room > 0 && compress_in_run(z->in, wire, z->zin, room, NULL, &error) < 0) {
			compress_fail(conn, error);
			return;
		}
		have = evbuffer_get_length(z->zin);
		if (have == 0 || conn->input_paused)
			break;
		conn->cb->input(conn, z->zin, conn->ctx);
		if (conn->freed || conn->state != CONN_STATE_OPEN)
			return;
		if (evbuffer_get_length(z->zin) == have) {
			/* Nothing consumed: wait for more, unless the session can
			 * never consume (see conn_read_cb for the plain case). */
			if (!conn->input_paused && conn->input_limit != 0 &&
			    have >= conn->input_limit)
				conn_finish(conn, CONN_CLOSE_ERROR,
					    "input limit reached with nothing consumed");
			return;
		}
	}
	if (!z->flush_pending)
		arm_park(z);
}

struct evbuffer *conn_compress_output(struct conn *conn)
{
	return conn->z != NULL ? conn->z->zout : NULL;
}

size_t conn_compress_out_pending(const struct conn *conn)
{
	return conn->z != NULL ? evbuffer_get_length(conn->z->zout) : 0;
}

size_t conn_compress_in_pending(const struct conn *conn)
{
	return conn->z != NULL ? evbuffer_get_length(conn->z->zin) : 0;
}

void conn_compress_free(struct conn *conn)
{
	struct conn_compress *z = conn->z;

	if (z == NULL)
		return;
	conn->z = NULL;
	compress_in_free(&z->in);
	compress_out_free(&z->out);
	evbuffer_free(z->zin);
	evbuffer_remove_cb(z->zout, zout_cb, conn);
	evbuffer_free(z->zout);
	event_free(z->ev);
	free(z);
}
