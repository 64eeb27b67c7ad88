/* SPDX-License-Identifier: GPL-2.0-only */
/* The loader's public API (loader.h) over the probes: checks privileges and
 * kernel support, resolves targets, loads and attaches track, syscalls,
 * scheduler, rss and pgquery, and turns their maps and ring buffer into
 * windows and records. */
#include "loader.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <linux/capability.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "pgquery.h"
#include "rss.h"
#include "scheduler.h"
#include "syscalls.h"
#include "target.h"
#include "track.h"

#define LOADER_MAX_LINES 32
#define LOADER_LINE_LEN 256
#define LOADER_MAX_PG 8      /* distinct PostgreSQL binaries */
#define LOADER_BTF_PATH "/sys/kernel/btf/vmlinux"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

struct loader_role {
	char name[LOADER_ROLE_LEN];
	char selectors[LOADER_LINE_LEN / 2]; /* "pid:1, exe:/x" as given */
	struct target_pids pids;             /* at open */
};

struct pg_binary {
	char path[PATH_MAX];   /* as the role's processes see it */
	char attach[PATH_MAX]; /* what we open and attach: path or /proc/PID/exe */
	uint32_t role_mask;
	int has_probes;        /* 1, 0, or -errno when it could not be read */
};

struct loader {
	struct track *track;
	struct syscalls *syscalls;
	struct scheduler *scheduler; /* NULL: failed to load or attach, said so */
	struct rss *rss;             /* NULL: failed to load or attach, said so */
	int pg_attached;             /* pgquery attached to at least one binary */
	int pg_parts;                /* and its parse/plan/execute probes, to every one */
	uint32_t probes;             /* LOADER_PROBE_* bits asked for */
	struct pgquery *pgquery;
	size_t nroles;
	struct loader_role roles[LOADER_MAX_ROLES];
	struct pg_binary pg[LOADER_MAX_PG];
	size_t npg;
	char lines[LOADER_MAX_LINES][LOADER_LINE_LEN];
	size_t nlines;
	uint32_t attach_failed;
	uint64_t seed_map_full;  /* role map full while seeding */
	int64_t mono_to_wall_ns;
	int64_t last_wall_ns;
	struct loader_role_window rolewin[LOADER_MAX_ROLES]; /* of the last read */
};

/* libbpf's own messages: debug is dropped; warnings are held during
 * loader_open and printed only if something failed, then go to stderr. */
static char libbpf_log[8192];
static size_t libbpf_log_len;
static int libbpf_log_direct;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	size_t room = sizeof(libbpf_log) - libbpf_log_len;
	int n;

	if (level == LIBBPF_DEBUG)
		return 0;
	if (libbpf_log_direct) {
		if (level != LIBBPF_WARN)
			return 0;
		return vfprintf(stderr, fmt, ap);
	}
	if (room <= 1)
		return 0;
	n = vsnprintf(libbpf_log + libbpf_log_len, room, fmt, ap);
	if (n > 0)
		libbpf_log_len += (size_t)n < room ? (size_t)n : room - 1;
	return 0;
}

static void libbpf_log_flush(void)
{
	if (libbpf_log_len)
		fputs(libbpf_log, stderr);
	libbpf_log_len = 0;
	libbpf_log[0] = '\0';
}

static int64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* wall - monotonic, from the tightest of a few bracketed samples. */
static int64_t mono_to_wall_offset(void)
{
	int64_t best_gap = INT64_MAX, offset = 0;

	for (int i = 0; i < 5; i++) {
		int64_t m1 = now_ns(CLOCK_MONOTONIC);
		int64_t w = now_ns(CLOCK_REALTIME);
		int64_t m2 = now_ns(CLOCK_MONOTONIC);

		if (m2 - m1 < best_gap) {
			best_gap = m2 - m1;
			offset = w - (m1 + (m2 - m1) / 2);
		}
	}
	return offset;
}

static void add_line(struct loader *l, int warn, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Keep one describe line; a warning also goes to stderr, once, now. */
static void add_line(struct loader *l, int warn, const char *fmt, ...)
{
	char line[LOADER_LINE_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (warn)
		fprintf(stderr, "loadlens: %s\n", line);
	if (l->nlines < LOADER_MAX_LINES)
		memcpy(l->lines[l->nlines++], line, sizeof(line));
}

static int have_bpf_caps(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	uint64_t eff;

	if (syscall(SYS_capget, &hdr, data))
		return 0;
	eff = data[0].effective | ((uint64_t)data[1].effective << 32);
	if (eff & (1ull << CAP_SYS_ADMIN))
		return 1;
	return (eff & (1ull << CAP_BPF)) && (eff & (1ull << CAP_PERFMON));
}

static int role_name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (!n || n >= LOADER_ROLE_LEN)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && !strchr("_-.", name[i]))
			return 0;
	return 1;
}

