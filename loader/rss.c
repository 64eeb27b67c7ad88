/* SPDX-License-Identifier: GPL-2.0-only */
/* Loads rss.bpf.c, seeds it with the processes that were running before
 * attach, and turns its per-process pages into bytes per process and per
 * role. The kernel side reads the mm counters the cheap way, which lags the
 * exact count by whatever each CPU holds back (up to its batch of pages); so
 * each window re-reads /proc/PID/status, which sums the CPUs, for the
 * processes the probe saw change since the last window, and only those. */
#include "rss.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../bpf/rss.h"
#include "rss.skel.h"

#define RSS_BATCH 256
/* /proc reads per window at most; past it, the kernel's figures stand. */
#define RSS_REFRESH_MAX 512

/* The exact figures of one process as of the kernel's update_ns. */
struct rss_exact {
	__u32 pid;
	__u64 update_ns;
	uint64_t bytes[RSS_NCOUNTERS];
};

struct rss {
	struct rss_bpf *skel;
	uint64_t page_bytes;
	__u32 keys[RSS_BATCH];
	struct rss_proc vals[RSS_BATCH];
	struct loader_proc_rss *out;
	size_t nout, cap;
	struct rss_exact *prev, *cur; /* sorted by pid; cap entries each */
	size_t nprev, ncur, excap;
};

struct rss *rss_open(int roles_fd)
{
	struct rss *r = calloc(1, sizeof(*r));
	long page = sysconf(_SC_PAGESIZE);
	int err;

	if (!r)
		return NULL;
	r->page_bytes = page > 0 ? (uint64_t)page : 4096;
	r->skel = rss_bpf__open();
	if (!r->skel) {
		err = -errno;
		goto cleanup;
	}
	err = bpf_map__reuse_fd(r->skel->maps.roles, roles_fd);
	if (err)
		goto cleanup;
	err = rss_bpf__load(r->skel);
	if (err)
		goto cleanup;
	return r;

cleanup:
	rss_destroy(r);
	errno = -err;
	return NULL;
}

int rss_attach(struct rss *r)
{
	return rss_bpf__attach(r->skel);
}

uint64_t rss_map_full(const struct rss *r)
{
	return __atomic_load_n(&r->skel->bss->map_full, __ATOMIC_RELAXED);
}

/* RssFile, RssAnon, VmSwap and RssShmem of pid in bytes, and its name.
 * 0, -ESRCH when it is gone, -ENOENT when it has no memory (a kernel thread
 * or a zombie), or -errno. */
static int read_status(pid_t pid, uint64_t bytes[RSS_NCOUNTERS], char comm[16])
{
	static const char *const keys[RSS_NCOUNTERS] = {
		[RSS_FILE] = "RssFile:", [RSS_ANON] = "RssAnon:",
		[RSS_SWAP] = "VmSwap:", [RSS_SHMEM] = "RssShmem:",
	};
	char path[64], line[256];
	unsigned found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? -ESRCH : -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long kib;

		if (comm && !strncmp(line, "Name:", 5)) {
			char *name = line + 5 + strspn(line + 5, " \t");

			name[strcspn(name, "\n")] = '\0';
			snprintf(comm, 16, "%s", name);
			continue;
		}
		for (int k = 0; k < RSS_NCOUNTERS; k++) {
			size_t n = strlen(keys[k]);

			if (strncmp(line, keys[k], n) || sscanf(line + n, "%llu", &kib) != 1)
				continue;
			bytes[k] = (uint64_t)kib * 1024;
			found |= 1u << k;
		}
	}
	fclose(f);
	return found & (1u << RSS_ANON) ? 0 : -ENOENT;
}

int rss_seed(struct rss *r, pid_t pid, uint32_t role_id)
{
	uint64_t bytes[RSS_NCOUNTERS] = { 0 };
	struct rss_proc v;
	__u32 key = (__u32)pid;
	int e;

	memset(&v, 0, sizeof(v));
	v.role_id = role_id;
	e = read_status(pid, bytes, v.comm);
	if (e == -ENOENT)
		return 0; /* nothing to seed */
	if (e)
		return e;
	for (int k = 0; k < RSS_NCOUNTERS; k++)
		v.pages[k] = (__s64)(bytes[k] / r->page_bytes);
	if (bpf_map_update_elem(bpf_map__fd(r->skel->maps.procs), &key, &v, BPF_NOEXIST) &&
	    errno != EEXIST)
		return -errno;
	return 0;
}

