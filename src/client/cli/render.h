/* render.h — a whole message made readable: its header fields decoded,
 * the text to show (text/plain, else text/html as text), and its
 * attachments numbered from 1, as "hafen read" lists them. */
#ifndef HAFEN_CLIENT_RENDER_H
#define HAFEN_CLIENT_RENDER_H

#include "lib/arena.h"
#include "lib/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mime_message;
struct mime_part;

struct render_attachment {
	char *filename; /* decoded, never NULL ("part-N" when none) */
	char *type;     /* "image/png" */
	uint64_t size;  /* decoded size when known, else encoded */
	const struct mime_part *part;
};

struct render {
	struct arena *arena;
	struct mime_message *msg;
	const char *data;
	size_t len;
	const struct mime_part *text_part;
	bool text_is_html;
	struct render_attachment *att;
	size_t natt;
};

/* data must stay alive until render_close(). */
void render_open(struct render *r, const void *data, size_t len);
void render_close(struct render *r);
/* A top-level header field decoded to UTF-8; "" when absent. */
void render_header(const struct render *r, const char *name, struct buf *out);
/* The raw (undecoded, unfolded) value; "" when absent. */
void render_header_raw(const struct render *r, const char *name, struct buf *out);
/* The text to show, UTF-8. */
void render_text(const struct render *r, struct buf *out);
/* Attachment n (1-based), transfer-decoded. -1 with *error_r when there
 * is no such attachment or its encoding is unknown. */
int render_attachment_data(const struct render *r, size_t n, struct buf *out, const char **error_r);

#endif