static const char *nothing_matches(const struct target_selector *sel, char *buf, size_t len)
{
	switch (sel->kind) {
	case TARGET_PID:
		snprintf(buf, len, "no process has pid %ld", sel->num);
		break;
	case TARGET_PORT:
		snprintf(buf, len, "no process listens on TCP port %ld in this network namespace",
			 sel->num);
		break;
	case TARGET_EXE:
		snprintf(buf, len, "no running process has the executable %s", sel->arg);
		break;
	case TARGET_COMM:
		snprintf(buf, len, "no running process is named %s", sel->arg);
		break;
	}
	return buf;
}

/* Check every target's role name and selector syntax, and the number of
 * distinct roles, before anything touches /proc. 0 or -EINVAL with err set. */
static int validate_targets(const struct loader_target *targets, size_t ntargets, char *err,
			    size_t errlen)
{
	size_t nroles = 0;

	for (size_t i = 0; i < ntargets; i++) {
		const struct loader_target *t = &targets[i];
		struct target_selector sel;
		char why[160];
		int seen = 0;

		if (!role_name_ok(t->role)) {
			snprintf(err, errlen,
				 "target %s=%s: bad role name: use 1-%d letters, digits, '_', '-' or "
				 "'.', e.g. app or db",
				 t->role ? t->role : "", t->selector ? t->selector : "",
				 LOADER_ROLE_LEN - 1);
			return -EINVAL;
		}
		if (target_parse(t->selector, &sel, why, sizeof(why))) {
			snprintf(err, errlen,
				 "target %s=%s: bad selector: %s; e.g. pid:1234, port:8069, "
				 "exe:/usr/lib/postgresql/15/bin/postgres or comm:postgres",
				 t->role, t->selector ? t->selector : "", why);
			return -EINVAL;
		}
		for (size_t k = 0; k < i; k++)
			seen |= !strcmp(targets[k].role, t->role);
		if (!seen && ++nroles > LOADER_MAX_ROLES) {
			snprintf(err, errlen,
				 "target %s=%s: too many roles: at most %d are supported; give "
				 "fewer roles or several selectors to one role",
				 t->role, t->selector, LOADER_MAX_ROLES);
			return -EINVAL;
		}
	}
	return 0;
}

/* Resolve every (validated) target into l->roles: a role given twice gets
 * the processes of both selectors. 0 or -errno with err set. */
static int resolve_targets(struct loader *l, const struct loader_target *targets,
			   size_t ntargets, char *err, size_t errlen)
{
	for (size_t i = 0; i < ntargets; i++) {
		const struct loader_target *t = &targets[i];
		struct target_selector sel;
		struct loader_role *r = NULL;
		char why[160];
		int e;

		e = target_parse(t->selector, &sel, why, sizeof(why));
		if (e)
			return e; /* validate_targets said it was fine */
		for (size_t k = 0; k < l->nroles; k++)
			if (!strcmp(l->roles[k].name, t->role))
				r = &l->roles[k];
		if (!r) {
			if (l->nroles == LOADER_MAX_ROLES)
				return -EINVAL;
			r = &l->roles[l->nroles++];
			snprintf(r->name, sizeof(r->name), "%s", t->role);
		}
		snprintf(r->selectors + strlen(r->selectors),
			 sizeof(r->selectors) - strlen(r->selectors), "%s%s",
			 r->selectors[0] ? ", " : "", t->selector);
		e = target_match(&sel, &r->pids);
		if (e < 0) {
			snprintf(err, errlen, "target %s=%s: cannot scan /proc: %s", t->role,
				 t->selector, strerror(-e));
			return e;
		}
		if (e == 0) {
			snprintf(err, errlen,
				 "target %s=%s: %s; start the target first or fix the selector",
				 t->role, t->selector, nothing_matches(&sel, why, sizeof(why)));
			return -ESRCH;
		}
	}
	for (size_t k = 0; k < l->nroles; k++) {
		int e = target_add_descendants(&l->roles[k].pids);

		if (e) {
			snprintf(err, errlen, "target %s: cannot scan /proc for children: %s",
				 l->roles[k].name, strerror(-e));
			return e;
		}
	}
	return 0;
}

