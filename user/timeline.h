/* SPDX-License-Identifier: GPL-2.0-only */
/* The run's seconds in time order, each with its client window and its
 * server window side by side: the join every per-second output reads. */
#ifndef USER_TIMELINE_H
#define USER_TIMELINE_H

#include <stddef.h>
#include <stdint.h>

#include "results.h"

/* One second; either window may be NULL when that side has none. */
struct timeline_row {
	int64_t t_s;
	const struct client_window *c;
	const struct server_window *s;
};

/* Merge-join r's client and server windows by second (sorted first, so
 * nothing depends on the producers' order); server windows only when r is
 * profiled. *rows is a new array of *n rows (caller frees; NULL when there
 * are none). Returns 0 or -ENOMEM. */
int timeline_join(const struct run_result *r, struct timeline_row **rows, size_t *n);

#endif
