/* listen-spec.c — parse listener specs ("imaps=[::1]:993", "lmtp=unix:/x") (see listen.h). */
#include "listen-private.h"

#include "lib/mem.h"
#include "lib/str.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>

static char error_buf[LISTEN_SPEC_MAX + 256];

const char *listen_error_set(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(error_buf, sizeof(error_buf), fmt, ap);
	va_end(ap);
	return error_buf;
}

static const char *proto_lookup(const char *word, size_t len, const char *const *protos)
{
	for (size_t i = 0; protos[i] != NULL; i++) {
		if (strlen(protos[i]) == len && str_eq_ci_n(word, len, protos[i]))
			return protos[i];
	}
	return NULL;
}

/* RFC 1123 section 2.1 host name: dot-separated labels of letters, digits
 * and hyphens, 1..63 bytes each, not starting or ending with a hyphen. */
static bool host_name_valid(const char *s, size_t n)
{
	size_t label = 0;

	if (n == 0 || n > LISTEN_HOST_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
		} else if (ascii_isalpha(c) || ascii_isdigit(c) || c == '-') {
			if (label == 0 && c == '-')
				return false;
			if (++label > 63)
				return false;
		} else {
			return false;
		}
	}
	/* A trailing dot (fully qualified) is fine; a trailing hyphen is not. */
	return s[n - 1] != '-';
}

static int parse_port(const char *s, size_t n, uint16_t *port_r, const char **error_r)
{
	uint64_t v;

	if (n == 0) {
		*error_r = listen_error_set("missing port after ':'");
		return -1;
	}
	if (!str_to_u64(s, n, 65535, &v) || v == 0) {
		*error_r = listen_error_set("port \"%.*s\" must be a number from 1 to 65535",
					    (int)n, s);
		return -1;
	}
	*port_r = (uint16_t)v;
	return 0;
}

static int parse_unix(const char *path, struct listen_spec *spec, const char **error_r)
{
	size_t max = sizeof(((struct sockaddr_un *)0)->sun_path) - 1;
	size_t n = strlen(path);

	if (path[0] != '/') {
		*error_r = listen_error_set("unix socket path must be absolute: \"%s\"", path);
		return -1;
	}
	if (n > max) {
		*error_r = listen_error_set("unix socket path is %zu bytes long, the limit is %zu",
					    n, max);
		return -1;
	}
	spec->is_unix = true;
	spec->path = xstrdup(path);
	return 0;
}

/* ADDR is "[v6]", "*", IPv4 or a host name; `addr` excludes the ":PORT". */
static int parse_host(const char *addr, size_t n, struct listen_spec *spec, const char **error_r)
{
	unsigned char tmp[sizeof(struct in6_addr)];
	char text[LISTEN_HOST_MAX + 1];

	if (n == 1 && addr[0] == '*')
		return 0;
	if (n >= 2 && addr[0] == '[' && addr[n - 1] == ']') {
		if (n - 2 >= sizeof(text))
			goto bad_v6;
		memcpy(text, addr + 1, n - 2);
		text[n - 2] = '\0';
		if (inet_pton(AF_INET6, text, tmp) != 1)
			goto bad_v6;
		spec->host = xstrdup(text);
		return 0;
	}
	if (memchr(addr, ':', n) != NULL) {
		*error_r = listen_error_set("an IPv6 address must be in brackets, e.g. [::1]:143");
		return -1;
	}
	if (!host_name_valid(addr, n)) {
		*error_r = listen_error_set("\"%.*s\" is not an IP address or host name", (int)n,
					    addr);
		return -1;
	}
	/* Dotted digits that inet_pton rejects (999.1.1.1) still pass the
	 * host-name syntax; getaddrinfo() refuses them later with a clear error. */
	spec->host = xstrndup(addr, n);
	return 0;
bad_v6:
	*error_r = listen_error_set("\"%.*s\" is not a valid IPv6 address", (int)n, addr);
	return -1;
}

static int parse_inet(const char *rest, struct listen_spec *spec, const char **error_r)
{
	const char *colon;

	if (*rest == '\0') {
		*error_r = listen_error_set("missing address: write ADDR:PORT or unix:/path");
		return -1;
	}
	if (rest[0] == '[') {
		const char *close = strchr(rest, ']');

		if (close == NULL) {
			*error_r = listen_error_set("missing ']' after the IPv6 address");
			return -1;
		}
		colon = close + 1;
		if (*colon != ':') {
			*error_r = listen_error_set("expected ':' and a port after ']'");
			return -1;
		}
	} else {
		colon = strrchr(rest, ':');
	}
	if (colon == NULL || *colon != ':') {
		*error_r = listen_error_set("missing port: write ADDR:PORT, e.g. *:143");
		return -1;
	}
	if (colon == rest) {
		*error_r = listen_error_set("missing address before ':' (use * for every address)");
		return -1;
	}
	if (parse_port(colon + 1, strlen(colon + 1), &spec->port, error_r) < 0)
		return -1;
	return parse_host(rest, (size_t)(colon - rest), spec, error_r);
}

int listen_spec_parse(const char *text, const char *const *protos, struct listen_spec *spec_r,
		      const char **error_r)
{
	const char *eq;
	int ret;

	memset(spec_r, 0, sizeof(*spec_r));
	if (strlen(text) > LISTEN_SPEC_MAX) {
		*error_r =
			listen_error_set("listener spec is longer than %d bytes", LISTEN_SPEC_MAX);
		return -1;
	}
	eq = strchr(text, '=');
	if (eq == NULL || eq == text) {
		*error_r = listen_error_set("\"%s\": expected PROTO=ADDR:PORT or PROTO=unix:/path",
					    text);
		return -1;
	}
	spec_r->proto = proto_lookup(text, (size_t)(eq - text), protos);
	if (spec_r->proto == NULL) {
		*error_r = listen_error_set("\"%s\": unknown protocol \"%.*s\"", text,
					    (int)(eq - text), text);
		return -1;
	}
	if (strncmp(eq + 1, "unix:", 5) == 0)
		ret = parse_unix(eq + 6, spec_r, error_r);
	else
		ret = parse_inet(eq + 1, spec_r, error_r);
	if (ret < 0) {
		/* Prefix the protocol so the line names the listener. */
		char detail[sizeof(error_buf)];

		snprintf(detail, sizeof(detail), "%s", *error_r);
		*error_r = listen_error_set("%s: %s", spec_r->proto, detail);
		listen_spec_clear(spec_r);
	}
	return ret;
}

void listen_spec_clear(struct listen_spec *spec)
{
	xfree(&spec->host);
	xfree(&spec->path);
	memset(spec, 0, sizeof(*spec));
}