/* Same file? Then the path from /proc/PID/exe is usable from here (not in
 * another mount namespace, not replaced since). */
static int same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return !stat(a, &sa) && !stat(b, &sb) && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Find the PostgreSQL binaries the roles' processes run and whether they
 * carry the query probes. */
static void find_postgres(struct loader *l)
{
	for (size_t r = 0; r < l->nroles; r++) {
		const struct target_pids *set = &l->roles[r].pids;

		for (size_t i = 0; i < set->n; i++) {
			char exe[PATH_MAX], proc[64];
			struct pg_binary *b = NULL;

			if (target_exe(set->pids[i], exe, sizeof(exe)) || !pgquery_is_postgres(exe))
				continue;
			for (size_t k = 0; k < l->npg; k++)
				if (!strcmp(l->pg[k].path, exe))
					b = &l->pg[k];
			if (!b) {
				if (l->npg == LOADER_MAX_PG)
					continue;
				b = &l->pg[l->npg++];
				snprintf(b->path, sizeof(b->path), "%s", exe);
				snprintf(proc, sizeof(proc), "/proc/%d/exe", (int)set->pids[i]);
				snprintf(b->attach, sizeof(b->attach), "%s",
					 same_file(exe, proc) ? exe : proc);
				b->has_probes = pgquery_has_probes(b->attach);
			}
			b->role_mask |= 1u << r;
		}
	}
}

/* Put every role's processes in the role map. */
static void seed(struct loader *l)
{
	for (size_t r = 0; r < l->nroles; r++) {
		const struct target_pids *set = &l->roles[r].pids;

		for (size_t i = 0; i < set->n; i++) {
			int e = track_add(l->track, set->pids[i], (uint32_t)r);

			/* -EEXIST: an earlier role has it (first role wins), or
			 * the fork hook was faster. -ESRCH cannot happen. */
			if (e == -E2BIG || e == -ENOMEM)
				l->seed_map_full++;
		}
	}
}

/* Second look after the hooks are live: children forked between the /proc
 * scan and seeding, and seeded processes that exited meanwhile. */
static void reseed(struct loader *l)
{
	for (size_t r = 0; r < l->nroles; r++) {
		struct target_pids *set = &l->roles[r].pids;

		if (target_add_descendants(set))
			continue; /* keep what the first pass found */
		for (size_t i = 0; i < set->n;) {
			/* Its exit may have passed before it was seeded. */
			if (!target_alive(set->pids[i])) {
				track_remove(l->track, set->pids[i]);
				set->pids[i] = set->pids[--set->n];
				continue;
			}
			i++;
		}
	}
	seed(l);
}

/* The RSS baseline of every process found at open; the probe keeps it
 * current from here, and sees processes forked later by itself. */
static void seed_rss(struct loader *l)
{
	if (!l->rss)
		return;
	for (size_t r = 0; r < l->nroles; r++) {
		const struct target_pids *set = &l->roles[r].pids;

		for (size_t i = 0; i < set->n; i++) {
			int e = rss_seed(l->rss, set->pids[i], (uint32_t)r);

			if (e == -E2BIG || e == -ENOMEM)
				l->seed_map_full++;
		}
	}
}

static void describe_roles(struct loader *l)
{
	for (size_t r = 0; r < l->nroles; r++) {
		const struct target_pids *set = &l->roles[r].pids;
		char names[96] = "", traced[48];
		size_t nnames = 0;

		for (size_t i = 0; i < set->n && nnames < 3; i++) {
			char exe[PATH_MAX];
			const char *base;

			if (target_exe(set->pids[i], exe, sizeof(exe)))
				continue;
			base = strrchr(exe, '/');
			base = base ? base + 1 : exe;
			if (strstr(names, base))
				continue;
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%.28s",
				 nnames ? ", " : "", base);
			nnames++;
		}
		traced[0] = '\0';
		if (l->syscalls)
			strcat(traced, ", syscalls");
		if (l->scheduler)
			strcat(traced, ", scheduler");
		if (l->rss)
			strcat(traced, ", RSS");
		add_line(l, 0, "%s: %s, %zu process%s (%s)%s%s, forks followed",
			 l->roles[r].name, l->roles[r].selectors, set->n, set->n == 1 ? "" : "es",
			 names, traced, traced[0] ? " traced" : "");
	}
}

/* Attach the query probes to each PostgreSQL binary that has them; report
 * those that do not, or fail to attach, without failing the whole open. */
