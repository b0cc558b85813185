/* bench-line.c — blocking line I/O for the benchmarks (see bench-line.h). */
#include "bench-line.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

uint64_t bline_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

int bline_connect(struct bline *c, const char *host, unsigned port, const char *path)
{
	int one = 1;

	c->len = 0;
	if (path != NULL && port == 0) {
		struct sockaddr_un sun = {.sun_family = AF_UNIX};

		snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
		c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
			return -1;
		return 0;
	}
	{
		struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};

		inet_pton(AF_INET, host, &sin.sin_addr);
		c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
			return -1;
	}
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return 0;
}

void bline_close(struct bline *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

int bline_write(struct bline *c, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(c->fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int bline_printf(struct bline *c, const char *fmt, ...)
{
	char line[4096];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line))
		return -1;
	return bline_write(c, line, (size_t)n);
}

int bline_has_line(const struct bline *c)
{
	return memchr(c->buf, '\n', c->len) != NULL;
}

int bline_fill(struct bline *c)
{
	ssize_t n;

	if (c->len == sizeof(c->buf))
		c->len = 0; /* an absurd line: drop it */
	do
		n = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return -1;
	c->len += (size_t)n;
	return 1;
}

int bline_read(struct bline *c, char *out, size_t size, int timeout_ms)
{
	char *nl;
	size_t n;

	while ((nl = memchr(c->buf, '\n', c->len)) == NULL) {
		struct pollfd p = {.fd = c->fd, .events = POLLIN};
		int r = poll(&p, 1, timeout_ms);

		if (r == 0)
			return 0;
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || bline_fill(c) < 0)
			return -1;
	}
	n = (size_t)(nl - c->buf);
	if (size > 0) {
		size_t k = n > 0 && c->buf[n - 1] == '\r' ? n - 1 : n;

		if (k >= size)
			k = size - 1;
		memcpy(out, c->buf, k);
		out[k] = '\0';
	}
	c->len -= n + 1;
	memmove(c->buf, nl + 1, c->len);
	return 1;
}

int bline_reply(struct bline *c, char *last, size_t size, int timeout_ms)
{
	char line[1024];

	for (;;) {
		if (bline_read(c, line, sizeof(line), timeout_ms) != 1)
			return -1;
		if (strlen(line) < 4 || line[3] != '-')
			break;
	}
	if (last != NULL)
		snprintf(last, size, "%s", line);
	if (strlen(line) < 3 || line[0] < '1' || line[0] > '5')
		return -1;
	return (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
}
