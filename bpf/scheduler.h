/* SPDX-License-Identifier: GPL-2.0-only */
/* Kernel/user ABI of the scheduler probe: per role, time on CPU, time
 * blocked off CPU, and run-queue delay (total, count and a latency
 * histogram in the syscall probe's slot layout), aggregated per CPU. */
#ifndef BPF_SCHEDULER_H
#define BPF_SCHEDULER_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#include "syscalls.h" /* the latency slot layout, shared */

/* Roles the stats array holds; the loader checks it against its own limit. */
#define SCHED_MAX_ROLES 8

/* Per-CPU value of the stats array, index role_id; totals since load.
 * A thread's time splits into three disjoint states: on CPU (switched in
 * until switched out), in the run queue (woken or preempted until switched
 * in) and blocked (switched out asleep until woken). */
struct sched_stat {
	__u64 oncpu_ns;
	__u64 offcpu_ns;     /* blocked: switch-out asleep -> wakeup */
	__u64 offcpu_count;  /* blocked periods that ended */
	__u64 runq_ns;       /* wakeup or preemption -> switch-in */
	__u64 runq_count;    /* run-queue waits that ended */
	__u64 switches;      /* times a thread of the role was switched in */
	__u64 runq_slots[SYSCALLS_LAT_SLOTS];
};

#endif
