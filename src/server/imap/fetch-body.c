/* fetch-body.c — where the bytes of a body item come from and how many
 * there are: BODY[section]<partial> (RFC 9051 6.4.5), RFC822 and its
 * .HEADER/.TEXT forms (RFC 3501), BINARY[part]<partial> and BINARY.SIZE
 * (RFC 3516).
 *
 * Nothing large is held in memory: a section that is a byte range of the
 * file is sent from the file, and BINARY of a base64 or quoted-printable
 * part is decoded chunk by chunk while it is sent. Only HEADER.FIELDS and
 * HEADER.FIELDS.NOT, whose result is a filtered copy of a header block,
 * are built in memory. The literal's size must be known before its first
 * byte, so BINARY needs the decoded size (kept in the part index) and
 * whether the window holds a NUL (then literal8 is a MUST, RFC 3516 4.3);
 * finding a NUL reads the data once up to the first NUL, within a bound.
 */
#include "fetch-private.h"
#include "lib/log.h"
#include "mime/mime-decode-stream.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int fetch_file_open(struct fetch_file *f)
{
	struct stat st;
	int ret;

	if (f->fd >= 0)
		return STORE_OK;
	ret = store_msg_open(f->st, f->m, &f->fd);
	if (ret != STORE_OK)
		return ret;
	/* Every section lies inside the message's size (the part index says
	 * so): a long enough file cannot run short while a literal is sent. */
	if (fstat(f->fd, &st) < 0)
		st.st_size = 0;
	if ((uint64_t)st.st_size < f->m->size) {
		log_error("fetch: message %s uid %u: the file has %lld bytes, the index says %llu",
			  f->m->emailid, f->m->uid, (long long)st.st_size,
			  (unsigned long long)f->m->size);
		fetch_file_close(f);
		return STORE_ERR_CORRUPT;
	}
	return STORE_OK;
}

void fetch_file_close(struct fetch_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}

int fetch_file_pread(struct fetch_file *f, void *dst, size_t n, uint64_t off)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = pread(f->fd, (char *)dst + done, n - done, (off_t)(off + done));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			log_error("fetch: message %s uid %u: %s at offset %llu", f->m->emailid,
				  f->m->uid,
				  r == 0 ? "file shorter than its index" : strerror(errno),
				  (unsigned long long)(off + done));
			return -1;
		}
		done += (size_t)r;
	}
	return 0;
}

void fetch_body_clear(struct fetch_body *b)
{
	buf_free(&b->mem);
	buf_free(&b->dec);
	mime_decode_stream_free(&b->ds);
	memset(b, 0, sizeof(*b));
}

/* The partial window <origin.length> over total bytes (RFC 9051 6.4.5:
 * empty when origin is past the end, truncated at the end). */
static void window(const struct fetch_item *it, uint64_t total, uint64_t *start_r, uint64_t *len_r)
{
	*start_r = 0;
	*len_r = total;
	if (!it->partial)
		return;
	if (it->origin >= total) {
		*start_r = total;
		*len_r = 0;
		return;
	}
	*start_r = it->origin;
	*len_r = total - it->origin < it->length ? total - it->origin : it->length;
}

static bool identity_cte(enum mime_cte cte)
{
	return cte == MIME_CTE_7BIT || cte == MIME_CTE_8BIT || cte == MIME_CTE_BINARY;
}

/* Called with each piece of a walk's output at position pos; true stops. */
typedef bool walk_fn(void *ctx, const unsigned char *p, size_t n, uint64_t pos);

/* Read offset..+raw_size of the file, decode it (cte) and hand the output
 * to visit in pieces until it says stop or the input ends. */
static int walk(struct fetch_file *f, uint64_t offset, uint64_t raw_size, enum mime_cte cte,
		walk_fn *visit, void *ctx)
{
	struct mime_decode_stream *ds = mime_decode_stream_new(cte);
	struct buf dec = BUF_INIT;
	uint64_t pos = 0, out = 0;
	int ret = 0;

	buf_reserve(&f->scratch, FETCH_CHUNK);
	for (;;) {
		size_t n = raw_size - pos < FETCH_CHUNK ? (size_t)(raw_size - pos) : FETCH_CHUNK;

		buf_reset(&dec);
		if (n == 0) {
			mime_decode_stream_finish(ds, &dec);
		} else if (fetch_file_pread(f, f->scratch.data, n, offset + pos) < 0) {
			ret = -1;
			break;
		} else {
			mime_decode_stream_feed(ds, f->scratch.data, n, &dec);
		}
		if (dec.len > 0 && visit(ctx, dec.data, dec.len, out))
			break;
		out += dec.len;
		pos += n;
		if (n == 0)
			break;
	}
	buf_free(&dec);
	mime_decode_stream_free(&ds);
	return ret;
}

