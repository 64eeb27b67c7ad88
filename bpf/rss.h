/* SPDX-License-Identifier: GPL-2.0-only */
/* Kernel/user ABI of the memory probe: the resident set of each tracked
 * process by type, kept current in the kernel from the rss_stat tracepoint. */
#ifndef BPF_RSS_H
#define BPF_RSS_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* The kernel's mm counters (enum MM_*PAGES), in its order. */
#define RSS_FILE 0
#define RSS_ANON 1
#define RSS_SWAP 2 /* swap entries: not resident, kept for completeness */
#define RSS_SHMEM 3
#define RSS_NCOUNTERS 4

/* Capacity: processes whose RSS is kept at once (as the role map). */
#define RSS_MAX_PROCS 32768

/* Value of the procs map, key __u32 tgid. Pages, as the kernel's cheap
 * reading of its per-CPU counters gives them (get_mm_counter(): each CPU may
 * hold back up to its batch of pages not yet folded in); update_ns tells the
 * loader which processes changed, so it can re-read those exactly. */
struct rss_proc {
	__s64 pages[RSS_NCOUNTERS];
	__u64 update_ns;   /* CLOCK_MONOTONIC of the last change seen */
	__u32 role_id;
	__u32 from_kernel; /* 1: written by the probe; 0: the loader's /proc baseline */
	char comm[16];
};

#endif
