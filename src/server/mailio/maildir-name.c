/* maildir-name.c — Maildir file name info and folder names on disk (see
 * maildir-name.h). */
#include "maildir-name.h"
#include "imap/imap-utf7.h"
#include "lib/str.h"
#include "store/store.h"

#include <string.h>

static const struct {
	char letter;
	unsigned flag;
} info_flags[] = {
	/* ASCII order, as written. 'P' is handled apart (a keyword). */
	{'D', STORE_FLAG_DRAFT}, {'F', STORE_FLAG_FLAGGED}, {'R', STORE_FLAG_ANSWERED},
	{'S', STORE_FLAG_SEEN},  {'T', STORE_FLAG_DELETED},
};

/* The info starts at the last ":2," or ";2,"; a unique part may contain
 * neither in practice, but taking the last one is what readers do. */
static const char *find_info(const char *name, size_t len)
{
	for (size_t i = len; i >= 3; i--) {
		const char *p = name + i - 3;

		if ((p[0] == ':' || p[0] == ';') && p[1] == '2' && p[2] == ',')
			return p;
	}
	return NULL;
}

size_t maildir_name_base_len(const char *name, size_t len)
{
	const char *info = find_info(name, len);

	return info != NULL ? (size_t)(info - name) : len;
}

bool maildir_name_parse_info(const char *name, size_t len, struct maildir_info *info_r)
{
	const char *info = find_info(name, len), *end = name + len;

	memset(info_r, 0, sizeof(*info_r));
	if (info == NULL)
		return false;
	for (const char *p = info + 3; p < end; p++) {
		if (*p >= 'a' && *p <= 'z') {
			info_r->keyword_mask |= 1u << (*p - 'a');
			continue;
		}
		if (*p == 'P') {
			info_r->forwarded = true;
			continue;
		}
		for (size_t i = 0; i < HF_N_ELEMENTS(info_flags); i++)
			if (*p == info_flags[i].letter)
				info_r->flags |= info_flags[i].flag;
	}
	return true;
}

void maildir_name_write_info(const struct maildir_info *info, struct buf *out)
{
	buf_append_str(out, ":2,");
	for (size_t i = 0; i < HF_N_ELEMENTS(info_flags); i++) {
		/* 'P' sorts between 'F' and 'R'. */
		if (info_flags[i].letter == 'R' && info->forwarded)
			buf_append_byte(out, 'P');
		if ((info->flags & info_flags[i].flag) != 0)
			buf_append_byte(out, (unsigned char)info_flags[i].letter);
	}
	for (unsigned i = 0; i < MAILDIR_KEYWORD_LETTERS; i++)
		if ((info->keyword_mask & (1u << i)) != 0)
			buf_append_byte(out, (unsigned char)('a' + i));
}

static int hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = ascii_tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Undo "\NN" escapes into out; -1 for an escape that gives NUL. */
static int unescape_level(const char *s, size_t len, struct buf *out)
{
	for (size_t i = 0; i < len; i++) {
		int hi = i + 2 < len ? hex_value((unsigned char)s[i + 1]) : -1;
		int lo = i + 2 < len ? hex_value((unsigned char)s[i + 2]) : -1;

		if (s[i] != '\\' || hi < 0 || lo < 0) {
			buf_append_byte(out, (unsigned char)s[i]);
			continue;
		}
		if (hi == 0 && lo == 0)
			return -1;
		buf_append_byte(out, (unsigned char)(hi * 16 + lo));
		i += 2;
	}
	return 0;
}

/* Modified UTF-7 is recognised on the level as written (where an escaped
 * '&' is not a '&'), then escapes are undone. */