struct nul_scan {
	uint64_t start, end; /* the window, in output positions */
	bool found;
};

static bool nul_visit(void *ctx, const unsigned char *p, size_t n, uint64_t pos)
{
	struct nul_scan *ns = ctx;
	uint64_t lo = pos > ns->start ? pos : ns->start;
	uint64_t hi = pos + n < ns->end ? pos + n : ns->end;

	if (lo < hi && memchr(p + (lo - pos), '\0', (size_t)(hi - lo)) != NULL)
		ns->found = true;
	return ns->found || pos + n >= ns->end;
}

static enum fetch_body_result store_failed(int ret, int *err_r)
{
	*err_r = ret;
	return FETCH_BODY_STORE_ERROR;
}

/* Build HEADER.FIELDS[.NOT] into b->mem: filtered in memory, the window
 * applied after the filtering (RFC 9051 6.4.5). */
static int build_fields(struct fetch_file *f, const struct fetch_item *it, struct fetch_body *b)
{
	uint64_t start, len;
	int ret;

	buf_reset(&b->mem);
	ret = store_section_read(f->st, f->m, &it->sec, &b->mem);
	if (ret == STORE_ERR_NONEXISTENT)
		buf_reset(&b->mem);
	else if (ret != STORE_OK)
		return ret;
	window(it, b->mem.len, &start, &len);
	if (start > 0)
		buf_consume(&b->mem, (size_t)start);
	buf_truncate(&b->mem, (size_t)len);
	return STORE_OK;
}

static enum fetch_body_result prepare_fields(struct fetch_file *f, const struct fetch_item *it,
					     struct fetch_body *b, int *err_r)
{
	int ret = build_fields(f, it, b);

	if (ret != STORE_OK)
		return store_failed(ret, err_r);
	b->src = FETCH_SRC_MEM;
	b->size = b->mem.len;
	/* Many large results would add up: past the limit, only the size is
	 * kept and the bytes are built again when their turn comes. */
	if (f->kept + b->size > FETCH_KEEP_MAX) {
		b->rebuild = it;
		buf_free(&b->mem);
	} else {
		f->kept += b->size;
	}
	return FETCH_BODY_OK;
}

int fetch_body_rebuild(struct fetch_file *f, struct fetch_body *b)
{
	int ret = build_fields(f, b->rebuild, b);

	if (ret == STORE_OK && b->mem.len == b->size)
		return 0;
	log_error("fetch: message %s uid %u: a header section changed size while it was sent",
		  f->m->emailid, f->m->uid);
	return -1;
}

static enum fetch_body_result prepare_range(struct fetch_file *f, const struct fetch_item *it,
					    struct fetch_body *b, int *err_r)
{
	uint64_t off = 0, total = f->m->size, start, len;
	int ret = STORE_OK;

	if (it->sec.depth > 0 || it->sec.kind != STORE_SECTION_ALL)
		ret = store_section_range(f->st, f->m, &it->sec, &off, &total);
	/* A part that does not exist is an empty string (RFC 9051 6.4.5). */
	if (ret == STORE_ERR_NONEXISTENT) {
		b->src = FETCH_SRC_MEM;
		return FETCH_BODY_OK;
	}
	if (ret != STORE_OK)
		return store_failed(ret, err_r);
	window(it, total, &start, &len);
	b->src = FETCH_SRC_FILE;
	b->offset = off + start;
	b->size = len;
	/* Open it now: a file that is gone must be noticed before the
	 * response starts. */
	ret = len > 0 ? fetch_file_open(f) : STORE_OK;
	return ret == STORE_OK ? FETCH_BODY_OK : store_failed(ret, err_r);
}

/* The encoded range and encoding of BINARY[part]; false when the part does
 * not exist. BINARY[] is the message as it is, and so is a multipart part:
 * RFC 9051 6.4.5 asks BINARY of leaf parts only, and RFC 2045 6.4 allows a
 * multipart no encoding but 7bit, 8bit or binary, so one that claims
 * another is sent unchanged. */