static int cmp_exact(const void *a, const void *b)
{
	const struct rss_exact *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* The figures of pid: the previous window's when the probe saw no change
 * since, else fresh from /proc while *budget lasts, else the kernel's. */
static void figures(struct rss *r, __u32 pid, const struct rss_proc *v, int *budget,
		    struct rss_exact *x)
{
	struct rss_exact key = { .pid = pid }, *old;

	x->pid = pid;
	x->update_ns = v->update_ns;
	old = r->nprev ? bsearch(&key, r->prev, r->nprev, sizeof(key), cmp_exact) : NULL;
	if (old && old->update_ns == v->update_ns) {
		memcpy(x->bytes, old->bytes, sizeof(x->bytes));
		return;
	}
	if (*budget > 0) {
		--*budget;
		if (read_status((pid_t)pid, x->bytes, NULL) == 0)
			return;
	}
	/* A counter read between a CPU's fold and its drain can dip below
	 * zero for a moment; the kernel's own readers clamp it too. */
	for (int k = 0; k < RSS_NCOUNTERS; k++)
		x->bytes[k] = v->pages[k] > 0 ? (uint64_t)v->pages[k] * r->page_bytes : 0;
	/* Not exact: try /proc again next window even if nothing changes. */
	x->update_ns = ~0ull;
}

static int out_push(struct rss *r, __u32 pid, const struct rss_proc *v, int *budget)
{
	struct loader_proc_rss *o;
	struct rss_exact *x;

	if (r->nout == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64;

		o = realloc(r->out, cap * sizeof(*o));
		if (!o)
			return -ENOMEM;
		r->out = o;
		r->cap = cap;
	}
	if (r->ncur == r->excap) {
		size_t cap = r->excap ? r->excap * 2 : 64;

		x = realloc(r->cur, cap * sizeof(*x));
		if (!x)
			return -ENOMEM;
		r->cur = x;
		x = realloc(r->prev, cap * sizeof(*x));
		if (!x)
			return -ENOMEM;
		r->prev = x;
		r->excap = cap;
	}
	x = &r->cur[r->ncur++];
	figures(r, pid, v, budget, x);
	o = &r->out[r->nout++];
	memset(o, 0, sizeof(*o));
	o->pid = pid;
	o->role_id = v->role_id;
	o->file_bytes = x->bytes[RSS_FILE];
	o->anon_bytes = x->bytes[RSS_ANON];
	o->shmem_bytes = x->bytes[RSS_SHMEM];
	o->swap_bytes = x->bytes[RSS_SWAP];
	memcpy(o->comm, v->comm, sizeof(o->comm));
	o->comm[sizeof(o->comm) - 1] = '\0';
	return 0;
}

int rss_read(struct rss *r, struct loader_role_window *out, size_t nroles,
	     const struct loader_proc_rss **procs, size_t *nprocs)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	int fd = bpf_map__fd(r->skel->maps.procs);
	__u32 batch, *in = NULL;
	int budget = RSS_REFRESH_MAX;
	struct rss_exact *tmp;

	r->nout = 0;
	r->ncur = 0;
	/* A batch walk goes bucket by bucket: processes exiting meanwhile
	 * cannot make it restart and count one twice, as get_next_key can. */
	for (;;) {
		__u32 cnt = RSS_BATCH;
		int err = bpf_map_lookup_batch(fd, in, &batch, r->keys, r->vals, &cnt, &opts);

		if (err && errno != ENOENT)
			return -errno;
		for (__u32 i = 0; i < cnt; i++) {
			int e = out_push(r, r->keys[i], &r->vals[i], &budget);

			if (e)
				return e;
		}
		if (err)
			break;
		in = &batch;
	}
	if (r->ncur)
		qsort(r->cur, r->ncur, sizeof(*r->cur), cmp_exact);
	tmp = r->prev;
	r->prev = r->cur;
	r->cur = tmp;
	r->nprev = r->ncur;
	for (size_t i = 0; i < r->nout; i++) {
		const struct loader_proc_rss *p = &r->out[i];
		struct loader_role_window *o;

		if (p->role_id >= nroles)
			continue;
		o = &out[p->role_id];
		o->rss_file_bytes += p->file_bytes;
		o->rss_anon_bytes += p->anon_bytes;
		o->rss_shmem_bytes += p->shmem_bytes;
		o->rss_swap_bytes += p->swap_bytes;
		o->rss_procs++;
	}
	*procs = r->out;
	*nprocs = r->nout;
	return 0;
}

void rss_destroy(struct rss *r)
{
	if (!r)
		return;
	rss_bpf__destroy(r->skel);
	free(r->out);
	free(r->prev);
	free(r->cur);
	free(r);
}
