/* imap-write-search.c — search keys in wire form (mirror of imap-search-parse.c). */
#include "imap-write-private.h"

#include <string.h>

static void w_key(struct imap_writer *w, const struct imap_search_key *key);

static void w_modseq(struct imap_writer *w, const struct imap_search_key *key)
{
	static const char *const types[] = {"", "priv", "shared", "all"};

	if (key->u.modseq.entry_name != NULL) {
		/* entry-flag-name is always a quoted string (RFC 7162 section 7). */
		w_byte(w, ' ');
		w_quoted(w, key->u.modseq.entry_name);
		w_byte(w, ' ');
		w_str(w, types[key->u.modseq.entry_type]);
	}
	w_byte(w, ' ');
	w_u64(w, key->u.modseq.modseq);
}

static void w_key_arg(struct imap_writer *w, const struct imap_search_key *key)
{
	switch (key->kind) {
	case IMAP_SEARCH_UID:
		w_byte(w, ' ');
		w_seqset(w, &key->u.seqset);
		break;
	case IMAP_SEARCH_BCC:
	case IMAP_SEARCH_BODY:
	case IMAP_SEARCH_CC:
	case IMAP_SEARCH_FROM:
	case IMAP_SEARCH_SUBJECT:
	case IMAP_SEARCH_TEXT:
	case IMAP_SEARCH_TO:
		w_byte(w, ' ');
		w_astring(w, key->u.string);
		break;
	case IMAP_SEARCH_KEYWORD:
	case IMAP_SEARCH_UNKEYWORD:
	case IMAP_SEARCH_EMAILID:
	case IMAP_SEARCH_THREADID:
		w_byte(w, ' ');
		w_str(w, key->u.string);
		break;
	case IMAP_SEARCH_HEADER:
		w_byte(w, ' ');
		w_astring(w, key->u.header.name);
		w_byte(w, ' ');
		w_astring(w, key->u.header.value);
		break;
	case IMAP_SEARCH_BEFORE:
	case IMAP_SEARCH_ON:
	case IMAP_SEARCH_SINCE:
	case IMAP_SEARCH_SENTBEFORE:
	case IMAP_SEARCH_SENTON:
	case IMAP_SEARCH_SENTSINCE:
	case IMAP_SEARCH_SAVEDBEFORE:
	case IMAP_SEARCH_SAVEDON:
	case IMAP_SEARCH_SAVEDSINCE:
		w_byte(w, ' ');
		imap_date_write(w->buf, &key->u.date);
		break;
	case IMAP_SEARCH_LARGER:
	case IMAP_SEARCH_SMALLER:
	case IMAP_SEARCH_OLDER:
	case IMAP_SEARCH_YOUNGER:
		w_byte(w, ' ');
		w_u64(w, key->u.number);
		break;
	case IMAP_SEARCH_MODSEQ:
		w_modseq(w, key);
		break;
	case IMAP_SEARCH_NOT:
		w_byte(w, ' ');
		w_key(w, key->u.negated);
		break;
	case IMAP_SEARCH_OR:
		w_byte(w, ' ');
		w_key(w, key->u.either.a);
		w_byte(w, ' ');
		w_key(w, key->u.either.b);
		break;
	default:
		break;
	}
}

static void w_key(struct imap_writer *w, const struct imap_search_key *key)
{
	switch (key->kind) {
	case IMAP_SEARCH_AND:
		w_byte(w, '(');
		for (size_t i = 0; i < key->u.all_of.count; i++) {
			if (i > 0)
				w_byte(w, ' ');
			w_key(w, &key->u.all_of.keys[i]);
		}
		w_byte(w, ')');
		break;
	case IMAP_SEARCH_SEQSET:
		w_seqset(w, &key->u.seqset);
		break;
	default:
		w_str(w, imap_search_kind_name(key->kind));
		w_key_arg(w, key);
		break;
	}
}

/* 1*(SP search-key) */
void w_search_keys(struct imap_writer *w, const struct imap_search_key *keys, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		w_byte(w, ' ');
		w_key(w, &keys[i]);
	}
}