static bool binary_part(const struct fetch_file *f, const struct fetch_item *it,
			struct mime_part_info *info_r)
{
	memset(info_r, 0, sizeof(*info_r));
	if (it->sec.depth == 0) {
		info_r->body_size = f->m->size;
		info_r->multipart = true;
	} else if (f->m->part_index == NULL ||
		   mime_part_index_find(f->m->part_index, f->m->part_index_len, it->sec.part,
					it->sec.depth, info_r) < 0) {
		return false;
	}
	if (info_r->multipart || identity_cte(info_r->cte)) {
		info_r->cte = MIME_CTE_BINARY;
		info_r->decoded_size_known = true;
		info_r->decoded_size = info_r->body_size;
	}
	return true;
}

/* Does the window hold a NUL? Reading for it costs at most
 * FETCH_NUL_SCAN_MAX decoded bytes; a window further in is simply sent as
 * literal8, which BINARY may always use (RFC 3516 4.3). */
static int window_has_nul(struct fetch_file *f, const struct fetch_body *b, bool *nul_r)
{
	struct nul_scan ns = {b->skip, b->skip + b->size, false};
	int ret;

	*nul_r = true;
	if (ns.end > FETCH_NUL_SCAN_MAX)
		return 0;
	if (b->src == FETCH_SRC_FILE) {
		ns.start = 0;
		ns.end = b->size;
		ret = walk(f, b->offset, b->size, MIME_CTE_BINARY, nul_visit, &ns);
	} else {
		ret = walk(f, b->offset, b->raw_size, b->cte, nul_visit, &ns);
	}
	*nul_r = ns.found;
	return ret;
}

static enum fetch_body_result prepare_binary(struct fetch_file *f, const struct fetch_item *it,
					     struct fetch_body *b, int *err_r)
{
	struct mime_part_info info;
	uint64_t start, len;
	int ret;

	if (!binary_part(f, it, &info)) {
		b->src = FETCH_SRC_MEM;
		return FETCH_BODY_OK;
	}
	if (info.cte == MIME_CTE_UNKNOWN)
		return FETCH_BODY_UNKNOWN_CTE;
	if (!info.decoded_size_known)
		return store_failed(STORE_ERR_CORRUPT, err_r); /* a damaged part index */
	window(it, info.decoded_size, &start, &len);
	b->size = len;
	if (len == 0) {
		b->src = FETCH_SRC_MEM;
		return FETCH_BODY_OK;
	}
	ret = fetch_file_open(f);
	if (ret != STORE_OK)
		return store_failed(ret, err_r);
	if (info.cte == MIME_CTE_BINARY) {
		b->src = FETCH_SRC_FILE;
		b->offset = info.body_offset + start;
	} else {
		b->src = FETCH_SRC_DECODE;
		b->offset = info.body_offset;
		b->raw_size = info.body_size;
		b->cte = info.cte;
		b->skip = start;
	}
	if (window_has_nul(f, b, &b->literal8) < 0)
		return store_failed(STORE_ERR_IO, err_r);
	return FETCH_BODY_OK;
}

enum fetch_body_result fetch_body_prepare(struct fetch_file *f, const struct fetch_item *it,
					  struct fetch_body *b, int *err_r)
{
	memset(b, 0, sizeof(*b));
	if (it->sec.binary)
		return prepare_binary(f, it, b, err_r);
	if (it->sec.kind == STORE_SECTION_HEADER_FIELDS ||
	    it->sec.kind == STORE_SECTION_HEADER_FIELDS_NOT)
		return prepare_fields(f, it, b, err_r);
	return prepare_range(f, it, b, err_r);
}

enum fetch_body_result fetch_body_binary_size(struct fetch_file *f, const struct fetch_item *it,
					      uint64_t *size_r, int *err_r)
{
	struct mime_part_info info;

	*size_r = 0;
	/* The size of what BINARY[part] would send: 0 for a missing part. */
	if (!binary_part(f, it, &info))
		return FETCH_BODY_OK;
	if (info.cte == MIME_CTE_UNKNOWN)
		return FETCH_BODY_UNKNOWN_CTE;
	if (!info.decoded_size_known)
		return store_failed(STORE_ERR_CORRUPT, err_r);
	*size_r = info.decoded_size;
	return FETCH_BODY_OK;
}
