/* SPDX-License-Identifier: GPL-2.0-only */
/* Resident memory of tracked processes by type (file, anon, swap, shmem) from
 * the rss_stat tracepoint, which fires whenever a process's mm counters
 * change. The event names the mm, not the process: a change is attributed
 * when the mm is the current task's, which covers the process's own page
 * faults, mmap, brk and munmap; changes made by others (reclaim, exit,
 * fork's copy) are picked up at the process's next own change. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "roles.bpf.h"
#include "rss.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RSS_MAX_PROCS);
	__type(key, __u32); /* tgid */
	__type(value, struct rss_proc);
} procs SEC(".maps");

/* Entries that could not be created (map full); read by the loader. */
__u64 map_full;

/* The folded count of one mm counter; the index must be a constant for the
 * verifier, hence the switch. */
static __always_inline __s64 counter(struct mm_struct *mm, int member)
{
	switch (member) {
	case RSS_FILE:
		return mm->rss_stat[RSS_FILE].count;
	case RSS_ANON:
		return mm->rss_stat[RSS_ANON].count;
	case RSS_SWAP:
		return mm->rss_stat[RSS_SWAP].count;
	case RSS_SHMEM:
		return mm->rss_stat[RSS_SHMEM].count;
	}
	return 0;
}

SEC("tp_btf/rss_stat")
int BPF_PROG(handle_rss_stat, struct mm_struct *mm, int member)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u32 tgid;
	struct track_role *role;
	struct rss_proc *p, init = {};

	if (member < 0 || member >= RSS_NCOUNTERS || (__u64)task->mm != (__u64)mm)
		return 0;
	tgid = task->tgid;
	/* Fast path: one lookup for every untracked process. */
	role = bpf_map_lookup_elem(&roles, &tgid);
	if (!role)
		return 0;
	p = bpf_map_lookup_elem(&procs, &tgid);
	if (!p) {
		/* First change seen: take every counter, not just this one. */
		init.pages[RSS_FILE] = counter(mm, RSS_FILE);
		init.pages[RSS_ANON] = counter(mm, RSS_ANON);
		init.pages[RSS_SWAP] = counter(mm, RSS_SWAP);
		init.pages[RSS_SHMEM] = counter(mm, RSS_SHMEM);
		init.update_ns = bpf_ktime_get_ns();
		init.role_id = role->role_id;
		init.from_kernel = 1;
		bpf_get_current_comm(init.comm, sizeof(init.comm));
		if (bpf_map_update_elem(&procs, &tgid, &init, BPF_ANY))
			__sync_fetch_and_add(&map_full, 1);
		return 0;
	}
	/* Single aligned stores: the loader may read a mix of old and new
	 * counters, never a torn one. */
	p->pages[member & (RSS_NCOUNTERS - 1)] = counter(mm, member);
	p->update_ns = bpf_ktime_get_ns();
	if (!p->from_kernel) {
		/* The loader's baseline was exact at its time; from now the
		 * kernel's own counters are the truth for all of them. */
		p->pages[RSS_FILE] = counter(mm, RSS_FILE);
		p->pages[RSS_ANON] = counter(mm, RSS_ANON);
		p->pages[RSS_SWAP] = counter(mm, RSS_SWAP);
		p->pages[RSS_SHMEM] = counter(mm, RSS_SHMEM);
		p->from_kernel = 1;
	}
	return 0;
}

/* A process leaves when its last thread does (as in track.bpf.c). */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(handle_sched_process_exit, struct task_struct *task)
{
	__u32 tgid;

	if (BPF_CORE_READ(task, signal, live.counter) != 0)
		return 0;
	tgid = task->tgid;
	bpf_map_delete_elem(&procs, &tgid);
	return 0;
}
