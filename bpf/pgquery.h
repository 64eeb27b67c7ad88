/* SPDX-License-Identifier: GPL-2.0-only */
/* Kernel/user ABI of the PostgreSQL query probe: one ring-buffer record per
 * finished statement (USDT query__start -> query__done) with its parse, plan
 * and execute parts and the lock waits inside it, and per-role counters of
 * transactions and lock waits. */
#ifndef BPF_PGQUERY_H
#define BPF_PGQUERY_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define PGQUERY_TEXT_LEN 512
/* Ring buffer size; a record is ~570 bytes, so this holds ~7,300. */
#define PGQUERY_RINGBUF_BYTES (4u << 20)
/* Wake the loader only when this much is pending: a wakeup per statement
 * costs the backend more than the probes themselves. The loader drains the
 * ring at least every 100 ms anyway, and at each window's end. */
#define PGQUERY_WAKEUP_BYTES (PGQUERY_RINGBUF_BYTES / 8)
/* Backends with a statement in flight at once (LRU: a backend that dies
 * mid-statement ages out). */
#define PGQUERY_MAX_INFLIGHT 16384
/* Roles the per-role counters hold; the loader checks it against its own. */
#define PGQUERY_MAX_ROLES 8

struct pgquery_event {
	__u64 end_ns;       /* CLOCK_MONOTONIC at query__done */
	__u64 dur_ns;       /* query__start -> query__done */
	__u64 parse_ns;     /* query__parse__start -> done, summed */
	__u64 plan_ns;      /* query__plan__start -> done, summed */
	__u64 exec_ns;      /* query__execute__start -> done, summed */
	__u64 lock_wait_ns; /* lock__wait__start -> done inside the statement */
	__u32 lock_waits;
	__u32 pid;          /* backend tgid */
	__u32 role_id;
	__u32 pad;
	char text[PGQUERY_TEXT_LEN]; /* NUL-terminated, truncated */
};

/* Value of the per-role counters array, index role_id; totals since load,
 * updated atomically. Lock waits here include those outside any traced
 * statement. */
struct pgquery_role_stat {
	__u64 commits;
	__u64 aborts;
	__u64 lock_waits;
	__u64 lock_wait_ns;
};

#endif
