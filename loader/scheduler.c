/* SPDX-License-Identifier: GPL-2.0-only */
/* Loads scheduler.bpf.c, sums its per-CPU, per-role stats and subtracts the
 * previous snapshot, so each read yields what happened in one window. */
#include "scheduler.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../bpf/scheduler.h"
#include "scheduler.skel.h"

_Static_assert(SCHED_MAX_ROLES >= LOADER_MAX_ROLES, "the kernel's role array is too small");

struct scheduler {
	struct scheduler_bpf *skel;
	int ncpus;
	struct sched_stat *percpu;            /* lookup buffer, ncpus values */
	struct sched_stat prev[SCHED_MAX_ROLES]; /* totals at the previous read */
};

struct scheduler *scheduler_open(int roles_fd)
{
	struct scheduler *s = calloc(1, sizeof(*s));
	int err;

	if (!s)
		return NULL;
	s->ncpus = libbpf_num_possible_cpus();
	if (s->ncpus <= 0) {
		err = s->ncpus ? s->ncpus : -EINVAL;
		goto cleanup;
	}
	s->percpu = calloc((size_t)s->ncpus, sizeof(*s->percpu));
	if (!s->percpu) {
		err = -ENOMEM;
		goto cleanup;
	}
	s->skel = scheduler_bpf__open();
	if (!s->skel) {
		err = -errno;
		goto cleanup;
	}
	err = bpf_map__reuse_fd(s->skel->maps.roles, roles_fd);
	if (err)
		goto cleanup;
	err = scheduler_bpf__load(s->skel);
	if (err)
		goto cleanup;
	return s;

cleanup:
	scheduler_destroy(s);
	errno = -err;
	return NULL;
}

int scheduler_attach(struct scheduler *s)
{
	return scheduler_bpf__attach(s->skel);
}

uint64_t scheduler_missed(const struct scheduler *s)
{
	return __atomic_load_n(&s->skel->bss->missed, __ATOMIC_RELAXED);
}

int scheduler_read(struct scheduler *s, struct loader_role_window *out, size_t nroles)
{
	int fd = bpf_map__fd(s->skel->maps.stats);

	for (__u32 r = 0; r < nroles && r < SCHED_MAX_ROLES; r++) {
		struct sched_stat sum, *p = &s->prev[r];
		struct loader_role_window *o = &out[r];

		if (bpf_map_lookup_elem(fd, &r, s->percpu))
			return -errno;
		memset(&sum, 0, sizeof(sum));
		for (int c = 0; c < s->ncpus; c++) {
			const struct sched_stat *v = &s->percpu[c];

			sum.oncpu_ns += v->oncpu_ns;
			sum.offcpu_ns += v->offcpu_ns;
			sum.offcpu_count += v->offcpu_count;
			sum.runq_ns += v->runq_ns;
			sum.runq_count += v->runq_count;
			sum.switches += v->switches;
			for (unsigned k = 0; k < SYSCALLS_LAT_SLOTS; k++)
				sum.runq_slots[k] += v->runq_slots[k];
		}
		o->oncpu_ns = sum.oncpu_ns - p->oncpu_ns;
		o->offcpu_ns = sum.offcpu_ns - p->offcpu_ns;
		o->offcpu_count = sum.offcpu_count - p->offcpu_count;
		o->runq_delay_ns = sum.runq_ns - p->runq_ns;
		o->runq_count = sum.runq_count - p->runq_count;
		o->switches = sum.switches - p->switches;
		for (unsigned k = 0; k < SYSCALLS_LAT_SLOTS; k++)
			o->runq_slots[k] = sum.runq_slots[k] - p->runq_slots[k];
		*p = sum;
	}
	return 0;
}

void scheduler_destroy(struct scheduler *s)
{
	if (!s)
		return;
	scheduler_bpf__destroy(s->skel);
	free(s->percpu);
	free(s);
}
