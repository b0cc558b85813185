/* listen-bind.c — create, bind and listen on the sockets of a listener spec (see listen.h). */
#include "listen-private.h"

#include "lib/mem.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static void set_append(struct listen_set *set, int fd, const char *proto, char *name, char *path)
{
	struct listener *l;

	set->items = xreallocarray(set->items, set->count + 1, sizeof(*set->items));
	l = &set->items[set->count++];
	l->fd = fd;
	l->proto = proto;
	l->name = name;
	l->path = path;
}

/* Close and forget the listeners from index `from` on (a failed spec). */
static void set_truncate(struct listen_set *set, size_t from, bool unlink_paths)
{
	for (size_t i = from; i < set->count; i++) {
		struct listener *l = &set->items[i];

		if (unlink_paths && l->path != NULL)
			(void)unlink(l->path);
		close(l->fd);
		free(l->name);
		free(l->path);
	}
	set->count = from;
}

void listen_set_close(struct listen_set *set, bool unlink_paths)
{
	set_truncate(set, 0, unlink_paths);
	xfree(&set->items);
}

int listen_set_inheritable(struct listen_set *set, bool inheritable, const char **error_r)
{
	for (size_t i = 0; i < set->count; i++) {
		int fd = set->items[i].fd;
		int flags = fcntl(fd, F_GETFD);

		if (flags >= 0)
			flags = inheritable ? flags & ~FD_CLOEXEC : flags | FD_CLOEXEC;
		if (flags < 0 || fcntl(fd, F_SETFD, flags) < 0) {
			*error_r = listen_error_set("%s: %s: cannot change close-on-exec: %s",
						    set->items[i].proto, set->items[i].name,
						    strerror(errno));
			return -1;
		}
	}
	return 0;
}

static char *sockaddr_name(const struct sockaddr *sa)
{
	char host[INET6_ADDRSTRLEN];
	char out[INET6_ADDRSTRLEN + 16];

	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;

		inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
		snprintf(out, sizeof(out), "[%s]:%u", host, ntohs(s6->sin6_port));
	} else {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &s4->sin_addr, host, sizeof(host));
		snprintf(out, sizeof(out), "%s:%u", host, ntohs(s4->sin_port));
	}
	return xstrdup(out);
}

const char *listen_bind_error_text(const char *proto, const char *host, unsigned port, int errnum)
{
	bool v6 = strchr(host, ':') != NULL;
	const char *lb = v6 ? "[" : "", *rb = v6 ? "]" : "";

	switch (errnum) {
	case EADDRINUSE:
		return listen_error_set("%s: %s%s%s:%u is already in use", proto, lb, host, rb,
					port);
	case EACCES:
	case EPERM:
		return listen_error_set("%s: cannot bind port %u on %s: permission denied%s", proto,
					port, host,
					port < 1024 ? " (need root or CAP_NET_BIND_SERVICE)" : "");
	case EADDRNOTAVAIL:
		return listen_error_set("%s: cannot bind %s%s%s:%u: no such address on this host",
					proto, lb, host, rb, port);
	case EAFNOSUPPORT:
		return listen_error_set("%s: cannot bind %s%s%s:%u: %s is not enabled on this host",
					proto, lb, host, rb, port, v6 ? "IPv6" : "IPv4");
	default:
		return listen_error_set("%s: cannot bind %s%s%s:%u: %s", proto, lb, host, rb, port,
					strerror(errnum));
	}
}

static const char *sockaddr_bind_error(const char *proto, const struct sockaddr *sa, int errnum)
{
	char host[INET6_ADDRSTRLEN];
	unsigned port;

	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;

		inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
		port = ntohs(s6->sin6_port);
	} else {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &s4->sin_addr, host, sizeof(host));
		port = ntohs(s4->sin_port);
	}
	return listen_bind_error_text(proto, host, port, errnum);
}

/* Returns 0, or the errno value of the failure with *error_r set. */
static int bind_tcp_addr(struct listen_set *set, const char *proto, const struct sockaddr *sa,
			 socklen_t salen, int backlog, const char **error_r)
{
	int one = 1;
	int fd, err;

	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		err = errno;
		*error_r = sockaddr_bind_error(proto, sa, err);
		return err;
	}
	/* SO_REUSEADDR: restart without waiting for TIME_WAIT. V6ONLY: "*"
	 * binds the IPv4 wildcard separately, which a dual-stack socket on
	 * [::] would collide with. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    (sa->sa_family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0) ||
	    bind(fd, sa, salen) < 0 || listen(fd, backlog) < 0) {
		err = errno;
		*error_r = sockaddr_bind_error(proto, sa, err);
		close(fd);
		return err;
	}
	set_append(set, fd, proto, sockaddr_name(sa), NULL);
	return 0;
}

static bool already_bound(const struct listen_set *set, size_t from, const struct sockaddr *sa)
{
	char *name = sockaddr_name(sa);
	bool found = false;

	for (size_t i = from; i < set->count && !found; i++)
		found = strcmp(set->items[i].name, name) == 0;
	free(name);
	return found;
}

static int bind_wildcard(struct listen_set *set, const struct listen_spec *spec, int backlog,
			 const char **error_r)
{
	struct sockaddr_in s4 = {.sin_family = AF_INET, .sin_port = htons(spec->port)};
	struct sockaddr_in6 s6 = {.sin6_family = AF_INET6, .sin6_port = htons(spec->port)};
	size_t from = set->count;
	int err;

	s4.sin_addr.s_addr = htonl(INADDR_ANY);
	s6.sin6_addr = in6addr_any;
	if (bind_tcp_addr(set, spec->proto, (struct sockaddr *)&s4, sizeof(s4), backlog, error_r) !=
	    0)
		return -1;
	err = bind_tcp_addr(set, spec->proto, (struct sockaddr *)&s6, sizeof(s6), backlog, error_r);
	if (err != 0) {
		/* A host without IPv6 still serves IPv4. */
		if (err == EAFNOSUPPORT || err == EADDRNOTAVAIL)
			return 0;
		set_truncate(set, from, false);
		return -1;
	}
	return 0;
}

