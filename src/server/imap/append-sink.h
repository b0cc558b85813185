/* append-sink.h — where the parser puts APPEND's large message literals:
 * unnamed temporary files in the user's store, later mapped read-only for
 * store_append, so a large message is never held in memory.
 *
 * A literal of at least APPEND_SINK_THRESHOLD bytes goes to a file made
 * with O_TMPFILE in DIR/msg (or, where the file system lacks it, a
 * "tmp.*" file there that is unlinked at once): it has no name, so it
 * disappears when the handle is released, when the process dies, or when
 * the machine crashes. Nothing is ever left behind to sweep.
 *
 * Limits: the bytes held in live handles of one sink (one session) never
 * exceed max(APPEND_SINK_MAX_TOTAL, the APPENDLIMIT); a literal that would
 * pass it is refused, and the parser fails that command with a tagged NO.
 * Space for each file is reserved when its literal is accepted, so a full
 * disk refuses the literal before the client sends it.
 */
#ifndef HAFEN_SERVER_APPEND_SINK_H
#define HAFEN_SERVER_APPEND_SINK_H

#include <stddef.h>
#include <stdint.h>

struct imap_parser;
struct imap_parser_limits;

/* Literals from this size on are streamed to a file. */
#define APPEND_SINK_THRESHOLD (256 * 1024)
/* Bytes in temporary files of one session at once (a MULTIAPPEND). */
#define APPEND_SINK_MAX_TOTAL ((uint64_t)1024 * 1024 * 1024)

struct append_sink;

/* A sink writing into store_dir/msg, for literals of at most append_limit
 * bytes. The sink must outlive the parser it is attached to. */
struct append_sink *append_sink_new(const char *store_dir, uint64_t append_limit);
/* Free the sink; *sinkp becomes NULL. Accepts NULL. Every handle must have
 * been released (free the parser first). */
void append_sink_free(struct append_sink **sinkp);
/* Make parser stream large literals to the sink: sets
 * limits->stream_threshold (to be passed to imap_parser_set_limits) and
 * the parser's sink. */
void append_sink_attach(struct append_sink *sink, struct imap_parser *parser,
			struct imap_parser_limits *limits);

/* The complete bytes of a streamed literal (struct imap_literal.stream),
 * mapped read-only; valid until the handle is released (the command is
 * freed). Returns 0, or -1 with *error_r. */
int append_sink_map(void *handle, const void **data_r, size_t *size_r, const char **error_r);
/* Bytes in live handles of the sink (for tests and logs). */
uint64_t append_sink_live_bytes(const struct append_sink *sink);

#endif