static void attach_postgres(struct loader *l)
{
	for (size_t k = 0; k < l->npg; k++) {
		struct pg_binary *b = &l->pg[k];
		char roles[LOADER_MAX_ROLES * LOADER_ROLE_LEN] = "", missed[160];
		int e;

		for (size_t r = 0; r < l->nroles; r++)
			if (b->role_mask & (1u << r))
				snprintf(roles + strlen(roles), sizeof(roles) - strlen(roles), "%s%s",
					 roles[0] ? "," : "", l->roles[r].name);
		if (b->has_probes < 0) {
			add_line(l, 1,
				 "%s: cannot read %s to look for its USDT probes (%s); per-query "
				 "times are unavailable; check the file is readable by root",
				 roles, b->path, strerror(-b->has_probes));
			continue;
		}
		if (!b->has_probes) {
			add_line(l, 1,
				 "%s: %s has no USDT probes query__start/query__done (built "
				 "without --enable-dtrace); per-query times are unavailable; use a "
				 "PostgreSQL built with --enable-dtrace, e.g. Debian's postgresql-15",
				 roles, b->path);
			continue;
		}
		if (!l->pgquery) { /* failed to load; said so already */
			l->attach_failed += 2;
			continue;
		}
		e = pgquery_attach(l->pgquery, b->attach, (l->probes & LOADER_PROBE_PG_PARTS) != 0,
				   missed, sizeof(missed));
		if (e < 0) {
			l->attach_failed += 2;
			add_line(l, 1,
				 "%s: attaching USDT query__start/query__done to %s failed: %s; "
				 "per-query times are unavailable",
				 roles, b->path, strerror(-e));
			libbpf_log_flush();
			continue;
		}
		if (e > 0) {
			l->attach_failed += (uint32_t)e;
			add_line(l, 1,
				 "%s: USDT %s of %s failed to attach; the figures they feed "
				 "(statement parts, lock waits, commits) are incomplete",
				 roles, missed, b->path);
			libbpf_log_flush();
		}
		/* Parts count only when every binary has all of them. */
		l->pg_parts = (l->probes & LOADER_PROBE_PG_PARTS) &&
			      (l->pg_parts || !l->pg_attached) && !strstr(missed, "query__");
		l->pg_attached = 1;
		add_line(l, 0,
			 "%s: USDT query__start/query__done, %slock waits and transactions "
			 "attached to %s",
			 roles, l->probes & LOADER_PROBE_PG_PARTS ? "parse/plan/execute, " : "",
			 b->path);
	}
}