static int bind_host(struct listen_set *set, const struct listen_spec *spec, int backlog,
		     const char **error_r)
{
	struct addrinfo hints = {.ai_flags = AI_PASSIVE | AI_NUMERICSERV,
				 .ai_family = AF_UNSPEC,
				 .ai_socktype = SOCK_STREAM};
	struct addrinfo *res, *ai;
	char port[8];
	size_t from = set->count;
	int r;

	snprintf(port, sizeof(port), "%u", spec->port);
	r = getaddrinfo(spec->host, port, &hints, &res);
	if (r != 0) {
		*error_r = listen_error_set("%s: cannot resolve \"%s\": %s", spec->proto,
					    spec->host, gai_strerror(r));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
			continue;
		if (already_bound(set, from, ai->ai_addr))
			continue;
		if (bind_tcp_addr(set, spec->proto, ai->ai_addr, ai->ai_addrlen, backlog,
				  error_r) != 0) {
			set_truncate(set, from, false);
			freeaddrinfo(res);
			return -1;
		}
	}
	freeaddrinfo(res);
	if (set->count == from) {
		*error_r = listen_error_set("%s: \"%s\" has no IPv4 or IPv6 address", spec->proto,
					    spec->host);
		return -1;
	}
	return 0;
}

/* Is a listening process behind this socket file? Non-blocking connect:
 * ECONNREFUSED means stale; success or EAGAIN (full backlog) means alive. */
static bool unix_socket_alive(const struct sockaddr_un *sun)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	bool alive;

	if (fd < 0)
		return false;
	alive = connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0 || errno == EAGAIN;
	close(fd);
	return alive;
}

static const char *unix_error(const char *proto, const char *path, int errnum)
{
	switch (errnum) {
	case ENOENT:
		return listen_error_set("%s: unix:%s: directory does not exist", proto, path);
	case ENOTDIR:
		return listen_error_set("%s: unix:%s: a parent is not a directory", proto, path);
	case EACCES:
	case EPERM:
		return listen_error_set("%s: unix:%s: permission denied", proto, path);
	case EADDRINUSE:
		return listen_error_set("%s: unix:%s is already in use by a running process", proto,
					path);
	default:
		return listen_error_set("%s: unix:%s: %s", proto, path, strerror(errnum));
	}
}

/* Clear the way for bind(): remove a stale socket file, refuse anything else. */
static int unix_clear_path(const char *proto, const struct sockaddr_un *sun, const char **error_r)
{
	struct stat st;

	if (lstat(sun->sun_path, &st) < 0) {
		if (errno == ENOENT)
			return 0; /* the directory's existence is checked by bind() */
		*error_r = unix_error(proto, sun->sun_path, errno);
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		*error_r =
			listen_error_set("%s: unix:%s: exists and is not a socket; not removing it",
					 proto, sun->sun_path);
		return -1;
	}
	if (unix_socket_alive(sun)) {
		*error_r = unix_error(proto, sun->sun_path, EADDRINUSE);
		return -1;
	}
	if (unlink(sun->sun_path) < 0 && errno != ENOENT) {
		*error_r = unix_error(proto, sun->sun_path, errno);
		return -1;
	}
	return 0;
}

static int unix_set_owner_mode(const char *path, const struct listen_options *opts)
{
	mode_t mode = opts->unix_mode != 0 ? opts->unix_mode : LISTEN_DEFAULT_UNIX_MODE;

	/* bind() applied the umask; set the configured mode exactly. */
	if (chmod(path, mode) < 0)
		return -1;
	if ((opts->unix_uid != (uid_t)-1 || opts->unix_gid != (gid_t)-1) &&
	    chown(path, opts->unix_uid, opts->unix_gid) < 0)
		return -1;
	return 0;
}

static int bind_unix(struct listen_set *set, const struct listen_spec *spec,
		     const struct listen_options *opts, int backlog, const char **error_r)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	char name[sizeof(sun.sun_path) + 8];
	int fd;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", spec->path);
	if (unix_clear_path(spec->proto, &sun, error_r) < 0)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		*error_r = unix_error(spec->proto, spec->path, errno);
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		*error_r = unix_error(spec->proto, spec->path, errno);
		close(fd);
		return -1;
	}
	if (unix_set_owner_mode(spec->path, opts) < 0 || listen(fd, backlog) < 0) {
		*error_r = unix_error(spec->proto, spec->path, errno);
		(void)unlink(spec->path);
		close(fd);
		return -1;
	}
	snprintf(name, sizeof(name), "unix:%s", spec->path);
	set_append(set, fd, spec->proto, xstrdup(name), xstrdup(spec->path));
	return 0;
}

int listen_set_bind(struct listen_set *set, const struct listen_spec *spec,
		    const struct listen_options *opts, const char **error_r)
{
	static const struct listen_options defaults = LISTEN_OPTIONS_INIT;
	int backlog;

	if (opts == NULL)
		opts = &defaults;
	backlog = opts->backlog > 0 ? opts->backlog : LISTEN_DEFAULT_BACKLOG;
	if (spec->is_unix)
		return bind_unix(set, spec, opts, backlog, error_r);
	if (spec->host == NULL)
		return bind_wildcard(set, spec, backlog, error_r);
	return bind_host(set, spec, backlog, error_r);
}
