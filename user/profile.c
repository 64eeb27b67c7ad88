/* SPDX-License-Identifier: GPL-2.0-only */
/* Server-side collection for a run: query records are fingerprinted and
 * grouped, syscall, scheduler, memory and PostgreSQL windows are summed per
 * role, processes' memory is followed to find those that grow, and all is
 * laid out on the same wall-clock seconds as the client windows. */
#include "profile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fingerprint.h"
#include "hist.h"
#include "loader.h"

#define PROFILE_MAX_FPS 4096 /* distinct fingerprints kept; more go to "other" */
#define PROFILE_MAX_NR 1024  /* syscall numbers tracked per role */
#define PROFILE_MAX_GROWERS 10 /* processes kept in the growth ranking */

struct fp_entry {
	char *fingerprint;
	char *example;
	uint64_t hash;
	uint64_t count;
	uint64_t total_ns;
	struct hist *duration;
	uint64_t parse_ns, plan_ns, exec_ns, lock_waits, lock_wait_ns;
};

/* One role's scheduler figures since the start. */
struct sched_acc {
	uint64_t oncpu_ns, offcpu_ns, offcpu_count, runq_ns, runq_count, switches;
	uint64_t slots[LOADER_LAT_SLOTS];
};

/* One process's memory over the windows it was seen in. */
struct proc_mem {
	uint32_t pid;          /* 0: free slot */
	uint32_t role_id;
	char comm[16];
	int64_t first_t_s, last_t_s;
	uint64_t first_bytes, last_bytes, peak_bytes;
	uint64_t first_anon_bytes, last_anon_bytes;
};

struct sys_acc {
	uint64_t count, errors, total_ns;
	uint64_t slots[LOADER_LAT_SLOTS];
	char name[LOADER_SYSCALL_NAME_LEN];
};

struct query_sec {
	uint64_t queries;
	uint64_t db_ns;
};

struct profile {
	struct loader *loader;
	size_t nroles;
	/* open-addressed fingerprint table, PROFILE_MAX_FPS * 2 slots */
	struct fp_entry *fps;
	size_t nfps;
	struct fp_entry other;
	/* per role, per syscall number; allocated on first sight */
	struct sys_acc *sys[LOADER_MAX_ROLES][PROFILE_MAX_NR];
	/* query figures per second since first_s */
	struct query_sec *qsec;
	size_t nqsec;
	int64_t first_s;
	int err; /* first allocation failure seen while polling */
	char fpbuf[LOADER_QUERY_LEN];
	/* scheduler, memory and PostgreSQL figures since the first tick */
	uint32_t measured;     /* RESULTS_SERVER_* bits present in every window */
	int ticks;
	int64_t last_tick_s;
	struct sched_acc sched[LOADER_MAX_ROLES];
	struct rss_summary rss[LOADER_MAX_ROLES];
	uint64_t commits[LOADER_MAX_ROLES], aborts[LOADER_MAX_ROLES];
	uint64_t lock_waits[LOADER_MAX_ROLES], lock_wait_ns[LOADER_MAX_ROLES];
	/* open-addressed by pid, nmem_cap slots (a power of two) */
	struct proc_mem *mem;
	size_t nmem, nmem_cap;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

/* Split "role=selector" into the loader's target; 0 or -EINVAL. */
static int parse_spec(char *spec, struct loader_target *t)
{
	char *eq = strchr(spec, '=');

	if (!eq || eq == spec || !eq[1])
		return -EINVAL;
	*eq = '\0';
	t->role = spec;
	t->selector = eq + 1;
	return 0;
}

struct profile *profile_open(char *const *specs, size_t nspecs, char *err, size_t errlen)
{
	return profile_open_level(specs, nspecs, PROFILE_LEVEL_LIGHT, err, errlen);
}

struct profile *profile_open_level(char *const *specs, size_t nspecs, enum profile_level level,
				   char *err, size_t errlen)
{
	struct loader_opts opts = { .probes = level == PROFILE_LEVEL_FULL ? LOADER_PROBE_ALL
									   : LOADER_PROBE_DEFAULT };
	struct loader_target targets[LOADER_MAX_ROLES];
	char *copies[LOADER_MAX_ROLES] = { 0 };
	struct profile *p = NULL;
	int saved = 0;

	if (nspecs > LOADER_MAX_ROLES) {
		snprintf(err, errlen, "--profile: %zu roles given, at most %d are supported",
			 nspecs, LOADER_MAX_ROLES);
		errno = EINVAL;
		return NULL;
	}
	for (size_t i = 0; i < nspecs; i++) {
		copies[i] = strdup(specs[i]);
		if (!copies[i]) {
			saved = ENOMEM;
			snprintf(err, errlen, "out of memory");
			goto cleanup;
		}
		if (parse_spec(copies[i], &targets[i])) {
			saved = EINVAL;
			snprintf(err, errlen,
				 "--profile %s: expected ROLE=SELECTOR, e.g. app=port:8069 or "
				 "db=exe:/usr/lib/postgresql/15/bin/postgres",
				 specs[i]);
			goto cleanup;
		}
	}
	p = calloc(1, sizeof(*p));
	if (p)
		p->fps = calloc(PROFILE_MAX_FPS * 2, sizeof(*p->fps));
	if (!p || !p->fps) {
		saved = ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto cleanup;
	}
	p->other.fingerprint = strdup("(other statements)");
	p->other.example = strdup("");
	p->other.duration = hist_new();
	if (!p->other.fingerprint || !p->other.example || !p->other.duration) {
		saved = ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto cleanup;
	}
	p->loader = loader_open_opts(targets, nspecs, &opts, err, errlen);
	if (!p->loader) {
		saved = errno;
		goto cleanup;
	}
	p->nroles = loader_role_count(p->loader);
	for (size_t i = 0; i < nspecs; i++)
		free(copies[i]);
	return p;

cleanup:
	for (size_t i = 0; i < nspecs; i++)
		free(copies[i]);
	profile_free(p);
	errno = saved ? saved : EINVAL;
	return NULL;
}

static struct fp_entry *fp_find(struct profile *p, const char *fp, const char *raw)
{
	uint64_t h = hash_str(fp);
	size_t mask = PROFILE_MAX_FPS * 2 - 1;