/* Load and attach everything for resolved roles. 0 or -errno with err set. */
static int load_and_attach(struct loader *l, char *err, size_t errlen)
{
	int e, want_pg = 0;

	l->track = track_open();
	if (!l->track) {
		e = -errno;
		snprintf(err, errlen,
			 "loading the process tracker (track.bpf.c) failed: %s; the libbpf "
			 "messages above say what the kernel refused",
			 strerror(-e));
		return e;
	}
	if (l->probes & LOADER_PROBE_SYSCALLS)
		l->syscalls = syscalls_open(track_roles_fd(l->track));
	if ((l->probes & LOADER_PROBE_SYSCALLS) && !l->syscalls) {
		e = -errno;
		snprintf(err, errlen,
			 "loading the syscall probe (syscalls.bpf.c) failed: %s; the libbpf "
			 "messages above say what the kernel refused",
			 strerror(-e));
		return e;
	}
	/* Not fatal: without it the run-queue and CPU figures are absent. */
	if (l->probes & LOADER_PROBE_SCHED)
		l->scheduler = scheduler_open(track_roles_fd(l->track));
	if ((l->probes & LOADER_PROBE_SCHED) && !l->scheduler) {
		l->attach_failed += 3;
		add_line(l, 1,
			 "loading the scheduler probe (scheduler.bpf.c) failed: %s; run-queue "
			 "delay, on-CPU and off-CPU times are unavailable",
			 strerror(errno));
		libbpf_log_flush();
	}
	if (l->probes & LOADER_PROBE_RSS)
		l->rss = rss_open(track_roles_fd(l->track));
	if ((l->probes & LOADER_PROBE_RSS) && !l->rss) {
		l->attach_failed += 2;
		add_line(l, 1,
			 "loading the memory probe (rss.bpf.c) failed: %s; RSS figures are "
			 "unavailable",
			 strerror(errno));
		libbpf_log_flush();
	}
	if (l->probes & LOADER_PROBE_PG)
		find_postgres(l);
	for (size_t k = 0; k < l->npg; k++)
		want_pg |= l->pg[k].has_probes == 1;
	if (want_pg) {
		/* Not fatal: the syscall profile is still worth having. */
		l->pgquery = pgquery_open(track_roles_fd(l->track));
		if (!l->pgquery) {
			e = -errno;
			add_line(l, 1, "loading the query probe (pgquery.bpf.c) failed: %s",
				 strerror(-e));
			libbpf_log_flush();
		}
	}

	e = track_attach(l->track);
	if (e) {
		snprintf(err, errlen,
			 "attaching the fork/exit tracepoints (tp_btf sched_process_fork/exit) "
			 "failed: %s; the kernel needs BTF-enabled tracepoints (5.5 or later)",
			 strerror(-e));
		return e;
	}
	seed(l);
	e = l->syscalls ? syscalls_attach(l->syscalls) : 0;
	if (e) {
		snprintf(err, errlen,
			 "attaching the syscall tracepoints (tp_btf sys_enter/sys_exit) failed: "
			 "%s; the kernel needs BTF-enabled tracepoints (5.5 or later)",
			 strerror(-e));
		return e;
	}
	if (l->scheduler) {
		e = scheduler_attach(l->scheduler);
		if (e) {
			l->attach_failed += 3;
			add_line(l, 1,
				 "attaching the scheduler tracepoints (tp_btf sched_wakeup, "
				 "sched_wakeup_new, sched_switch) failed: %s; run-queue delay, "
				 "on-CPU and off-CPU times are unavailable",
				 strerror(-e));
			libbpf_log_flush();
			scheduler_destroy(l->scheduler);
			l->scheduler = NULL;
		}
	}
	if (l->rss) {
		e = rss_attach(l->rss);
		if (e) {
			l->attach_failed += 2;
			add_line(l, 1,
				 "attaching the memory tracepoint (tp_btf rss_stat) failed: %s; "
				 "RSS figures are unavailable",
				 strerror(-e));
			libbpf_log_flush();
			rss_destroy(l->rss);
			l->rss = NULL;
		}
	}
	reseed(l);
	seed_rss(l);
	describe_roles(l);
	attach_postgres(l);
	return 0;
}

struct loader *loader_open(const struct loader_target *targets, size_t ntargets, char *err,
			   size_t errlen)
{
	return loader_open_opts(targets, ntargets, NULL, err, errlen);
}

