/* SPDX-License-Identifier: GPL-2.0-only */
/* Per-statement time and text of tracked PostgreSQL backends from the USDT
 * probes query__start/query__done (simple query protocol), with the parse,
 * plan and execute parts and the lock waits inside each statement; one
 * ring-buffer record per finished statement. Transaction commits and aborts
 * and lock waits are also counted per role. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/usdt.bpf.h>

#include "roles.bpf.h"
#include "pgquery.h"

char LICENSE[] SEC("license") = "GPL";

enum pgquery_phase {
	PHASE_PARSE,
	PHASE_PLAN,
	PHASE_EXEC,
	PHASE_COUNT,
};

/* What a backend is doing: the statement (ts_ns == 0 when none was seen
 * start), its parts so far, and a lock wait in progress. */
struct pgquery_start {
	__u64 ts_ns;
	__u64 phase_ts_ns[PHASE_COUNT]; /* start of the outermost span */
	__u64 phase_ns[PHASE_COUNT];
	__u64 lock_ts_ns;               /* 0 when not waiting */
	__u64 lock_wait_ns;
	__u32 lock_waits;
	__u32 role_id;
	/* Nesting per part: a function running SQL plans and executes inside
	 * the outer execute; only the outermost span is timed. */
	__u8 depth[PHASE_COUNT];
	__u8 pad[5];
	char text[PGQUERY_TEXT_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, PGQUERY_MAX_INFLIGHT);
	__type(key, __u32); /* tid */
	__type(value, struct pgquery_start);
} qstarts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, PGQUERY_RINGBUF_BYTES);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PGQUERY_MAX_ROLES);
	__type(key, __u32);
	__type(value, struct pgquery_role_stat);
} role_stats SEC(".maps");

/* Read by the loader: records dropped on a full ring buffer, and start
 * entries that could not be created. */
__u64 ringbuf_lost;
__u64 map_full;

/* Too large for the BPF stack. */
static const struct pgquery_start zero_start;

/* The current backend's entry, created when missing; NULL when it cannot be. */
static __always_inline struct pgquery_start *entry_get(__u32 tid)
{
	struct pgquery_start *s = bpf_map_lookup_elem(&qstarts, &tid);

	if (s)
		return s;
	bpf_map_update_elem(&qstarts, &tid, &zero_start, BPF_NOEXIST);
	s = bpf_map_lookup_elem(&qstarts, &tid);
	if (!s)
		__sync_fetch_and_add(&map_full, 1);
	return s;
}

SEC("usdt")
int BPF_USDT(handle_query_start, const char *query)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct pgquery_start *s;
	struct track_role *role;
	__u64 now = bpf_ktime_get_ns();

	/* The probe is attached to the binary for every process: filter. */
	role = roles_lookup_current();
	if (!role)
		return 0;
	s = entry_get(tid);
	if (!s)
		return 0;
	s->role_id = role->role_id;
	if (bpf_probe_read_user_str(s->text, sizeof(s->text), query) < 0)
		s->text[0] = '\0';
	/* A statement that failed never reached query__done: start clean. */
	for (int k = 0; k < PHASE_COUNT; k++) {
		s->phase_ns[k] = 0;
		s->depth[k] = 0;
	}
	s->lock_ts_ns = 0;
	s->lock_wait_ns = 0;
	s->lock_waits = 0;
	s->ts_ns = now;
	return 0;
}

SEC("usdt")
int BPF_USDT(handle_query_done)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pid_tgid;
	struct pgquery_start *s;
	struct pgquery_event *e;
	__u64 now = bpf_ktime_get_ns();

	/* No start seen: the statement was running before attach, or the
	 * backend is not tracked. Either way there is no honest duration. */
	s = bpf_map_lookup_elem(&qstarts, &tid);
	if (!s || !s->ts_ns)
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&ringbuf_lost, 1);
		s->ts_ns = 0;
		return 0;
	}
	e->end_ns = now;
	e->dur_ns = now - s->ts_ns;
	e->parse_ns = s->phase_ns[PHASE_PARSE];
	e->plan_ns = s->phase_ns[PHASE_PLAN];
	e->exec_ns = s->phase_ns[PHASE_EXEC];
	e->lock_wait_ns = s->lock_wait_ns;
	e->lock_waits = s->lock_waits;
	e->pid = pid_tgid >> 32;
	e->role_id = s->role_id;
	e->pad = 0;
	bpf_probe_read_kernel_str(e->text, sizeof(e->text), s->text);
	s->ts_ns = 0;
	bpf_ringbuf_submit(e, bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= PGQUERY_WAKEUP_BYTES
				      ? BPF_RB_FORCE_WAKEUP
				      : BPF_RB_NO_WAKEUP);
	return 0;
}

