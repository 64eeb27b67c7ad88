/* SPDX-License-Identifier: GPL-2.0-only */
/* Server-side collection for a run: query records are fingerprinted and
 * grouped, syscall windows are summed per role, and both are laid out on the
 * same wall-clock seconds as the client windows. */
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

struct fp_entry {
	char *fingerprint;
	char *example;
	uint64_t hash;
	uint64_t count;
	uint64_t total_ns;
	struct hist *duration;
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
	p->loader = loader_open(targets, nspecs, err, errlen);
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
	return 0;
}

/* p95 from the kernel's latency slots: the upper bound of the slot that
 * holds the nearest-rank 95th value. */
static uint64_t slots_p95_ns(const uint64_t *slots, uint64_t count)
{
	uint64_t rank = (count * 95 + 99) / 100, seen = 0;

	if (!count)
		return 0;
	for (unsigned k = 0; k < LOADER_LAT_SLOTS; k++) {
		seen += slots[k];
		if (seen >= rank)
			return loader_lat_slot_upper_ns(k);
	}
	return loader_lat_slot_upper_ns(LOADER_LAT_SLOTS - 1);
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
	e->fingerprint = NULL;
	e->example = NULL;
	e->duration = NULL;
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
			s->p95_ns = slots_p95_ns(a->slots, a->count);
			ns++;
		}
	}
	out->nsyscalls = ns;
	qsort(out->syscalls, ns, sizeof(*out->syscalls), cmp_syscall);

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
	free(p);
}
