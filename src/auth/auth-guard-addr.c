/* auth-guard-addr.c — turn a peer address into the key the auth guard
 * counts by: IPv4 as is, IPv6 by its /64 prefix (a subscriber gets a whole
 * /64 and can pick any address in it), unix sockets as "local". */
#include "auth/auth-guard.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>

static int key_from_in6(const struct in6_addr *a6, char out_r[AUTH_GUARD_ADDR_MAX])
{
	struct in6_addr prefix;

	if (IN6_IS_ADDR_V4MAPPED(a6)) {
		struct in_addr a4;

		memcpy(&a4, &a6->s6_addr[12], sizeof(a4));
		return inet_ntop(AF_INET, &a4, out_r, AUTH_GUARD_ADDR_MAX) != NULL ? 0 : -1;
	}
	if (IN6_IS_ADDR_LOOPBACK(a6)) {
		/* ::1 alone, not all of ::/64. */
		strcpy(out_r, "::1");
		return 0;
	}
	prefix = *a6;
	memset(&prefix.s6_addr[8], 0, 8);
	if (inet_ntop(AF_INET6, &prefix, out_r, AUTH_GUARD_ADDR_MAX - 3) == NULL)
		return -1;
	strcat(out_r, "/64");
	return 0;
}

int auth_guard_addr_from_sockaddr(const struct sockaddr *sa, socklen_t len,
				  char out_r[AUTH_GUARD_ADDR_MAX])
{
	if (sa == NULL || len < (socklen_t)sizeof(sa_family_t))
		return -1;
	switch (sa->sa_family) {
	case AF_INET: {
		struct sockaddr_in sin;

		if (len < (socklen_t)sizeof(sin))
			return -1;
		memcpy(&sin, sa, sizeof(sin));
		return inet_ntop(AF_INET, &sin.sin_addr, out_r, AUTH_GUARD_ADDR_MAX) != NULL ? 0
											     : -1;
	}
	case AF_INET6: {
		struct sockaddr_in6 sin6;

		if (len < (socklen_t)sizeof(sin6))
			return -1;
		memcpy(&sin6, sa, sizeof(sin6));
		return key_from_in6(&sin6.sin6_addr, out_r);
	}
	case AF_UNIX:
		strcpy(out_r, "local");
		return 0;
	default:
		return -1;
	}
}

int auth_guard_addr_from_string(const char *ip, char out_r[AUTH_GUARD_ADDR_MAX])
{
	struct in_addr a4;
	struct in6_addr a6;

	if (strcmp(ip, "local") == 0) {
		strcpy(out_r, "local");
		return 0;
	}
	if (inet_pton(AF_INET, ip, &a4) == 1)
		return inet_ntop(AF_INET, &a4, out_r, AUTH_GUARD_ADDR_MAX) != NULL ? 0 : -1;
	if (inet_pton(AF_INET6, ip, &a6) == 1)
		return key_from_in6(&a6, out_r);
	return -1;
}

bool auth_guard_addr_is_loopback(const char *addr)
{
	return strcmp(addr, "local") == 0 || strcmp(addr, "::1") == 0 ||
	       strncmp(addr, "127.", 4) == 0;
}