	for (size_t i = h & mask;; i = (i + 1) & mask) {
		struct fp_entry *e = &p->fps[i];

		if (!e->fingerprint) {
			if (p->nfps >= PROFILE_MAX_FPS)
				return &p->other;
			e->fingerprint = strdup(fp);
			e->example = strdup(raw);
			e->duration = hist_new();
			e->hash = h;
			if (!e->fingerprint || !e->example || !e->duration) {
				free(e->fingerprint);
				free(e->example);
				hist_free(e->duration);
				memset(e, 0, sizeof(*e));
				return NULL;
			}
			p->nfps++;
			return e;
		}
		if (e->hash == h && !strcmp(e->fingerprint, fp))
			return e;
	}
}

/* Grow the per-second query array so that second s has a slot. */
static struct query_sec *qsec_at(struct profile *p, int64_t s)
{
	size_t idx, want;
	struct query_sec *n;

	if (!p->qsec) {
		p->first_s = s;
	} else if (s < p->first_s) {
		return NULL; /* before the run's first window: not part of it */
	}
	idx = (size_t)(s - p->first_s);
	if (idx < p->nqsec)
		return &p->qsec[idx];
	want = p->nqsec ? p->nqsec : 64;
	while (want <= idx)
		want *= 2;
	n = realloc(p->qsec, want * sizeof(*n));
	if (!n)
		return NULL;
	memset(n + p->nqsec, 0, (want - p->nqsec) * sizeof(*n));
	p->qsec = n;
	p->nqsec = want;
	return &p->qsec[idx];
}

static void on_query(void *ctx, const struct loader_query *q)
{
	struct profile *p = ctx;
	struct fp_entry *e;
	struct query_sec *qs;

	fingerprint_sql(q->text, p->fpbuf, sizeof(p->fpbuf));
	e = fp_find(p, p->fpbuf, q->text);
	if (!e) {
		p->err = -ENOMEM;
		return;
	}
	e->count++;
	e->total_ns += q->dur_ns;
	e->parse_ns += q->parse_ns;
	e->plan_ns += q->plan_ns;
	e->exec_ns += q->exec_ns;
	e->lock_waits += q->lock_waits;
	e->lock_wait_ns += q->lock_wait_ns;
	hist_record(e->duration, (int64_t)(q->dur_ns / 1000));
	qs = qsec_at(p, q->end_wall_ns / 1000000000LL);
	if (qs) {
		qs->queries++;
		qs->db_ns += q->dur_ns;
	}
}

int profile_poll(struct profile *p, int timeout_ms)
{
	int n = loader_poll(p->loader, timeout_ms, on_query, p);

	if (n < 0)
		return n;
	return p->err;
}

/* The percentile pct of the kernel's latency slots: the upper bound of the
 * slot that holds the nearest-rank value; 0 with no values. The last slot
 * is open-ended, so a value there reads as its lower bound (a floor, never
 * the UINT64_MAX that bounds it). */
static uint64_t slots_pct_ns(const uint64_t *slots, uint64_t count, unsigned pct)
{
	uint64_t rank = (count * pct + 99) / 100, seen = 0;
	unsigned k;

	if (!count)
		return 0;
	for (k = 0; k < LOADER_LAT_SLOTS; k++) {
		seen += slots[k];
		if (seen >= rank)
			break;
	}
	return loader_lat_slot_upper_ns(k < LOADER_LAT_SLOTS - 1 ? k : LOADER_LAT_SLOTS - 2);
}

static uint32_t measured_bits(uint32_t loader_bits)
{
	return (loader_bits & LOADER_MEASURED_SCHED ? RESULTS_SERVER_SCHED : 0) |
	       (loader_bits & LOADER_MEASURED_RSS ? RESULTS_SERVER_RSS : 0) |
	       (loader_bits & LOADER_MEASURED_PG ? RESULTS_SERVER_PG : 0) |
	       (loader_bits & LOADER_MEASURED_PG_PARTS ? RESULTS_SERVER_PG_PARTS : 0);
}

static uint64_t pid_hash(uint32_t pid)
{
	return (uint64_t)pid * 0x9E3779B97F4A7C15ull;
}

/* The memory record of pid, created when new; NULL on ENOMEM. */
static struct proc_mem *mem_find(struct profile *p, uint32_t pid)
{
	size_t mask, i;

