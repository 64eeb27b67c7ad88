/* SPDX-License-Identifier: GPL-2.0-only */
/* `loadlens profile`: watch a live system with no load of its own, one
 * server window per wall-clock second, then write the same run folder as
 * `loadlens run` without its client sections. */
#ifndef USER_WATCH_H
#define USER_WATCH_H

#include <stddef.h>
#include <stdint.h>

struct watch_opts {
	const char *out_dir; /* NULL: results/<time>-profile */
	char **profiles;     /* ROLE=SELECTOR specs, at least one */
	size_t nprofiles;
	int64_t duration_ms; /* 0: until Ctrl-C */
	int full;            /* --profile-level full: statement parts too */
};

/* Watch until the duration ends or Ctrl-C (SIGINT or SIGTERM), then write
 * summary.json and report.md. Returns the process exit code: 0 done
 * (stopping early is not a failure), 1 failure (message on stderr; what was
 * gathered is still written when possible). */
int watch_execute(const struct watch_opts *o);

#endif
