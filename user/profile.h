/* SPDX-License-Identifier: GPL-2.0-only */
/* The server side of a run: opens the loader on the --profile targets and
 * turns its records into per-second server windows and whole-run totals
 * (queries grouped by fingerprint; syscalls, scheduler, memory and
 * PostgreSQL figures per role). */
#ifndef USER_PROFILE_H
#define USER_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#include "results.h"

struct profile;

/* What the profiler measures. light: syscalls, scheduler, RSS, PostgreSQL
 * statements, lock waits and transactions. full: also each statement's
 * parse, plan and execute parts, six more uprobe hits per statement (about
 * 2 us each on the reference host: a sixth more database CPU for short
 * statements). */
enum profile_level {
	PROFILE_LEVEL_LIGHT,
	PROFILE_LEVEL_FULL,
};

/* Parse the ROLE=SELECTOR specs and open the profiler at the light level.
 * NULL with errno set and one line in err (what, why, fix) when a spec is
 * malformed or the loader cannot start. */
struct profile *profile_open(char *const *specs, size_t nspecs, char *err, size_t errlen);

/* profile_open at a given level. */
struct profile *profile_open_level(char *const *specs, size_t nspecs, enum profile_level level,
				   char *err, size_t errlen);

/* Drain finished queries, waiting at most timeout_ms. 0 or -errno. */
int profile_poll(struct profile *p, int timeout_ms);

/* Close the server window for the wall-clock second t_s into w: syscall,
 * scheduler and PostgreSQL figures per role since the previous tick, each
 * role's RSS now, and the queries that ended in t_s so far (late ones are
 * added by profile_finish). 0 or -errno. */
int profile_tick(struct profile *p, int64_t t_s, struct server_window *w);

/* Fill out with the whole-run totals (caller frees with
 * profile_totals_free): queries by fingerprint, syscalls, scheduler, memory
 * (with the processes that grew most) and PostgreSQL figures per role; and
 * settle the query figures of the windows in swin[0..nswin) with events that
 * arrived after their tick. 0 or -errno. */
int profile_finish(struct profile *p, struct server_totals *out,
		   struct server_window *swin, size_t nswin);

void profile_totals_free(struct server_totals *t);

/* Detach and free. Accepts NULL. */
void profile_free(struct profile *p);

#endif
