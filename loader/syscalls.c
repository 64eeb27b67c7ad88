/* SPDX-License-Identifier: GPL-2.0-only */
/* Loads syscalls.bpf.c, sums its per-CPU stats and subtracts the previous
 * snapshot kept here, so each read yields what happened in one window. */
#include "syscalls.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../bpf/syscalls.h"
#include "syscalls.skel.h"

_Static_assert(SYSCALLS_LAT_SLOTS == LOADER_LAT_SLOTS, "slot counts of kernel and loader differ");
_Static_assert((SYSCALLS_LAT_SLOTS & (SYSCALLS_LAT_SLOTS - 1)) == 0, "slot count must be a power of two");

static const char *const syscall_names[] = {
#include "syscall_names.h"
};

#define NNAMES (sizeof(syscall_names) / sizeof(syscall_names[0]))

/* One (role, syscall) pair summed over CPUs. */
struct snap {
	struct syscalls_key key;
	struct syscalls_stat stat;
};

struct syscalls {
	struct syscalls_bpf *skel;
	int ncpus;
	struct syscalls_stat *percpu; /* lookup buffer, ncpus values */
	struct snap *prev, *cur;      /* sorted by key */
	size_t nprev, ncur, cap;      /* cap: of both prev and cur */
	struct loader_syscall_stat *out;
	size_t outcap;
};

void syscalls_name(uint32_t nr, char *buf, size_t len)
{
	if (nr < NNAMES && syscall_names[nr])
		snprintf(buf, len, "%s", syscall_names[nr]);
	else
		snprintf(buf, len, "sys_%u", nr);
}

uint64_t syscalls_slot_upper_ns(unsigned slot)
{
	const unsigned sub_bits = SYSCALLS_LAT_SUB_BITS;
	uint64_t hi_units;

	if (slot >= SYSCALLS_LAT_SLOTS - 1)
		return UINT64_MAX;
	if (slot < (1u << sub_bits)) {
		hi_units = slot + 1;
	} else {
		unsigned e = (slot >> sub_bits) + sub_bits - 1;
		uint64_t width = 1ull << (e - sub_bits);

		hi_units = (1ull << e) + (uint64_t)((slot & ((1u << sub_bits) - 1)) + 1) * width;
	}
	/* Slots hold whole units of [lo, hi); in ns that is up to hi*unit - 1. */
	return (hi_units << SYSCALLS_LAT_UNIT_SHIFT) - 1;
}

struct syscalls *syscalls_open(int roles_fd)
{
	struct syscalls *s = calloc(1, sizeof(*s));
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
	s->skel = syscalls_bpf__open();
	if (!s->skel) {
		err = -errno;
		goto cleanup;
	}
	err = bpf_map__reuse_fd(s->skel->maps.roles, roles_fd);
	if (err)
		goto cleanup;
	err = syscalls_bpf__load(s->skel);
	if (err)
		goto cleanup;
	return s;

cleanup:
	syscalls_destroy(s);
	errno = -err;
	return NULL;
}

int syscalls_attach(struct syscalls *s)
{
	return syscalls_bpf__attach(s->skel);
}

uint64_t syscalls_map_full(const struct syscalls *s)
{
	return __atomic_load_n(&s->skel->bss->map_full, __ATOMIC_RELAXED);
}

static int cmp_key(const void *a, const void *b)
{
	const struct syscalls_key *x = a, *y = b;

	if (x->role_id != y->role_id)
		return x->role_id < y->role_id ? -1 : 1;
	if (x->nr != y->nr)
		return x->nr < y->nr ? -1 : 1;
	return 0;
}

static int grow(struct syscalls *s, size_t want)
{
	struct snap *p, *c;
	size_t cap;

	if (want <= s->cap)
		return 0;
	cap = s->cap ? s->cap * 2 : 64;
	while (cap < want)
		cap *= 2;
	p = realloc(s->prev, cap * sizeof(*p));
	if (!p)
		return -ENOMEM;
	s->prev = p;
	c = realloc(s->cur, cap * sizeof(*c));
	if (!c)
		return -ENOMEM;
	s->cur = c;
	s->cap = cap;
	return 0;
}

/* Sum every key's per-CPU values into s->cur, sorted by key. */
static int snapshot(struct syscalls *s)
{
	int fd = bpf_map__fd(s->skel->maps.stats);
	struct syscalls_key key, next, *prevkey = NULL;
	int err;

	s->ncur = 0;
	/* The map is never deleted from, so get_next_key cannot restart. */
	while (!bpf_map_get_next_key(fd, prevkey, &next)) {
		struct snap *sn;

		key = next;
		prevkey = &key;
		if (bpf_map_lookup_elem(fd, &key, s->percpu))
			continue;
		err = grow(s, s->ncur + 1);
		if (err)
			return err;
		sn = &s->cur[s->ncur++];
		memset(sn, 0, sizeof(*sn));
		sn->key = key;
		for (int c = 0; c < s->ncpus; c++) {
			const struct syscalls_stat *v = &s->percpu[c];

			sn->stat.count += v->count;
			sn->stat.errors += v->errors;
			sn->stat.total_ns += v->total_ns;
			for (unsigned i = 0; i < SYSCALLS_LAT_SLOTS; i++)
				sn->stat.slots[i] += v->slots[i];
		}
	}
	if (errno != ENOENT)
		return -errno;
	if (s->ncur)
		qsort(s->cur, s->ncur, sizeof(*s->cur), cmp_key);
	return 0;
}

int syscalls_read(struct syscalls *s, struct loader_syscall_stat **out, size_t *n)
{
	size_t j = 0, k = 0;
	struct snap *tmp;
	int err = snapshot(s);

	if (err)
		return err;
	if (s->ncur > s->outcap) {
		struct loader_syscall_stat *o = realloc(s->out, s->ncur * sizeof(*o));

		if (!o)
			return -ENOMEM;
		s->out = o;
		s->outcap = s->ncur;
	}
	/* Both snapshots are sorted by key: walk them side by side. */
	for (size_t i = 0; i < s->ncur; i++) {
		const struct snap *c = &s->cur[i];
		const struct snap *p = NULL;
		struct loader_syscall_stat *o;

		while (j < s->nprev && cmp_key(&s->prev[j].key, &c->key) < 0)
			j++;
		if (j < s->nprev && !cmp_key(&s->prev[j].key, &c->key))
			p = &s->prev[j];
		if (p && p->stat.count == c->stat.count)
			continue;
		o = &s->out[k++];
		o->role_id = c->key.role_id;
		o->nr = c->key.nr;
		syscalls_name(c->key.nr, o->name, sizeof(o->name));
		o->count = c->stat.count - (p ? p->stat.count : 0);
		o->errors = c->stat.errors - (p ? p->stat.errors : 0);
		o->total_ns = c->stat.total_ns - (p ? p->stat.total_ns : 0);
		for (unsigned b = 0; b < SYSCALLS_LAT_SLOTS; b++)
			o->lat_slots[b] = c->stat.slots[b] - (p ? p->stat.slots[b] : 0);
	}
	tmp = s->prev;
	s->prev = s->cur;
	s->cur = tmp;
	s->nprev = s->ncur;
	*out = s->out;
	*n = k;
	return 0;
}

void syscalls_destroy(struct syscalls *s)
{
	if (!s)
		return;
	syscalls_bpf__destroy(s->skel);
	free(s->percpu);
	free(s->prev);
	free(s->cur);
	free(s->out);
	free(s);
}