static int decode_level(const char *s, size_t len, struct buf *out, const char **error_r)
{
	struct buf dec = BUF_INIT, raw = BUF_INIT;
	const char *err;
	int ret = 0;

	if (len == 0) {
		*error_r = "empty folder name level";
		return -1;
	}
	if (memchr(s, '&', len) == NULL || imap_utf7_decode(s, len, &dec, &err) < 0)
		buf_append(&dec, s, len);
	if (unescape_level((const char *)dec.data, dec.len, &raw) < 0) {
		*error_r = "folder name escapes a NUL byte";
		ret = -1;
	} else if (raw.len == 0) {
		/* A level that decodes to nothing is empty too (and raw.data
		 * is NULL then, which the checks below must not be handed). */
		*error_r = "empty folder name level";
		ret = -1;
	} else if (!utf8_valid(raw.data, raw.len) || memchr(raw.data, '\0', raw.len) != NULL) {
		*error_r = "folder name is neither modified UTF-7 nor UTF-8";
		ret = -1;
	} else if (memchr(raw.data, '/', raw.len) != NULL) {
		*error_r = "folder name level contains '/'";
		ret = -1;
	} else {
		buf_append(out, raw.data, raw.len);
	}
	buf_free(&dec);
	buf_free(&raw);
	return ret;
}

int maildir_name_folder_decode(const char *disk, size_t len, enum maildir_layout layout,
			       struct buf *out, const char **error_r)
{
	char sep = layout == MAILDIR_LAYOUT_MAILDIRPP ? '.' : '/';
	size_t start_len = out->len, begin = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i < len && disk[i] != sep)
			continue;
		if (begin > 0)
			buf_append_byte(out, '/');
		if (decode_level(disk + begin, i - begin, out, error_r) < 0) {
			buf_truncate(out, start_len);
			return -1;
		}
		begin = i + 1;
	}
	return 0;
}

static bool has_suffix(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

static bool must_escape(const char *s, size_t len, size_t i, enum maildir_layout layout, bool utf8)
{
	char c = s[i];

	/* In UTF-8 names a '&' is escaped, so that no level reads as
	 * modified UTF-7. */
	if (c == '\\' || c == '/' || (i == 0 && (c == '~' || c == '.')) || (utf8 && c == '&'))
		return true;
	if (c != '.')
		return false;
	if (layout == MAILDIR_LAYOUT_MAILDIRPP)
		return true;
	/* A tree level ending in ".msf" or ".sbd" would read as Thunderbird's
	 * index file or subfolder directory. */
	return i + 4 == len && (has_suffix(s, len, ".msf") || has_suffix(s, len, ".sbd"));
}

int maildir_name_level_encode(const char *level, size_t len, enum maildir_layout layout, bool utf8,
			      struct buf *out, const char **error_r)
{
	static const char hex[] = "0123456789abcdef";
	struct buf enc = BUF_INIT;

	if (!utf8_valid(level, len) || memchr(level, '\0', len) != NULL) {
		*error_r = "mailbox name is not valid UTF-8";
		return -1;
	}
	if (utf8)
		buf_append(&enc, level, len);
	else if (imap_utf7_encode(level, len, &enc, error_r) < 0) {
		buf_free(&enc);
		return -1;
	}
	for (size_t i = 0; i < enc.len; i++) {
		if (!must_escape((const char *)enc.data, enc.len, i, layout, utf8)) {
			buf_append_byte(out, enc.data[i]);
			continue;
		}
		buf_append_byte(out, '\\');
		buf_append_byte(out, (unsigned char)hex[enc.data[i] >> 4]);
		buf_append_byte(out, (unsigned char)hex[enc.data[i] & 15]);
	}
	buf_free(&enc);
	return 0;
}

int maildir_name_folder_encode(const char *name, bool utf8, struct buf *out, const char **error_r)
{
	size_t start_len = out->len, len = strlen(name), begin = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i < len && name[i] != '/')
			continue;
		buf_append_byte(out, '.');
		if (maildir_name_level_encode(name + begin, i - begin, MAILDIR_LAYOUT_MAILDIRPP,
					      utf8, out, error_r) < 0) {
			buf_truncate(out, start_len);
			return -1;
		}
		begin = i + 1;
	}
	return 0;
}
