/* SPDX-License-Identifier: GPL-2.0-only */
/* The server side of a run: opens the loader on the --profile targets and
 * turns its records into per-second server windows and whole-run totals
 * (queries grouped by fingerprint, syscalls per role). */
#ifndef USER_PROFILE_H
#define USER_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#include "results.h"

struct profile;

/* Parse the ROLE=SELECTOR specs and open the profiler. NULL with errno set
 * and one line in err (what, why, fix) when a spec is malformed or the
 * loader cannot start. */
struct profile *profile_open(char *const *specs, size_t nspecs, char *err, size_t errlen);

/* Drain finished queries, waiting at most timeout_ms. 0 or -errno. */
int profile_poll(struct profile *p, int timeout_ms);

/* Close the server window for the wall-clock second t_s into w: syscall
 * time per role since the previous tick and the queries that ended in t_s
 * so far (late ones are added by profile_finish). 0 or -errno. */
int profile_tick(struct profile *p, int64_t t_s, struct server_window *w);

/* Fill out with the whole-run totals (caller frees with
 * profile_totals_free) and settle the query figures of the windows in
 * swin[0..nswin) with events that arrived after their tick. 0 or -errno. */
int profile_finish(struct profile *p, struct server_totals *out,
		   struct server_window *swin, size_t nswin);

void profile_totals_free(struct server_totals *t);

/* Detach and free. Accepts NULL. */
void profile_free(struct profile *p);

#endif