/* Parts are timed only inside a statement whose start was seen. */
static __always_inline int phase_begin(int k)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct pgquery_start *s = bpf_map_lookup_elem(&qstarts, &tid);

	if (!s || !s->ts_ns || k < 0 || k >= PHASE_COUNT)
		return 0;
	if (s->depth[k]++ == 0)
		s->phase_ts_ns[k] = bpf_ktime_get_ns();
	return 0;
}

static __always_inline int phase_end(int k)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct pgquery_start *s = bpf_map_lookup_elem(&qstarts, &tid);

	if (!s || !s->ts_ns || k < 0 || k >= PHASE_COUNT || !s->depth[k])
		return 0;
	if (--s->depth[k] == 0)
		s->phase_ns[k] += bpf_ktime_get_ns() - s->phase_ts_ns[k];
	return 0;
}

SEC("usdt")
int BPF_USDT(handle_parse_start)
{
	return phase_begin(PHASE_PARSE);
}

SEC("usdt")
int BPF_USDT(handle_parse_done)
{
	return phase_end(PHASE_PARSE);
}

SEC("usdt")
int BPF_USDT(handle_plan_start)
{
	return phase_begin(PHASE_PLAN);
}

SEC("usdt")
int BPF_USDT(handle_plan_done)
{
	return phase_end(PHASE_PLAN);
}

SEC("usdt")
int BPF_USDT(handle_execute_start)
{
	return phase_begin(PHASE_EXEC);
}

SEC("usdt")
int BPF_USDT(handle_execute_done)
{
	return phase_end(PHASE_EXEC);
}

/* A heavyweight lock wait (WaitOnLock); not fired for lightweight locks. */
SEC("usdt")
int BPF_USDT(handle_lock_wait_start)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct pgquery_start *s;

	if (!roles_lookup_current())
		return 0;
	s = entry_get(tid);
	if (s)
		s->lock_ts_ns = bpf_ktime_get_ns();
	return 0;
}

SEC("usdt")
int BPF_USDT(handle_lock_wait_done)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct pgquery_role_stat *st;
	struct pgquery_start *s;
	struct track_role *role;
	__u64 wait_ns;

	s = bpf_map_lookup_elem(&qstarts, &tid);
	if (!s || !s->lock_ts_ns)
		return 0;
	wait_ns = bpf_ktime_get_ns() - s->lock_ts_ns;
	s->lock_ts_ns = 0;
	if (s->ts_ns) {
		s->lock_wait_ns += wait_ns;
		s->lock_waits++;
	}
	role = roles_lookup_current();
	if (!role)
		return 0;
	st = bpf_map_lookup_elem(&role_stats, &role->role_id);
	if (!st)
		return 0;
	/* Uprobe programs may be preempted: atomics, not plain increments. */
	__sync_fetch_and_add(&st->lock_waits, 1);
	__sync_fetch_and_add(&st->lock_wait_ns, wait_ns);
	return 0;
}

static __always_inline int count_xact(int commit)
{
	struct track_role *role = roles_lookup_current();
	struct pgquery_role_stat *st;

	if (!role)
		return 0;
	st = bpf_map_lookup_elem(&role_stats, &role->role_id);
	if (!st)
		return 0;
	if (commit)
		__sync_fetch_and_add(&st->commits, 1);
	else
		__sync_fetch_and_add(&st->aborts, 1);
	return 0;
}

SEC("usdt")
int BPF_USDT(handle_transaction_commit)
{
	return count_xact(1);
}

SEC("usdt")
int BPF_USDT(handle_transaction_abort)
{
	return count_xact(0);
}
