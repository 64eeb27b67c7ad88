/* SPDX-License-Identifier: GPL-2.0-only */
/* Per-statement time and text of tracked PostgreSQL backends from the USDT
 * probes query__start/query__done (simple query protocol); one ring-buffer
 * record per finished statement. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/usdt.bpf.h>

#include "roles.bpf.h"
#include "pgquery.h"

char LICENSE[] SEC("license") = "GPL";

/* The statement a backend is running; ts_ns == 0 when none was seen start. */
struct pgquery_start {
	__u64 ts_ns;
	__u32 role_id;
	__u32 pad;
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

/* Read by the loader: records dropped on a full ring buffer, and start
 * entries that could not be created. */
__u64 ringbuf_lost;
__u64 map_full;

/* Too large for the BPF stack. */
static const struct pgquery_start zero_start;

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
	s = bpf_map_lookup_elem(&qstarts, &tid);
	if (!s) {
		bpf_map_update_elem(&qstarts, &tid, &zero_start, BPF_NOEXIST);
		s = bpf_map_lookup_elem(&qstarts, &tid);
		if (!s) {
			__sync_fetch_and_add(&map_full, 1);
			return 0;
		}
	}
	s->role_id = role->role_id;
	if (bpf_probe_read_user_str(s->text, sizeof(s->text), query) < 0)
		s->text[0] = '\0';
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
	e->pid = pid_tgid >> 32;
	e->role_id = s->role_id;
	bpf_probe_read_kernel_str(e->text, sizeof(e->text), s->text);
	s->ts_ns = 0;
	bpf_ringbuf_submit(e, 0);
	return 0;
}
