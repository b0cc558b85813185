/* deliver-addr.c — take recipient addresses apart (see deliver-addr.h). */
#include "deliver-addr.h"
#include "lib/str.h"

#include <string.h>

static void copy_part(char *out, const char *s, size_t n)
{
	memcpy(out, s, n);
	out[n] = '\0';
}

int deliver_addr_split(const char *address, const char *delimiters, struct deliver_addr *r,
		       const char **error_r)
{
	size_t len = strlen(address), llen;
	const char *at = strrchr(address, '@');

	memset(r, 0, sizeof(*r));
	if (len == 0 || len > DELIVER_ADDR_MAX) {
		*error_r = len == 0 ? "empty address" : "address too long";
		return -1;
	}
	llen = at != NULL ? (size_t)(at - address) : len;
	if (llen == 0 || (at != NULL && at[1] == '\0')) {
		*error_r = llen == 0 ? "empty local part" : "empty domain";
		return -1;
	}
	copy_part(r->local, address, llen);
	if (at != NULL)
		copy_part(r->domain, at + 1, len - llen - 1);
	copy_part(r->base, r->local, llen);
	if (r->local[0] == '"')
		return 0;
	for (size_t i = 1; i < llen; i++) {
		if (delimiters[0] != '\0' && strchr(delimiters, r->local[i]) != NULL) {
			r->base[i] = '\0';
			copy_part(r->detail, r->local + i + 1, llen - i - 1);
			r->has_detail = true;
			break;
		}
	}
	return 0;
}

static bool list_has(const char *list, const char *domain)
{
	size_t dlen = strlen(domain);

	for (const char *p = list; *p != '\0';) {
		size_t n = strcspn(p, " ,\t");

		if (n == dlen && str_eq_ci_n(p, n, domain))
			return true;
		p += n;
		p += strspn(p, " ,\t");
	}
	return false;
}

bool deliver_domain_is_local(const char *domain, const char *local_domains, const char *hostname)
{
	if (domain[0] == '\0')
		return true;
	if (local_domains[strspn(local_domains, " ,\t")] == '\0')
		return str_casecmp(domain, hostname) == 0 || str_casecmp(domain, "localhost") == 0;
	return list_has(local_domains, domain);
}
