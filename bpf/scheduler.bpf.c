/* SPDX-License-Identifier: GPL-2.0-only */
/* Scheduler figures of tracked processes, aggregated in the kernel per role:
 * time on CPU, time blocked, and run-queue delay with a latency histogram.
 * Each tracked thread carries its state and the time it entered it in task
 * local storage, which the kernel frees when the thread exits. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "roles.bpf.h"
#include "scheduler.h"

char LICENSE[] SEC("license") = "GPL";

#define SCHED_TASK_RUNNING 0 /* vmlinux.h carries no #defines */

enum task_sched_state {
	SCHED_NONE = 0,  /* not seen since attach */
	SCHED_ONCPU,
	SCHED_RUNQ,
	SCHED_BLOCKED,
};

struct task_sched {
	__u64 ts_ns; /* when the thread entered state */
	__u32 state;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct task_sched);
} tstate SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SCHED_MAX_ROLES);
	__type(key, __u32);
	__type(value, struct sched_stat);
} stats SEC(".maps");

/* Events of tracked threads dropped because their state could not be had:
 * task storage busy on this CPU (an interrupt while the kernel freed an
 * exiting task's storage) or out of memory. Read by the loader. */
__u64 missed;

/* The role stats of task t and its state, created if missing; NULL when t
 * is not tracked (or is the idle task). */
static __always_inline struct sched_stat *lookup(struct task_struct *t, struct task_sched **ts)
{
	__u32 tgid = t->tgid;
	struct track_role *role;

	if (!tgid)
		return NULL;
	role = bpf_map_lookup_elem(&roles, &tgid);
	if (!role)
		return NULL;
	*ts = bpf_task_storage_get(&tstate, t, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!*ts) {
		__sync_fetch_and_add(&missed, 1);
		return NULL;
	}
	return bpf_map_lookup_elem(&stats, &role->role_id);
}

/* A woken thread enters the run queue; the blocked period it ends is its
 * off-CPU time. A thread woken before it left the CPU (it set itself asleep,
 * then was woken before schedule()) never blocked: nothing changes. */
static __always_inline int on_wakeup(struct task_struct *p)
{
	struct task_sched *ts = NULL;
	struct sched_stat *st = lookup(p, &ts);
	__u64 now;

	if (!st)
		return 0;
	if (ts->state == SCHED_ONCPU || ts->state == SCHED_RUNQ)
		return 0;
	now = bpf_ktime_get_ns();
	/* Runs under the run-queue lock with interrupts off, on a per-CPU
	 * value: plain increments cannot race. */
	if (ts->state == SCHED_BLOCKED) {
		st->offcpu_ns += now - ts->ts_ns;
		st->offcpu_count++;
	}
	ts->state = SCHED_RUNQ;
	ts->ts_ns = now;
	return 0;
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(handle_sched_wakeup, struct task_struct *p)
{
	return on_wakeup(p);
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(handle_sched_wakeup_new, struct task_struct *p)
{
	return on_wakeup(p);
}

SEC("tp_btf/sched_switch")
int BPF_PROG(handle_sched_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	struct task_sched *ts = NULL;
	struct sched_stat *st;
	__u64 now = bpf_ktime_get_ns();

	st = lookup(prev, &ts);
	if (st) {
		if (ts->state == SCHED_ONCPU)
			st->oncpu_ns += now - ts->ts_ns;
		/* Preempted, or asleep but woken (or signalled) before it
		 * could block: still runnable, so it waits in the run queue.
		 * The state is read now, not the tracepoint's prev_state
		 * argument, which predates that check. */
		ts->state = preempt || prev->__state == SCHED_TASK_RUNNING ? SCHED_RUNQ
									   : SCHED_BLOCKED;
		ts->ts_ns = now;
	}

	ts = NULL;
	st = lookup(next, &ts);
	if (st) {
		if (ts->state == SCHED_RUNQ) {
			__u64 delay = now - ts->ts_ns;

			st->runq_ns += delay;
			st->runq_count++;
			st->runq_slots[syscalls_lat_slot(delay) & (SYSCALLS_LAT_SLOTS - 1)]++;
		}
		st->switches++;
		ts->state = SCHED_ONCPU;
		ts->ts_ns = now;
	}
	return 0;
}
