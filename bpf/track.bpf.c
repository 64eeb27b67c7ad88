/* SPDX-License-Identifier: GPL-2.0-only */
/* Follows tracked processes in the kernel: a forked child inherits its
 * parent's role before it runs, and a process leaves the role map when its
 * last thread exits. No polling of /proc after the initial seeding. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "roles.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* Role map inserts refused (map full); read by the loader. */
__u64 map_full;

/* Fires in the parent before the child is first woken, so the child is
 * tracked from its first syscall. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(handle_sched_process_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = parent->tgid;
	__u32 ctgid = child->tgid;
	struct track_role *role, copy;

	/* A new thread shares its creator's tgid, which is tracked already. */
	if (ptgid == ctgid)
		return 0;
	role = bpf_map_lookup_elem(&roles, &ptgid);
	if (!role)
		return 0;
	copy = *role;
	if (bpf_map_update_elem(&roles, &ctgid, &copy, BPF_ANY))
		__sync_fetch_and_add(&map_full, 1);
	return 0;
}

/* Fires once per exiting thread; the process is gone when the last one
 * leaves (signal->live dropped to zero before this tracepoint, on every
 * kernel version, unlike the group_dead argument added in 6.x). */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(handle_sched_process_exit, struct task_struct *task)
{
	__u32 tgid;

	if (BPF_CORE_READ(task, signal, live.counter) != 0)
		return 0;
	tgid = task->tgid;
	bpf_map_delete_elem(&roles, &tgid);
	return 0;
}
