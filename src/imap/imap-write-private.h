/* imap-write-private.h — the writer state shared by the formatter's files. */
#ifndef HAFEN_IMAP_WRITE_PRIVATE_H
#define HAFEN_IMAP_WRITE_PRIVATE_H

#include "imap-write.h"

/* Where output goes: out->buf for a command (literals then add marks), or
 * a plain buffer for a response. */
struct imap_writer {
	struct buf *buf;
	unsigned flags;
	struct imap_command_output *cmd; /* NULL for responses */
};

struct imap_writer imap_writer_response(struct buf *out, unsigned flags);

void w_str(struct imap_writer *w, const char *s);
void w_byte(struct imap_writer *w, char c);
void w_u64(struct imap_writer *w, uint64_t n);
/* A literal's header; for commands, records the continuation mark. */
void w_literal_header(struct imap_writer *w, uint64_t size, bool literal8);
void w_stream_mark(struct imap_writer *w, uint64_t size, void *stream);
void w_string(struct imap_writer *w, const char *data, size_t len, bool astring);
void w_astring(struct imap_writer *w, const char *s);
void w_nstring(struct imap_writer *w, const char *s);
/* charset = atom / quoted (RFC 9051): an atom when it is one, else quoted. */
void w_charset(struct imap_writer *w, const char *s);
/* list-mailbox: unquoted when every byte is a list-char. */
void w_list_mailbox(struct imap_writer *w, const char *s);
/* Always a quoted string, whatever the bytes; CR and LF are dropped. */
void w_quoted(struct imap_writer *w, const char *s);
void w_text(struct imap_writer *w, const char *text);
void w_flag_list(struct imap_writer *w, const struct imap_strlist *flags);
void w_strlist_atoms(struct imap_writer *w, const struct imap_strlist *list);
void w_seqset(struct imap_writer *w, const struct imap_seqset *set);
void w_section(struct imap_writer *w, const struct imap_section *sec);
void w_fetch_item(struct imap_writer *w, const struct imap_fetch_item *item, bool response);
void w_datetime(struct imap_writer *w, const struct imap_datetime *dt);
void w_value(struct imap_writer *w, const struct imap_value *v);
void w_partial_range(struct imap_writer *w, int64_t first, int64_t last);
void w_id_params(struct imap_writer *w, const struct imap_id_params *id);
void w_status_items(struct imap_writer *w, unsigned items);
void w_envelope(struct imap_writer *w, const struct imap_envelope *env);
void w_body(struct imap_writer *w, const struct imap_body *body, bool extensible);
void w_search_keys(struct imap_writer *w, const struct imap_search_key *keys, size_t count);
void w_fetch_attr(struct imap_writer *w, const struct imap_fetch_attr *attr);
void w_resp_code(struct imap_writer *w, const struct imap_resp_code *code);

#endif
