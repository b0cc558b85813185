/* bench-line.h — blocking line I/O for the LMTP and push benchmarks: one
 * connection, replies read line by line with a deadline, times in
 * microseconds from CLOCK_MONOTONIC. Small on purpose: the tools measure
 * the server, not themselves. */
#ifndef HAFEN_BENCH_LINE_H
#define HAFEN_BENCH_LINE_H

#include <stddef.h>
#include <stdint.h>

struct bline {
	int fd;
	char buf[65536];
	size_t len;
};

uint64_t bline_now_us(void);
/* Connect to 127.0.0.1:port (or the unix socket path when port is 0). 0 or -1. */
int bline_connect(struct bline *c, const char *host, unsigned port, const char *path);
void bline_close(struct bline *c);
/* Write everything. 0 or -1. */
int bline_write(struct bline *c, const void *data, size_t len);
int bline_printf(struct bline *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Is a whole line already buffered? */
int bline_has_line(const struct bline *c);
/* One line without CRLF into out (NUL-terminated, cut at size). Waits up
 * to timeout_ms. 1 a line, 0 timeout, -1 closed or error. */
int bline_read(struct bline *c, char *out, size_t size, int timeout_ms);
/* Read once into the buffer without waiting for a whole line (after poll
 * said readable). 1 data, -1 closed or error. */
int bline_fill(struct bline *c);
/* An SMTP/LMTP reply: lines until "NNN " (not "NNN-"); the code of the
 * last line, or -1. last (may be NULL) gets the last line. */
int bline_reply(struct bline *c, char *last, size_t size, int timeout_ms);

#endif