	if (p->nmem * 2 >= p->nmem_cap) {
		size_t cap = p->nmem_cap ? p->nmem_cap * 2 : 256;
		struct proc_mem *n = calloc(cap, sizeof(*n));

		if (!n)
			return NULL;
		for (size_t k = 0; k < p->nmem_cap; k++) {
			if (!p->mem[k].pid)
				continue;
			i = pid_hash(p->mem[k].pid) & (cap - 1);
			while (n[i].pid)
				i = (i + 1) & (cap - 1);
			n[i] = p->mem[k];
		}
		free(p->mem);
		p->mem = n;
		p->nmem_cap = cap;
	}
	mask = p->nmem_cap - 1;
	for (i = pid_hash(pid) & mask; p->mem[i].pid; i = (i + 1) & mask)
		if (p->mem[i].pid == pid)
			return &p->mem[i];
	p->mem[i].pid = pid;
	p->nmem++;
	return &p->mem[i];
}

/* Follow each process's memory through this window. */
static int track_procs(struct profile *p, int64_t t_s, const struct loader_window *lw)
{
	for (size_t i = 0; i < lw->nprocs; i++) {
		const struct loader_proc_rss *r = &lw->procs[i];
		uint64_t bytes = r->anon_bytes + r->file_bytes + r->shmem_bytes;
		struct proc_mem *m = mem_find(p, r->pid);

		if (!m)
			return -ENOMEM;
		if (!m->last_t_s) {
			m->role_id = r->role_id;
			memcpy(m->comm, r->comm, sizeof(m->comm));
			m->comm[sizeof(m->comm) - 1] = '\0';
			m->first_t_s = t_s;
			m->first_bytes = bytes;
			m->first_anon_bytes = r->anon_bytes;
		}
		m->last_t_s = t_s;
		m->last_bytes = bytes;
		m->last_anon_bytes = r->anon_bytes;
		if (bytes > m->peak_bytes)
			m->peak_bytes = bytes;
	}
	return 0;
}

/* Fold this window's per-role figures into w and the run's totals. */
static int take_roles(struct profile *p, int64_t t_s, const struct loader_window *lw,
		      struct server_window *w)
{
	uint32_t bits = measured_bits(lw->measured);

