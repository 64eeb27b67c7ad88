/* SPDX-License-Identifier: GPL-2.0-only */
/* The scheduler probe: loads scheduler.bpf.c over the shared role map and turns
 * its per-CPU, per-role totals into per-window deltas. */
#ifndef LOADER_SCHEDULER_H
#define LOADER_SCHEDULER_H

#include <stddef.h>
#include <stdint.h>

#include "loader.h"

struct scheduler;

/* Open and load, sharing the role map roles_fd. NULL with errno set. */
struct scheduler *scheduler_open(int roles_fd);

/* Attach sched_wakeup, sched_wakeup_new and sched_switch. 0 or -errno. */
int scheduler_attach(struct scheduler *s);

/* Add the scheduler deltas since the previous call to out[role_id] for
 * role_id < nroles (the other fields of out are left alone). 0 or -errno. */
int scheduler_read(struct scheduler *s, struct loader_role_window *out, size_t nroles);

/* Events the kernel side dropped: a thread's state could not be had. */
uint64_t scheduler_missed(const struct scheduler *s);

void scheduler_destroy(struct scheduler *s);

#endif
