/* compose.h — writing mail: the editable template a user sees in $EDITOR,
 * reading it back, and building the RFC 5322 / MIME message from it
 * (UTF-8 text, RFC 2047 header words, quoted-printable when needed,
 * Date and Message-ID added); and the SMTP envelope of any message. */
#ifndef HAFEN_CLIENT_COMPOSE_H
#define HAFEN_CLIENT_COMPOSE_H

#include "lib/buf.h"

#include <stdbool.h>
#include <stddef.h>

struct draft {
	struct buf from, to, cc, bcc, subject, in_reply_to, references;
	struct buf body;   /* UTF-8 text, LF line ends */
	struct buf attach; /* forward: the original message (message/rfc822) */
};

void draft_free(struct draft *d);

/* "From: ...\nTo: ...\n...\n\nbody" for the editor. */
void compose_template(const struct draft *d, struct buf *out);
/* Read an edited template back into d (header values and body replaced).
 * -1 with *error_r when the text has no header/body separation. */
int compose_parse(const char *text, size_t len, struct draft *d, const char **error_r);
/* The message, CRLF line ends. */
void compose_build(const struct draft *d, struct buf *out);
/* Open $VISUAL, else $EDITOR, else vi on text (in a private temporary
 * file); text becomes what the user saved. -1 with *error_r when the
 * editor failed. */
int compose_edit(struct buf *text, const char **error_r);

/* For "hafen send": the envelope of a message ("from\nrcpt\n..."), from
 * its From, To, Cc and Bcc fields; the message itself gets Date and
 * Message-ID when it lacks them and loses its Bcc field (into out).
 * -1 with *error_r when there is no sender or no recipient. */
int compose_prepare_send(const void *data, size_t len, struct buf *out, struct buf *envelope,
			 const char **error_r);

#endif
