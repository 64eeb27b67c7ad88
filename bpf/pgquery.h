/* SPDX-License-Identifier: GPL-2.0-only */
/* Kernel/user ABI of the PostgreSQL query probe: one ring-buffer record per
 * finished statement (USDT query__start -> query__done). */
#ifndef BPF_PGQUERY_H
#define BPF_PGQUERY_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define PGQUERY_TEXT_LEN 512
/* Ring buffer size; a record is ~540 bytes, so this holds ~7,700. */
#define PGQUERY_RINGBUF_BYTES (4u << 20)
/* Backends with a statement in flight at once (LRU: a backend that dies
 * mid-statement ages out). */
#define PGQUERY_MAX_INFLIGHT 16384

struct pgquery_event {
	__u64 end_ns;   /* CLOCK_MONOTONIC at query__done */
	__u64 dur_ns;   /* query__start -> query__done */
	__u32 pid;      /* backend tgid */
	__u32 role_id;
	char text[PGQUERY_TEXT_LEN]; /* NUL-terminated, truncated */
};

#endif