	p->measured = p->ticks++ ? p->measured & bits : bits;
	p->last_tick_s = t_s;
	w->measured = bits;
	for (size_t r = 0; r < lw->nroles && r < LOADER_MAX_ROLES && r < RESULTS_MAX_ROLES; r++) {
		const struct loader_role_window *x = &lw->roles[r];
		struct sched_acc *a = &p->sched[r];
		struct rss_summary *m = &p->rss[r];
		uint64_t bytes = x->rss_anon_bytes + x->rss_file_bytes + x->rss_shmem_bytes;

		w->role_oncpu_ns[r] = x->oncpu_ns;
		w->role_offcpu_ns[r] = x->offcpu_ns;
		w->role_runq_ns[r] = x->runq_delay_ns;
		w->role_runq_count[r] = x->runq_count;
		w->role_runq_p95_ns[r] = slots_pct_ns(x->runq_slots, x->runq_count, 95);
		a->oncpu_ns += x->oncpu_ns;
		a->offcpu_ns += x->offcpu_ns;
		a->offcpu_count += x->offcpu_count;
		a->runq_ns += x->runq_delay_ns;
		a->runq_count += x->runq_count;
		a->switches += x->switches;
		for (unsigned k = 0; k < LOADER_LAT_SLOTS; k++)
			a->slots[k] += x->runq_slots[k];

		w->role_rss_anon_bytes[r] = x->rss_anon_bytes;
		w->role_rss_file_bytes[r] = x->rss_file_bytes;
		w->role_rss_shmem_bytes[r] = x->rss_shmem_bytes;
		if (p->ticks == 1) {
			m->start_anon_bytes = x->rss_anon_bytes;
			m->start_file_bytes = x->rss_file_bytes;
			m->start_shmem_bytes = x->rss_shmem_bytes;
			m->start_procs = x->rss_procs;
		}
		m->end_anon_bytes = x->rss_anon_bytes;
		m->end_file_bytes = x->rss_file_bytes;
		m->end_shmem_bytes = x->rss_shmem_bytes;
		m->end_procs = x->rss_procs;
		if (bytes > m->peak_bytes)
			m->peak_bytes = bytes;

		w->role_commits[r] = x->commits;
		w->role_aborts[r] = x->aborts;
		w->role_lock_waits[r] = x->lock_waits;
		w->role_lock_wait_ns[r] = x->lock_wait_ns;
		p->commits[r] += x->commits;
		p->aborts[r] += x->aborts;
		p->lock_waits[r] += x->lock_waits;
		p->lock_wait_ns[r] += x->lock_wait_ns;
	}
	return lw->measured & LOADER_MEASURED_RSS ? track_procs(p, t_s, lw) : 0;
}

int profile_tick(struct profile *p, int64_t t_s, struct server_window *w)
{
	struct loader_window lw;
	struct query_sec *qs;
	int err;

	memset(w, 0, sizeof(*w));
	w->t_s = t_s;
	err = loader_read_window(p->loader, &lw);
	if (err)
		return err;
	for (size_t i = 0; i < lw.nsyscalls; i++) {
		const struct loader_syscall_stat *s = &lw.syscalls[i];
		struct sys_acc *a;

		if (s->role_id >= LOADER_MAX_ROLES || s->role_id >= RESULTS_MAX_ROLES ||
		    s->nr >= PROFILE_MAX_NR)
			continue;
		a = p->sys[s->role_id][s->nr];
		if (!a) {
			a = calloc(1, sizeof(*a));
			if (!a)
				return -ENOMEM;
			p->sys[s->role_id][s->nr] = a;
			snprintf(a->name, sizeof(a->name), "%s", s->name);
		}
		a->count += s->count;
		a->errors += s->errors;
		a->total_ns += s->total_ns;
		for (unsigned k = 0; k < LOADER_LAT_SLOTS; k++)
			a->slots[k] += s->lat_slots[k];
		w->role_syscall_ns[s->role_id] += s->total_ns;
		if (s->total_ns > w->role_top_syscall_ns[s->role_id]) {
			w->role_top_syscall_ns[s->role_id] = s->total_ns;
			snprintf(w->role_top_syscall[s->role_id], RESULTS_NAME_LEN, "%s", s->name);
		}
	}
	qs = qsec_at(p, t_s);
	if (qs) {
		w->queries = qs->queries;
		w->db_time_ns = qs->db_ns;
	}
	return take_roles(p, t_s, &lw, w);
}

static int cmp_query(const void *a, const void *b)
{
	const struct query_summary *x = a, *y = b;

	if (x->total_ns != y->total_ns)
		return x->total_ns < y->total_ns ? 1 : -1;
	return strcmp(x->fingerprint, y->fingerprint);
}

static int cmp_syscall(const void *a, const void *b)
{
	const struct syscall_summary *x = a, *y = b;
	int r = strcmp(x->role, y->role);

	if (r)
		return r;
	if (x->total_ns != y->total_ns)
		return x->total_ns < y->total_ns ? 1 : -1;
	return strcmp(x->name, y->name);
}

/* Move one fingerprint entry's figures into a query_summary. */
static void take_query(struct fp_entry *e, struct query_summary *q)
{
	q->fingerprint = e->fingerprint;
	q->example = e->example;
	q->count = e->count;
	q->total_ns = e->total_ns;
	q->duration = e->duration;
	q->parse_ns = e->parse_ns;
	q->plan_ns = e->plan_ns;
	q->exec_ns = e->exec_ns;
	q->lock_waits = e->lock_waits;
	q->lock_wait_ns = e->lock_wait_ns;
	e->fingerprint = NULL;
	e->example = NULL;
	e->duration = NULL;
}

static int cmp_grower(const void *a, const void *b)
{
	const struct rss_grower *x = a, *y = b;
	uint64_t gx = x->last_bytes - x->first_bytes, gy = y->last_bytes - y->first_bytes;

	if (gx != gy)
		return gx < gy ? 1 : -1;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* The whole-run scheduler, memory and PostgreSQL figures into out, whose
 * roles are set. 0 or -ENOMEM. */
static int finish_roles(struct profile *p, struct server_totals *out)
{
	size_t n = 0;

	out->measured = p->ticks ? p->measured : 0;
	for (size_t r = 0; r < out->nroles && r < LOADER_MAX_ROLES; r++) {
		const struct sched_acc *a = &p->sched[r];
		struct sched_summary *s = &out->sched[r];

		s->oncpu_ns = a->oncpu_ns;
		s->offcpu_ns = a->offcpu_ns;
		s->offcpu_count = a->offcpu_count;
		s->runq_ns = a->runq_ns;
		s->runq_count = a->runq_count;
		s->switches = a->switches;
		s->runq_p50_ns = slots_pct_ns(a->slots, a->runq_count, 50);
		s->runq_p95_ns = slots_pct_ns(a->slots, a->runq_count, 95);
		s->runq_p99_ns = slots_pct_ns(a->slots, a->runq_count, 99);
		out->rss[r] = p->rss[r];
		out->role_commits[r] = p->commits[r];
		out->role_aborts[r] = p->aborts[r];
		out->role_lock_waits[r] = p->lock_waits[r];
		out->role_lock_wait_ns[r] = p->lock_wait_ns[r];
	}
	for (size_t i = 0; i < p->nmem_cap; i++)
		n += p->mem[i].pid && p->mem[i].last_bytes > p->mem[i].first_bytes;
	out->growers = calloc(n ? n : 1, sizeof(*out->growers));
	if (!out->growers)
		return -ENOMEM;
	for (size_t i = 0; i < p->nmem_cap; i++) {
		const struct proc_mem *m = &p->mem[i];
		struct rss_grower *g = &out->growers[out->ngrowers];

		if (!m->pid || m->last_bytes <= m->first_bytes)
			continue;
		snprintf(g->role, sizeof(g->role), "%s",
			 m->role_id < out->nroles ? out->roles[m->role_id] : "");
		memcpy(g->comm, m->comm, sizeof(g->comm));
		g->pid = m->pid;
		g->exited = m->last_t_s != p->last_tick_s;
		g->first_t_s = m->first_t_s;
		g->last_t_s = m->last_t_s;
		g->first_bytes = m->first_bytes;
		g->last_bytes = m->last_bytes;
		g->peak_bytes = m->peak_bytes;
		g->first_anon_bytes = m->first_anon_bytes;
		g->last_anon_bytes = m->last_anon_bytes;
		out->ngrowers++;
	}
	qsort(out->growers, out->ngrowers, sizeof(*out->growers), cmp_grower);
	if (out->ngrowers > PROFILE_MAX_GROWERS)
		out->ngrowers = PROFILE_MAX_GROWERS;
	return 0;
}

int profile_finish(struct profile *p, struct server_totals *out,
		   struct server_window *swin, size_t nswin)
{
	struct loader_health h = { 0 };
	struct loader_window lw;
	size_t nq = 0, ns = 0;

	memset(out, 0, sizeof(*out));
	profile_poll(p, 0);
	if (loader_read_window(p->loader, &lw) == 0)
		h = lw.health;
	out->ringbuf_lost = h.ringbuf_lost;
	out->map_full = h.map_full;
	out->attach_failed = h.attach_failed;
	out->missed_events = h.missed;
	out->nattach_lines = loader_describe(p->loader, out->attach_lines,
					     sizeof(out->attach_lines) / sizeof(out->attach_lines[0]));
	out->nroles = p->nroles < RESULTS_MAX_ROLES ? p->nroles : RESULTS_MAX_ROLES;
	for (size_t r = 0; r < out->nroles; r++)
		snprintf(out->roles[r], RESULTS_NAME_LEN, "%s",
			 loader_role_name(p->loader, (uint32_t)r));

	out->queries = calloc(p->nfps + 1, sizeof(*out->queries));
	if (!out->queries)
		return -ENOMEM;
	for (size_t i = 0; i < PROFILE_MAX_FPS * 2; i++)
		if (p->fps[i].fingerprint)
			take_query(&p->fps[i], &out->queries[nq++]);
	if (p->other.count)
		take_query(&p->other, &out->queries[nq++]);
	out->nqueries = nq;
	qsort(out->queries, nq, sizeof(*out->queries), cmp_query);

	for (size_t r = 0; r < out->nroles; r++)
		for (size_t nr = 0; nr < PROFILE_MAX_NR; nr++)
			ns += p->sys[r][nr] != NULL;
	out->syscalls = calloc(ns ? ns : 1, sizeof(*out->syscalls));
	if (!out->syscalls)
		return -ENOMEM;
	ns = 0;
	for (size_t r = 0; r < out->nroles; r++) {
		for (size_t nr = 0; nr < PROFILE_MAX_NR; nr++) {
			struct sys_acc *a = p->sys[r][nr];
			struct syscall_summary *s = &out->syscalls[ns];

			if (!a)
				continue;
			snprintf(s->role, sizeof(s->role), "%s", out->roles[r]);
			snprintf(s->name, sizeof(s->name), "%s", a->name);
			s->count = a->count;
			s->errors = a->errors;
			s->total_ns = a->total_ns;
			s->p95_ns = slots_pct_ns(a->slots, a->count, 95);
			ns++;
		}
	}
	out->nsyscalls = ns;
	qsort(out->syscalls, ns, sizeof(*out->syscalls), cmp_syscall);

	if (finish_roles(p, out))
		return -ENOMEM;
	for (size_t i = 0; i < nswin; i++) {
		if (!p->qsec || swin[i].t_s < p->first_s)
			continue;
		size_t idx = (size_t)(swin[i].t_s - p->first_s);

		if (idx < p->nqsec) {
			swin[i].queries = p->qsec[idx].queries;
			swin[i].db_time_ns = p->qsec[idx].db_ns;
		}
	}
	return 0;
}

void profile_totals_free(struct server_totals *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nqueries; i++) {
		free(t->queries[i].fingerprint);
		free(t->queries[i].example);
		hist_free(t->queries[i].duration);
	}
	free(t->queries);
	free(t->syscalls);
	free(t->growers);
	memset(t, 0, sizeof(*t));
}

void profile_free(struct profile *p)
{
	if (!p)
		return;
	loader_destroy(p->loader);
	if (p->fps) {
		for (size_t i = 0; i < PROFILE_MAX_FPS * 2; i++) {
			free(p->fps[i].fingerprint);
			free(p->fps[i].example);
			hist_free(p->fps[i].duration);
		}
		free(p->fps);
	}
	free(p->other.fingerprint);
	free(p->other.example);
	hist_free(p->other.duration);
	for (size_t r = 0; r < LOADER_MAX_ROLES; r++)
		for (size_t nr = 0; nr < PROFILE_MAX_NR; nr++)
			free(p->sys[r][nr]);
	free(p->qsec);
	free(p->mem);
	free(p);
}
