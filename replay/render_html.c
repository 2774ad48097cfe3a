// SPDX-License-Identifier: MIT
#include <errno.h>
#include "report.h"
int replay_session__render_html(const struct replay_session *s, const char *path)
{
	(void)s; (void)path;
	return -ENOSYS;
}
