/* SPDX-License-Identifier: GPL-2.0-only */
/* The memory probe: loads rss.bpf.c over the shared role map, seeds each
 * process's resident set from /proc, and reads it back per window. */
#ifndef LOADER_RSS_H
#define LOADER_RSS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "loader.h"

struct rss;

/* Open and load, sharing the role map roles_fd. NULL with errno set. */
struct rss *rss_open(int roles_fd);

/* Attach the rss_stat tracepoint and the exit cleanup. 0 or -errno. */
int rss_attach(struct rss *r);

/* Baseline for a process already running: its RssFile, RssAnon, RssShmem
 * and VmSwap from /proc/PID/status, unless the probe has seen it already.
 * 0, -ESRCH when it is gone, or -errno. */
int rss_seed(struct rss *r, pid_t pid, uint32_t role_id);

/* Every process's RSS now: *procs (owned by r, valid until the next call)
 * gets one record per process, and out[role_id] the role's sums and process
 * count (its other fields are left alone). 0 or -errno. */
int rss_read(struct rss *r, struct loader_role_window *out, size_t nroles,
	     const struct loader_proc_rss **procs, size_t *nprocs);

/* Entries the kernel side could not create (map full). */
uint64_t rss_map_full(const struct rss *r);

void rss_destroy(struct rss *r);

#endif
