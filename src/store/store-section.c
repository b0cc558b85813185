/* store-section.c — reading body sections (RFC 9051 6.4.5) and BINARY
 * (RFC 3516) from the cached part index: open the file, seek, read. The
 * list-view header fields are answered from the database alone. */
#include "store-parsed.h"
#include "store-private.h"
#include "lib/mem.h"
#include "mime/mime.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The byte range a section names, before any filtering or decoding. */
struct section_range {
	uint64_t offset, size;
	enum mime_cte cte;
	bool header; /* the range is a header block (for HEADER.FIELDS) */
};

static int locate(struct store *s, const struct store_msg *m, const struct store_section *sec,
		  struct section_range *r)
{
	struct mime_part_info info;

	if (m->part_index == NULL)
		return store_fail(s, STORE_ERR_INVALID, "section read without the part index");
	if (mime_part_index_find(m->part_index, m->part_index_len, sec->part, sec->depth, &info) <
	    0)
		return STORE_ERR_NONEXISTENT;
	r->cte = info.cte;
	r->header = false;
	switch (sec->kind) {
	case STORE_SECTION_ALL:
		r->offset = sec->depth == 0 ? 0 : info.body_offset;
		r->size = sec->depth == 0 ? m->size : info.body_size;
		if (sec->depth == 0)
			r->cte = MIME_CTE_BINARY; /* BINARY[] is the message as is */
		return STORE_OK;
	case STORE_SECTION_MIME:
		if (sec->depth == 0)
			return STORE_ERR_NONEXISTENT;
		r->offset = info.header_offset;
		r->size = info.header_size;
		r->header = true;
		return STORE_OK;
	case STORE_SECTION_HEADER:
	case STORE_SECTION_HEADER_FIELDS:
	case STORE_SECTION_HEADER_FIELDS_NOT:
		r->header = true;
		if (sec->depth == 0) {
			r->offset = info.header_offset;
			r->size = info.header_size;
			return STORE_OK;
		}
		if (!info.message)
			return STORE_ERR_NONEXISTENT;
		r->offset = info.msg_header_offset;
		r->size = info.msg_header_size;
		return STORE_OK;
	case STORE_SECTION_TEXT:
		if (sec->depth == 0) {
			r->offset = info.body_offset;
			r->size = info.body_size;
			return STORE_OK;
		}
		if (!info.message)
			return STORE_ERR_NONEXISTENT;
		r->offset = info.msg_body_offset;
		r->size = info.msg_body_size;
		return STORE_OK;
	}
	return STORE_ERR_INVALID;
}

int store_msg_open(struct store *s, const struct store_msg *m, int *fd_r)
{
	if (m->emailid == NULL)
		return store_fail(s, STORE_ERR_INVALID, "message without file name");
	return store_msgfile_open(s, m->emailid, fd_r);
}

static int read_range(struct store *s, const struct store_msg *m, uint64_t offset, uint64_t size,
		      struct buf *out)
{
	int fd, ret = store_msg_open(s, m, &fd);
	size_t start = out->len;

	if (ret != STORE_OK)
		return ret;
	buf_reserve(out, (size_t)size);
	while (out->len - start < size) {
		ssize_t n = pread(fd, out->data + out->len, (size_t)size - (out->len - start),
				  (off_t)(offset + (out->len - start)));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			buf_truncate(out, start);
			return store_fail(s, n == 0 ? STORE_ERR_CORRUPT : STORE_ERR_IO,
					  "%s: message %s is shorter than its index says", s->dir,
					  m->emailid);
		}
		out->len += (size_t)n;
	}
	close(fd);
	return STORE_OK;
}

bool store_section_cached(const struct store_section *sec)
{
	return sec->depth == 0 && sec->kind == STORE_SECTION_HEADER_FIELDS && !sec->binary &&
	       store_parsed_caches_fields(sec->fields, sec->field_count);
}

static bool from_cache(const struct store_msg *m, const struct store_section *sec)
{
	return m->headers != NULL && store_section_cached(sec);
}

int store_section_read(struct store *s, const struct store_msg *m, const struct store_section *sec,
		       struct buf *out)
{
	struct section_range r;
	struct buf raw = BUF_INIT;
	const char *error;
	int ret;

	if (from_cache(m, sec)) {
		mime_header_write_fields(m->headers, m->headers_len, sec->fields, sec->field_count,
					 false, out);
		return STORE_OK;
	}
	ret = locate(s, m, sec, &r);
	if (ret != STORE_OK)
		return ret;
	if (!sec->binary && (sec->kind != STORE_SECTION_HEADER_FIELDS &&
			     sec->kind != STORE_SECTION_HEADER_FIELDS_NOT))
		return read_range(s, m, r.offset, r.size, out);
	ret = read_range(s, m, r.offset, r.size, &raw);
	if (ret == STORE_OK && sec->binary && !r.header) {
		if (mime_decode_transfer(r.cte, raw.data, raw.len, out, &error) < 0)
			ret = store_fail(s, STORE_ERR_INVALID, "%s", error);
	} else if (ret == STORE_OK && sec->kind == STORE_SECTION_HEADER_FIELDS_NOT) {
		mime_header_write_fields(raw.data, raw.len, sec->fields, sec->field_count, true,
					 out);
	} else if (ret == STORE_OK && sec->kind == STORE_SECTION_HEADER_FIELDS) {
		mime_header_write_fields(raw.data, raw.len, sec->fields, sec->field_count, false,
					 out);
	} else if (ret == STORE_OK) {
		buf_append(out, raw.data, raw.len);
	}
	buf_free(&raw);
	return ret;
}

int store_section_size(struct store *s, const struct store_msg *m, const struct store_section *sec,
		       uint64_t *size_r)
{
	struct mime_part_info info;
	struct buf raw = BUF_INIT;
	struct section_range r;
	int ret;

	if (!sec->binary || sec->kind != STORE_SECTION_ALL) {
		struct buf out = BUF_INIT;

		ret = store_section_read(s, m, sec, &out);
		*size_r = out.len;
		buf_free(&out);
		return ret;
	}
	if (m->part_index != NULL && sec->depth > 0 &&
	    mime_part_index_find(m->part_index, m->part_index_len, sec->part, sec->depth, &info) ==
		    0 &&
	    info.decoded_size_known) {
		*size_r = info.decoded_size;
		return STORE_OK;
	}
	ret = locate(s, m, sec, &r);
	if (ret == STORE_OK)
		ret = read_range(s, m, r.offset, r.size, &raw);
	if (ret == STORE_OK && mime_decoded_size(r.cte, raw.data, raw.len, size_r) < 0)
		ret = store_fail(s, STORE_ERR_INVALID, "unknown content-transfer-encoding");
	buf_free(&raw);
	return ret;
}

int store_section_range(struct store *s, const struct store_msg *m, const struct store_section *sec,
			uint64_t *offset_r, uint64_t *size_r)
{
	struct section_range r;
	int ret;

	if (sec->binary || sec->kind == STORE_SECTION_HEADER_FIELDS ||
	    sec->kind == STORE_SECTION_HEADER_FIELDS_NOT)
		return STORE_ERR_INVALID;
	ret = locate(s, m, sec, &r);
	if (ret == STORE_OK) {
		*offset_r = r.offset;
		*size_r = r.size;
	}
	return ret;
}
