/* deliver-rcpt.c — recipient address to user and mailbox (see deliver-rcpt.h). */
#include "deliver-rcpt.h"
#include "server/server-config.h"

#include <stdio.h>
#include <string.h>

/* 1 found, 0 not a user, -1 database failure. */
static int lookup(struct userdb *db, const char *name, struct deliver_rcpt *r, const char **error_r)
{
	struct userdb_user u;
	int ret = userdb_get(db, name, &u, error_r);

	if (ret == USERDB_OK) {
		snprintf(r->user, sizeof(r->user), "%s", u.name);
		return 1;
	}
	return ret == USERDB_ERR_DB ? -1 : 0;
}

static int try_name(struct userdb *db, const char *local, const char *domain, const char *detail,
		    struct deliver_rcpt *r, const char **error_r)
{
	char name[2 * DELIVER_ADDR_MAX + 2];
	int ret;

	if (domain != NULL)
		snprintf(name, sizeof(name), "%s@%s", local, domain);
	else
		snprintf(name, sizeof(name), "%s", local);
	ret = lookup(db, name, r, error_r);
	if (ret > 0)
		snprintf(r->mailbox, sizeof(r->mailbox), "%s", detail);
	return ret;
}

enum deliver_rcpt_result deliver_rcpt_resolve(struct userdb *db, const struct server_config *cfg,
					      const char *address, struct deliver_rcpt *r,
					      const char **error_r)
{
	struct deliver_addr a;
	bool local_domain;
	int ret = 0;

	memset(r, 0, sizeof(*r));
	if (deliver_addr_split(address, cfg->recipient_delimiter, &a, error_r) < 0)
		return DELIVER_RCPT_UNKNOWN;
	local_domain = deliver_domain_is_local(a.domain, cfg->local_domains, cfg->hostname);
	if (a.domain[0] != '\0') {
		ret = try_name(db, a.local, a.domain, "", r, error_r);
		if (ret == 0 && a.has_detail)
			ret = try_name(db, a.base, a.domain, a.detail, r, error_r);
	}
	if (ret == 0 && local_domain) {
		ret = try_name(db, a.local, NULL, "", r, error_r);
		if (ret == 0 && a.has_detail)
			ret = try_name(db, a.base, NULL, a.detail, r, error_r);
	}
	if (ret < 0)
		return DELIVER_RCPT_TEMPFAIL;
	if (ret == 0) {
		*error_r = local_domain || a.domain[0] == '\0'
				   ? "no such user"
				   : "no such user here (domain not local)";
		return DELIVER_RCPT_UNKNOWN;
	}
	return DELIVER_RCPT_OK;
}
