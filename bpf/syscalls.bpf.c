/* SPDX-License-Identifier: GPL-2.0-only */
/* Syscall latency of tracked processes, aggregated in the kernel per (role,
 * syscall) into counts, errors, total time and a latency histogram; no event
 * per syscall reaches userspace. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "roles.bpf.h"
#include "syscalls.h"

char LICENSE[] SEC("license") = "GPL";

#define ERR_EXIST 17 /* EEXIST; vmlinux.h carries no errno values */

/* The syscall a thread is in; ts_ns == 0 when it is in none we saw start. */
struct syscall_start {
	__u64 ts_ns;
	__u32 nr;
	__u32 role_id;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SYSCALLS_MAX_INFLIGHT);
	__type(key, __u32); /* tid */
	__type(value, struct syscall_start);
} starts SEC(".maps");

/* Not preallocated: only the pairs actually seen cost memory, which matters
 * with a 2 KiB value per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, SYSCALLS_MAX_KEYS);
	__type(key, struct syscalls_key);
	__type(value, struct syscalls_stat);
} stats SEC(".maps");

/* Updates refused by a full map; read by the loader. */
__u64 map_full;

/* The initial value of a new stats entry: too large for the BPF stack. */
static const struct syscalls_stat zero_stat;

SEC("tp_btf/sys_enter")
int BPF_PROG(handle_sys_enter, struct pt_regs *regs, long id)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32, tid = (__u32)pid_tgid;
	struct syscall_start *s, init;
	struct track_role *role;

	/* Fast path: one hash lookup for every untracked process. */
	role = bpf_map_lookup_elem(&roles, &tgid);
	if (!role)
		return 0;
	/* Overwrite in place once the thread has an entry: no allocation per
	 * syscall; sys_exit clears ts_ns, thread exit deletes the entry. */
	s = bpf_map_lookup_elem(&starts, &tid);
	if (s) {
		s->nr = (__u32)id;
		s->role_id = role->role_id;
		s->ts_ns = bpf_ktime_get_ns();
		return 0;
	}
	init.nr = (__u32)id;
	init.role_id = role->role_id;
	init.ts_ns = bpf_ktime_get_ns();
	if (bpf_map_update_elem(&starts, &tid, &init, BPF_NOEXIST))
		__sync_fetch_and_add(&map_full, 1);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(handle_sys_exit, struct pt_regs *regs, long ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct syscalls_key key;
	struct syscall_start *s;
	struct syscalls_stat *st;
	__u64 dur_ns;

	/* No entry, or no start seen (the syscall began before attach). */
	s = bpf_map_lookup_elem(&starts, &tid);
	if (!s || !s->ts_ns)
		return 0;
	dur_ns = bpf_ktime_get_ns() - s->ts_ns;
	s->ts_ns = 0;
	key.role_id = s->role_id;
	key.nr = s->nr;

	st = bpf_map_lookup_elem(&stats, &key);
	if (!st) {
		long err = bpf_map_update_elem(&stats, &key, &zero_stat, BPF_NOEXIST);

		/* -EEXIST: another CPU created it first, which is fine. */
		if (err && err != -ERR_EXIST)
			__sync_fetch_and_add(&map_full, 1);
		st = bpf_map_lookup_elem(&stats, &key);
		if (!st)
			return 0;
	}
	/* A per-CPU value, and tracepoint programs run with preemption off:
	 * plain increments cannot race. */
	st->count++;
	if (ret >= -4095 && ret <= -1)
		st->errors++;
	st->total_ns += dur_ns;
	st->slots[syscalls_lat_slot(dur_ns) & (SYSCALLS_LAT_SLOTS - 1)]++;
	return 0;
}

/* exit() and exit_group() never return, and a thread may die inside any
 * syscall: drop its entry when it exits so the map does not fill. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(handle_sched_process_exit, struct task_struct *task)
{
	__u32 tid = task->pid;

	bpf_map_delete_elem(&starts, &tid);
	return 0;
}