struct loader *loader_open_opts(const struct loader_target *targets, size_t ntargets,
				const struct loader_opts *opts, char *err, size_t errlen)
{
	struct rlimit unlimited = { RLIM_INFINITY, RLIM_INFINITY };
	libbpf_print_fn_t old_print;
	struct loader *l;
	int e;

	if (errlen)
		err[0] = '\0';
	if (!targets || !ntargets) {
		snprintf(err, errlen, "no target to profile: give at least one ROLE=SELECTOR");
		errno = EINVAL;
		return NULL;
	}
	l = calloc(1, sizeof(*l));
	if (!l) {
		snprintf(err, errlen, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	/* Syntax first, so a typo is reported even without privileges; then
	 * privileges, without which /proc/PID/fd of other users cannot be
	 * read and a port: selector would seem to match nothing. */
	l->probes = opts && opts->probes ? opts->probes & LOADER_PROBE_ALL : LOADER_PROBE_DEFAULT;
	e = validate_targets(targets, ntargets, err, errlen);
	if (e)
		goto cleanup;
	if (!have_bpf_caps()) {
		snprintf(err, errlen,
			 "profiling needs root: loading BPF programs requires CAP_BPF and "
			 "CAP_PERFMON, which this process lacks; run loadlens with sudo");
		e = -EPERM;
		goto cleanup;
	}
	if (access(LOADER_BTF_PATH, R_OK)) {
		e = -errno;
		snprintf(err, errlen,
			 "no kernel BTF at %s (%s): the BPF programs need the kernel's type "
			 "information; boot a kernel built with CONFIG_DEBUG_INFO_BTF=y "
			 "(Debian's stock kernels are)",
			 LOADER_BTF_PATH, strerror(-e));
		goto cleanup;
	}
	e = resolve_targets(l, targets, ntargets, err, errlen);
	if (e)
		goto cleanup;

	/* Kernels before 5.11 charge BPF maps to RLIMIT_MEMLOCK; later ones
	 * use memory cgroups and ignore it, so a failure here is not fatal. */
	(void)setrlimit(RLIMIT_MEMLOCK, &unlimited);
	libbpf_log_len = 0;
	libbpf_log_direct = 0;
	old_print = libbpf_set_print(libbpf_print);
	(void)old_print;
	e = load_and_attach(l, err, errlen);
	if (e) {
		libbpf_log_flush();
		goto cleanup;
	}
	libbpf_log_len = 0;
	libbpf_log_direct = 1;
	l->mono_to_wall_ns = mono_to_wall_offset();
	l->last_wall_ns = now_ns(CLOCK_REALTIME);
	return l;

cleanup:
	libbpf_log_direct = 1;
	loader_destroy(l);
	errno = -e;
	return NULL;
}

size_t loader_role_count(const struct loader *l)
{
	return l ? l->nroles : 0;
}

const char *loader_role_name(const struct loader *l, uint32_t role_id)
{
	if (!l || role_id >= l->nroles)
		return NULL;
	return l->roles[role_id].name;
}

size_t loader_describe(const struct loader *l, char lines[][256], size_t maxlines)
{
	size_t n = 0;

	_Static_assert(LOADER_LINE_LEN == 256, "describe line length is part of loader.h");
	for (; l && n < l->nlines && n < maxlines; n++)
		memcpy(lines[n], l->lines[n], LOADER_LINE_LEN);
	return n;
}

int loader_poll(struct loader *l, int timeout_ms, loader_query_fn fn, void *ctx)
{
	if (!l || !fn)
		return -EINVAL;
	if (!l->pgquery) {
		/* Nothing can arrive; keep the caller's pacing. */
		if (timeout_ms > 0) {
			struct timespec ts = { timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L };

			nanosleep(&ts, NULL);
		}
		return 0;
	}
	return pgquery_poll(l->pgquery, timeout_ms, l->mono_to_wall_ns, fn, ctx);
}

int loader_read_window(struct loader *l, struct loader_window *w)
{
	int64_t now;
	int e;

	if (!l || !w)
		return -EINVAL;
	memset(w, 0, sizeof(*w));
	now = now_ns(CLOCK_REALTIME);
	if (l->syscalls) {
		e = syscalls_read(l->syscalls, &w->syscalls, &w->nsyscalls);
		if (e)
			return e;
		w->measured |= LOADER_MEASURED_SYSCALLS;
	}
	memset(l->rolewin, 0, sizeof(l->rolewin));
	if (l->scheduler) {
		e = scheduler_read(l->scheduler, l->rolewin, l->nroles);
		if (e)
			return e;
		w->measured |= LOADER_MEASURED_SCHED;
	}
	if (l->rss) {
		e = rss_read(l->rss, l->rolewin, l->nroles, &w->procs, &w->nprocs);
		if (e)
			return e;
		w->measured |= LOADER_MEASURED_RSS;
	}
	if (l->pgquery && l->pg_attached) {
		e = pgquery_read_roles(l->pgquery, l->rolewin, l->nroles);
		if (e)
			return e;
		w->measured |= LOADER_MEASURED_PG;
		if (l->pg_parts)
			w->measured |= LOADER_MEASURED_PG_PARTS;
	}
	w->roles = l->rolewin;
	w->nroles = l->nroles;
	w->start_wall_ns = l->last_wall_ns;
	w->end_wall_ns = now;
	l->last_wall_ns = now;
	w->health.ringbuf_lost = l->pgquery ? pgquery_ringbuf_lost(l->pgquery) : 0;
	w->health.map_full = l->seed_map_full + track_map_full(l->track) +
			     (l->syscalls ? syscalls_map_full(l->syscalls) : 0) +
			     (l->rss ? rss_map_full(l->rss) : 0) +
			     (l->pgquery ? pgquery_map_full(l->pgquery) : 0);
	w->health.attach_failed = l->attach_failed;
	w->health.missed = l->scheduler ? scheduler_missed(l->scheduler) : 0;
	w->health.tracked_procs = track_count(l->track);
	return 0;
}

uint64_t loader_lat_slot_upper_ns(unsigned slot)
{
	return syscalls_slot_upper_ns(slot);
}

void loader_destroy(struct loader *l)
{
	if (!l)
		return;
	/* Probes that share the role map go before its owner. */
	pgquery_destroy(l->pgquery);
	rss_destroy(l->rss);
	scheduler_destroy(l->scheduler);
	syscalls_destroy(l->syscalls);
	track_destroy(l->track);
	for (size_t r = 0; r < LOADER_MAX_ROLES; r++)
		target_pids_free(&l->roles[r].pids);
	free(l);
}
