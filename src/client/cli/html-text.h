/* html-text.h — HTML mail as readable plain text for the terminal:
 * paragraphs and line breaks kept, list items bulleted, links shown as
 * "text <url>", scripts, styles and comments dropped, character
 * references decoded. One linear pass; never fails. */
#ifndef HAFEN_CLIENT_HTML_TEXT_H
#define HAFEN_CLIENT_HTML_TEXT_H

#include "lib/buf.h"

#include <stddef.h>

/* Append the text of html (UTF-8) to out. */
void html_to_text(const char *html, size_t len, struct buf *out);

#endif
