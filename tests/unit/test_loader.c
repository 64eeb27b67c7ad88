/* SPDX-License-Identifier: GPL-2.0-only */
/* Loader tests against the real kernel (root only): a helper with known
 * behaviour must come out with the right syscall counts, errors and latency
 * slot, its forked child must be tracked, and bad or empty selectors must
 * fail with a message; a CPU-bound phase with more threads than cores must
 * show run-queue delay and the CPU time the process itself measured; memory
 * a process allocates and touches must show as anon RSS growth.
 * Exits 77 (skipped) when not root. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../bpf/syscalls.h" /* the kernel's slot function */
#include "check.h"
#include "loader.h"

#define SLEEPS 20
#define SLEEP_MS 10
#define NR_NANOSLEEP 35
#define NR_CLOCK_NANOSLEEP 230
#define NR_DUP 32
#define NR_READ 0
#define NR_CLONE 56
#define NR_CLONE3 435
#define NR_EXIT_GROUP 231

static char sleeper_path[PATH_MAX];
static char workload_path[PATH_MAX];

struct child {
	pid_t pid;
	int go_fd;  /* write one byte to release it; close for EOF */
	int out_fd; /* its stdout */
};

static int find_sleeper(void)
{
	ssize_t n = readlink("/proc/self/exe", sleeper_path, sizeof(sleeper_path) - 1);
	char *slash;

	if (n <= 0)
		return -1;
	sleeper_path[n] = '\0';
	slash = strrchr(sleeper_path, '/');
	if (!slash || (size_t)(slash - sleeper_path) + sizeof("/sleeper") > sizeof(sleeper_path))
		return -1;
	strcpy(slash, "/sleeper");
	snprintf(workload_path, sizeof(workload_path), "%.*s/workload",
		 (int)(slash - sleeper_path), sleeper_path);
	return access(sleeper_path, X_OK) || access(workload_path, X_OK);
}

static int start_sleeper(struct child *c, const char *mode)
{
	int in[2], out[2];

	if (pipe(in) || pipe(out))
		return -1;
	c->pid = fork();
	if (c->pid < 0)
		return -1;
	if (c->pid == 0) {
		char n[16], ms[16];

		snprintf(n, sizeof(n), "%d", SLEEPS);
		snprintf(ms, sizeof(ms), "%d", SLEEP_MS);
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		execl(sleeper_path, "sleeper", n, ms, mode, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	c->go_fd = in[1];
	c->out_fd = out[0];
	return 0;
}

/* Start tests/helpers/workload with argv (argv[0] included, NULL-ended). */
static int start_workload(struct child *c, char *const argv[])
{
	int in[2], out[2];

	if (pipe(in) || pipe(out))
		return -1;
	c->pid = fork();
	if (c->pid < 0)
		return -1;
	if (c->pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		execv(workload_path, argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	c->go_fd = in[1];
	c->out_fd = out[0];
	return 0;
}

/* Wait until pid is blocked in read(2) (waiting for the go byte), so that
 * read began before the loader attached. 0, or -1 after 5 s. */
static int wait_in_read(pid_t pid)
{
	char path[64], buf[64];

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	for (int i = 0; i < 500; i++) {
		FILE *f = fopen(path, "re");
		int in_read = 0;

		if (f) {
			in_read = fgets(buf, sizeof(buf), f) && !strncmp(buf, "0 ", 2);
			fclose(f);
		}
		if (in_read)
			return 0;
		usleep(10000);
	}
	return -1;
}

static unsigned slot_of(uint64_t ns)
{
	unsigned i = 0;

	while (i < LOADER_LAT_SLOTS - 1 && loader_lat_slot_upper_ns(i) < ns)
		i++;
	return i;
}

static void test_slots(void)
{
	unsigned s10 = slot_of(10000000);
	uint64_t lo, hi;
	int monotonic = 1;

	for (unsigned i = 1; i < LOADER_LAT_SLOTS; i++)
		if (loader_lat_slot_upper_ns(i) <= loader_lat_slot_upper_ns(i - 1))
			monotonic = 0;
	CHECK(monotonic, "slot upper bounds must increase");
	CHECK(loader_lat_slot_upper_ns(LOADER_LAT_SLOTS - 1) == UINT64_MAX,
	      "last slot must be open-ended");
	CHECK(loader_lat_slot_upper_ns(0) < 1000, "first slot %llu ns: too coarse",
	      (unsigned long long)loader_lat_slot_upper_ns(0));
	lo = loader_lat_slot_upper_ns(s10 - 1) + 1;
	hi = loader_lat_slot_upper_ns(s10);
	CHECK(lo <= 10000000 && hi >= 10000000 && (hi - lo) * 8 <= lo + 8,
	      "10 ms slot [%llu, %llu] ns", (unsigned long long)lo, (unsigned long long)hi);
	CHECK(loader_lat_slot_upper_ns(LOADER_LAT_SLOTS - 2) >= 60000000000ULL,
	      "slots must reach at least 60 s");

	/* The kernel's slot of every bound, and one past it, agrees with the
	 * bounds the loader documents. */
	for (unsigned i = 0; i + 1 < LOADER_LAT_SLOTS; i++) {
		uint64_t up = loader_lat_slot_upper_ns(i);

		if (syscalls_lat_slot(up) != i || syscalls_lat_slot(up + 1) != i + 1) {
			CHECK(0, "slot %u: kernel puts %llu ns in %u and %llu ns in %u", i,
			      (unsigned long long)up, syscalls_lat_slot(up),
			      (unsigned long long)up + 1, syscalls_lat_slot(up + 1));
			break;
		}
	}
	CHECK(syscalls_lat_slot(UINT64_MAX) == LOADER_LAT_SLOTS - 1, "huge durations: last slot");
}

static void expect_fail(const struct loader_target *t, size_t n, int want_errno,
			const char *want_text)
{
	char err[512] = "";
	struct loader *l;

	errno = 0;
	l = loader_open(t, n, err, sizeof(err));
	CHECK(!l, "%s=%s must fail", t[n - 1].role, t[n - 1].selector);
	CHECK(errno == want_errno, "%s=%s: errno %d (%s), want %d", t[n - 1].role,
	      t[n - 1].selector, errno, strerror(errno), want_errno);
	CHECK(strstr(err, want_text), "%s=%s: message \"%s\" lacks \"%s\"", t[n - 1].role,
	      t[n - 1].selector, err, want_text);
	loader_destroy(l);
}

static void test_bad_selectors(void)
{
	struct loader_target roles[LOADER_MAX_ROLES + 1];
	char names[LOADER_MAX_ROLES + 1][16];
	char dead[32], port[32];
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	pid_t p;
	int fd;

	expect_fail(&(struct loader_target){ "t", "pid:abc" }, 1, EINVAL, "bad selector");
	expect_fail(&(struct loader_target){ "t", "nope:1" }, 1, EINVAL, "unknown kind");
	expect_fail(&(struct loader_target){ "t", "port:70000" }, 1, EINVAL, "port:N");
	expect_fail(&(struct loader_target){ "t", "exe:" }, 1, EINVAL, "exe:PATH");
	expect_fail(&(struct loader_target){ "t", "1234" }, 1, EINVAL, "KIND:VALUE");
	expect_fail(&(struct loader_target){ "", "pid:1" }, 1, EINVAL, "bad role name");

	/* A pid that just died and was reaped. */
	p = fork();
	if (p == 0)
		_exit(0);
	waitpid(p, NULL, 0);
	snprintf(dead, sizeof(dead), "pid:%d", (int)p);
	expect_fail(&(struct loader_target){ "t", dead }, 1, ESRCH, "no process has pid");
	expect_fail(&(struct loader_target){ "t", "comm:no-such-proc" }, 1, ESRCH,
		    "no running process is named");
	expect_fail(&(struct loader_target){ "t", "exe:/nonexistent/bin/x" }, 1, ESRCH,
		    "no running process has the executable");

	/* A port nobody listens on: bound, then closed. */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd >= 0 && !bind(fd, (struct sockaddr *)&a, sizeof(a)) &&
	    !getsockname(fd, (struct sockaddr *)&a, &alen)) {
		snprintf(port, sizeof(port), "port:%d", ntohs(a.sin_port));
		close(fd);
		expect_fail(&(struct loader_target){ "t", port }, 1, ESRCH, "listens on TCP port");
	}

	/* One good selector does not excuse a bad one. */
	expect_fail((struct loader_target[]){ { "a", "pid:1" }, { "b", "comm:no-such-proc" } }, 2,
		    ESRCH, "b=comm:no-such-proc");

	/* Syntax is checked for all targets before any is resolved. */
	expect_fail((struct loader_target[]){ { "a", "comm:no-such-proc" }, { "b", "pid:abc" } }, 2,
		    EINVAL, "b=pid:abc: bad selector");

	for (int i = 0; i <= LOADER_MAX_ROLES; i++) {
		snprintf(names[i], sizeof(names[i]), "r%d", i);
		roles[i].role = names[i];
		roles[i].selector = "pid:1";
	}
	expect_fail(roles, LOADER_MAX_ROLES + 1, EINVAL, "too many roles");
}

/* One role's loader_role_window figures summed over windows. */
struct role_acc {
	uint64_t oncpu_ns, offcpu_ns, offcpu_count, runq_ns, runq_count, switches;
	uint64_t runq_slots[LOADER_LAT_SLOTS];
	uint32_t measured; /* LOADER_MEASURED_* bits seen in every window */
	int windows;
};

static void role_add(struct role_acc *a, const struct loader_window *w, uint32_t role_id)
{
	const struct loader_role_window *r;

	a->measured = a->windows++ ? a->measured & w->measured : w->measured;
	if (role_id >= w->nroles || !w->roles)
		return;
	r = &w->roles[role_id];
	a->oncpu_ns += r->oncpu_ns;
	a->offcpu_ns += r->offcpu_ns;
	a->offcpu_count += r->offcpu_count;
	a->runq_ns += r->runq_delay_ns;
	a->runq_count += r->runq_count;
	a->switches += r->switches;
	for (unsigned k = 0; k < LOADER_LAT_SLOTS; k++)
		a->runq_slots[k] += r->runq_slots[k];
}

struct totals {
	struct role_acc role;
	uint64_t count[512], errors[512], total_ns[512];
	uint64_t sleep_slots[LOADER_LAT_SLOTS];
	uint32_t max_tracked, last_tracked;
	struct loader_health health;
	int windows_ok;
};

/* The sleeper's own measurements of its sleeps, one per line, into a
 * histogram of loader slots. Returns how many were read. */
static uint64_t read_user_sleeps(int fd, uint64_t *slots)
{
	FILE *f = fdopen(fd, "r");
	long long ns;
	uint64_t n = 0;

	if (!f)
		return 0;
	while (fscanf(f, "%lld", &ns) == 1) {
		slots[slot_of((uint64_t)ns)]++;
		n++;
	}
	fclose(f);
	return n;
}

static int add_window(struct loader *l, struct totals *t)
{
	struct loader_window w;
	int err = loader_read_window(l, &w);

	if (err)
		return err;
	if (w.end_wall_ns < w.start_wall_ns)
		t->windows_ok = 0;
	role_add(&t->role, &w, 0);
	for (size_t i = 0; i < w.nsyscalls; i++) {
		const struct loader_syscall_stat *s = &w.syscalls[i];

		if (s->role_id != 0 || s->nr >= 512)
			continue;
		t->count[s->nr] += s->count;
		t->errors[s->nr] += s->errors;
		t->total_ns[s->nr] += s->total_ns;
		if (s->nr == NR_NANOSLEEP || s->nr == NR_CLOCK_NANOSLEEP)
			for (unsigned k = 0; k < LOADER_LAT_SLOTS; k++)
				t->sleep_slots[k] += s->lat_slots[k];
	}
	if (w.health.tracked_procs > t->max_tracked)
		t->max_tracked = w.health.tracked_procs;
	t->last_tracked = w.health.tracked_procs;
	t->health = w.health;
	return 0;
}

static void test_syscalls(void)
{
	struct totals *t = calloc(1, sizeof(*t));
	char sel[32], err[512] = "", lines[8][256];
	struct loader_target target = { "t", sel };
	struct child c;
	struct loader *l;
	uint64_t sleeps, in10 = 0, below10 = 0, sleep_ns, nuser, user_slots[LOADER_LAT_SLOTS] = { 0 };
	uint64_t cum_k = 0, cum_u = 0, cum_u_next, worst_gap = 0;
	int longer = 0;
	unsigned s10 = slot_of(10000000);
	int status = -1, exited = 0;
	size_t nlines;

	if (!t || start_sleeper(&c, NULL)) {
		CHECK(0, "cannot start %s: %s", sleeper_path, strerror(errno));
		free(t);
		return;
	}
	CHECK(wait_in_read(c.pid) == 0, "sleeper %d never blocked in read", (int)c.pid);
	snprintf(sel, sizeof(sel), "pid:%d", (int)c.pid);
	l = loader_open(&target, 1, err, sizeof(err));
	CHECK(l, "loader_open(t=%s): %s (%s)", sel, err, strerror(errno));
	if (!l) {
		kill(c.pid, SIGKILL);
		waitpid(c.pid, NULL, 0);
		free(t);
		return;
	}
	CHECK(loader_role_count(l) == 1, "role count %zu", loader_role_count(l));
	CHECK(loader_role_name(l, 0) && !strcmp(loader_role_name(l, 0), "t"), "role name");
	CHECK(loader_role_name(l, 1) == NULL, "role 1 must not exist");
	nlines = loader_describe(l, lines, 8);
	CHECK(nlines == 1 && strstr(lines[0], "t: pid:") && strstr(lines[0], "1 process"),
	      "describe: %zu lines, first \"%s\"", nlines, nlines ? lines[0] : "");

	t->windows_ok = 1;
	CHECK(add_window(l, t) == 0, "first window");
	CHECK(write(c.go_fd, "g", 1) == 1, "release the sleeper");
	for (int i = 0; i < 100 && !exited; i++) {
		usleep(100000);
		CHECK(add_window(l, t) == 0, "window %d", i);
		exited = waitpid(c.pid, &status, WNOHANG) == c.pid;
	}
	CHECK(exited && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "sleeper did not finish cleanly within 10 s (status %d)", status);
	CHECK(add_window(l, t) == 0, "last window");

	sleeps = t->count[NR_NANOSLEEP] + t->count[NR_CLOCK_NANOSLEEP];
	sleep_ns = t->total_ns[NR_NANOSLEEP] + t->total_ns[NR_CLOCK_NANOSLEEP];
	for (unsigned k = 0; k < LOADER_LAT_SLOTS; k++) {
		if (k == s10)
			in10 += t->sleep_slots[k];
		if (loader_lat_slot_upper_ns(k) < SLEEP_MS * 1000000ULL)
			below10 += t->sleep_slots[k];
	}
	nuser = read_user_sleeps(c.out_fd, user_slots);
	c.out_fd = -1;
	printf("sleeps %llu (want %d), in the 10 ms slot %llu (sleeper's clock: %llu), "
	       "below %llu, mean %.3f ms\n",
	       (unsigned long long)sleeps, 2 * SLEEPS, (unsigned long long)in10,
	       (unsigned long long)user_slots[s10], (unsigned long long)below10,
	       sleeps ? sleep_ns / 1e6 / (double)sleeps : 0.0);
	/* Parent and forked child: the child's half proves fork tracking. */
	CHECK(sleeps == 2 * SLEEPS, "nanosleep count %llu, want %d",
	      (unsigned long long)sleeps, 2 * SLEEPS);
	/* On a quiet machine a 10 ms sleep lasts 10.05-10.3 ms. A busy one adds
	 * run-queue delay, which the kernel sees too; then the sleeper's own
	 * clock is the reference. */
	if (user_slots[s10] * 10 >= nuser * 8)
		CHECK(in10 * 10 >= sleeps * 8, "only %llu of %llu sleeps in the 10 ms slot",
		      (unsigned long long)in10, (unsigned long long)sleeps);
	CHECK(nuser == 2 * SLEEPS, "sleeper reported %llu sleeps", (unsigned long long)nuser);
	/* Each kernel duration is nested inside the sleeper's bracket of the
	 * same call: never in a later slot, and rarely more than one earlier
	 * (only if the sleeper was preempted between its clock and the call). */
	for (unsigned k = 0; k < LOADER_LAT_SLOTS; k++) {
		cum_k += t->sleep_slots[k];
		cum_u += user_slots[k];
		cum_u_next = cum_u + (k + 1 < LOADER_LAT_SLOTS ? user_slots[k + 1] : 0);
		if (cum_k < cum_u)
			longer = 1;
		if (cum_k > cum_u_next && cum_k - cum_u_next > worst_gap)
			worst_gap = cum_k - cum_u_next;
	}
	CHECK(!longer, "the kernel measured sleeps longer than the sleeper's own clock did");
	CHECK(worst_gap <= 2, "%llu sleeps more than one slot shorter than the sleeper measured",
	      (unsigned long long)worst_gap);
	CHECK(below10 == 0, "%llu sleeps shorter than 10 ms", (unsigned long long)below10);
	CHECK(sleep_ns >= sleeps * SLEEP_MS * 1000000ULL &&
		      sleep_ns <= sleeps * SLEEP_MS * 2000000ULL,
	      "total sleep time %llu ns for %llu sleeps", (unsigned long long)sleep_ns,
	      (unsigned long long)sleeps);
	CHECK(t->count[NR_DUP] == SLEEPS && t->errors[NR_DUP] == SLEEPS,
	      "dup(-1): %llu calls, %llu errors, want %d of each",
	      (unsigned long long)t->count[NR_DUP], (unsigned long long)t->errors[NR_DUP], SLEEPS);
	CHECK(t->errors[NR_CLOCK_NANOSLEEP] == 0, "nanosleep errors");
	/* read(2) began before attach: its exit has no start and is ignored. */
	CHECK(t->count[NR_READ] == 0, "read counted %llu times", (unsigned long long)t->count[NR_READ]);
	CHECK(t->count[NR_EXIT_GROUP] == 0, "exit_group never returns, counted %llu",
	      (unsigned long long)t->count[NR_EXIT_GROUP]);
	/* The child's return from fork has no start either. */
	CHECK(t->count[NR_CLONE] + t->count[NR_CLONE3] == 1, "fork counted %llu times",
	      (unsigned long long)(t->count[NR_CLONE] + t->count[NR_CLONE3]));
	CHECK(t->max_tracked >= 1, "tracked_procs never >= 1");
	CHECK(t->last_tracked == 0, "%u processes still tracked after exit", t->last_tracked);
	CHECK(t->health.map_full == 0 && t->health.attach_failed == 0 && t->health.ringbuf_lost == 0,
	      "health: map_full %llu attach_failed %u ringbuf_lost %llu",
	      (unsigned long long)t->health.map_full, t->health.attach_failed,
	      (unsigned long long)t->health.ringbuf_lost);
	CHECK(t->windows_ok, "a window ended before it started");
	/* Each of the 2 x SLEEPS sleeps blocks its thread for the sleep's
	 * length (the timer's slack only adds), and the parent blocks in
	 * waitpid meanwhile. */
	printf("off-CPU %.1f ms in %llu blocked periods, on-CPU %.2f ms\n",
	       t->role.offcpu_ns / 1e6, (unsigned long long)t->role.offcpu_count,
	       t->role.oncpu_ns / 1e6);
	CHECK(t->role.measured & LOADER_MEASURED_SCHED, "scheduler figures missing");
	CHECK(t->role.offcpu_count >= 2 * SLEEPS, "%llu blocked periods, want >= %d",
	      (unsigned long long)t->role.offcpu_count, 2 * SLEEPS);
	CHECK(t->role.offcpu_ns >= 2 * SLEEPS * (SLEEP_MS * 1000000ULL * 95 / 100),
	      "off-CPU %llu ns for %d sleeps of %d ms", (unsigned long long)t->role.offcpu_ns,
	      2 * SLEEPS, SLEEP_MS);
	/* No query probe: poll must just wait and deliver nothing. */
	CHECK(loader_poll(l, 10, (loader_query_fn)abort, NULL) == 0, "poll without queries");

	loader_destroy(l);
	close(c.go_fd);
	free(t);
}

/* port:, comm: and exe: (full path and bare name) all find one listening
 * sleeper; the first role gets it in the kernel map. */
static void test_selectors(void)
{
	char port[32] = "", exe[PATH_MAX + 8], err[512] = "", buf[16] = "", lines[8][256];
	struct loader_window w;
	struct child c;
	struct loader *l;
	ssize_t n;
	size_t nlines;

	if (start_sleeper(&c, "listen")) {
		CHECK(0, "cannot start %s: %s", sleeper_path, strerror(errno));
		return;
	}
	n = read(c.out_fd, buf, sizeof(buf) - 1);
	CHECK(n > 0, "listening sleeper printed no port");
	if (n > 0) {
		buf[n] = '\0';
		snprintf(port, sizeof(port), "port:%d", atoi(buf));
	}
	snprintf(exe, sizeof(exe), "exe:%s", sleeper_path);
	l = loader_open((struct loader_target[]){ { "p", port },
						  { "c", "comm:sleeper" },
						  { "e", exe },
						  { "b", "exe:sleeper" } },
			4, err, sizeof(err));
	CHECK(l, "open by port/comm/exe: %s", err);
	if (l) {
		CHECK(loader_role_count(l) == 4, "role count %zu", loader_role_count(l));
		CHECK(!strcmp(loader_role_name(l, 2), "e"), "role 2 is %s", loader_role_name(l, 2));
		nlines = loader_describe(l, lines, 8);
		CHECK(nlines == 4, "%zu describe lines", nlines);
		for (size_t i = 0; i < nlines; i++)
			CHECK(strstr(lines[i], " 1 process (sleeper)"), "describe: %s", lines[i]);
		CHECK(loader_read_window(l, &w) == 0 && w.health.tracked_procs == 1,
		      "tracked %u, want 1", w.health.tracked_procs);
	}
	loader_destroy(l);

	/* A role given twice is one role with the processes of both. */
	l = loader_open((struct loader_target[]){ { "s", port }, { "s", "comm:sleeper" } }, 2, err,
			sizeof(err));
	CHECK(l && loader_role_count(l) == 1, "one role from two selectors: %s", err);
	if (l && loader_describe(l, lines, 8) == 1)
		CHECK(strstr(lines[0], "s: port:") && strstr(lines[0], ", comm:sleeper, 1 process"),
		      "describe: %s", lines[0]);
	loader_destroy(l);
	close(c.go_fd); /* EOF: the sleeper exits without working */
	close(c.out_fd);
	waitpid(c.pid, NULL, 0);
}

/* Read one line from fd into buf within timeout_ms, reading loader windows
 * into acc every 100 ms meanwhile. 0, or -1 on timeout or EOF. */
static int read_line_sampling(int fd, char *buf, size_t len, int timeout_ms, struct loader *l,
			      struct role_acc *acc)
{
	size_t n = 0;

	for (int waited = 0; waited < timeout_ms; waited += 100) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct loader_window w;

		if (poll(&pfd, 1, 100) > 0) {
			ssize_t got = read(fd, buf + n, len - 1 - n);

			if (got <= 0)
				return -1;
			n += (size_t)got;
			buf[n] = '\0';
			if (memchr(buf, '\n', n) || n == len - 1)
				return 0;
		}
		if (loader_read_window(l, &w) == 0)
			role_add(acc, &w, 0);
	}
	return -1;
}

/* Busy (not idle, not iowait) time of all CPUs since boot from /proc/stat,
 * ns; 0 when unreadable. */
static double cpus_busy_ns(void)
{
	unsigned long long v[10] = { 0 }, all = 0;
	FILE *f = fopen("/proc/stat", "re");
	int n;

	if (!f)
		return 0;
	n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
		   &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]);
	fclose(f);
	if (n < 5)
		return 0;
	/* guest time (8, 9) is already inside user time */
	for (int i = 0; i < 8; i++)
		all += v[i];
	return (double)(all - v[3] - v[4]) * 1e9 / (double)sysconf(_SC_CLK_TCK);
}

/* More spinning threads than cores: each thread is on a CPU or waiting for
 * one the whole phase, so on-CPU plus run-queue time is threads x wall, the
 * on-CPU part matches the process's own CPU clock and cannot exceed
 * wall x cores, and the run-queue part is far from zero. */
static void test_scheduler(void)
{
	long ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	long threads = ncpus < 2 ? 4 : 2 * ncpus;
	char nthreads[24], sel[32], err[512] = "", line[128] = "";
	char *argv[] = { "workload", "spin", nthreads, "1000", NULL };
	struct loader_target target = { "cpu", sel };
	struct role_acc acc = { 0 };
	struct loader_window w;
	long long cpu_ns = 0, wall_ns = 0;
	uint64_t slots = 0, p95_ns = 0, seen = 0;
	double busy, ncores, busy0, others_ns;
	struct child c;
	struct loader *l;

	if (threads > 64)
		threads = 64;
	snprintf(nthreads, sizeof(nthreads), "%ld", threads);
	if (start_workload(&c, argv)) {
		CHECK(0, "cannot start %s: %s", workload_path, strerror(errno));
		return;
	}
	CHECK(wait_in_read(c.pid) == 0, "workload %d never blocked in read", (int)c.pid);
	snprintf(sel, sizeof(sel), "pid:%d", (int)c.pid);
	l = loader_open(&target, 1, err, sizeof(err));
	CHECK(l, "loader_open(cpu=%s): %s", sel, err);
	if (!l) {
		kill(c.pid, SIGKILL);
		waitpid(c.pid, NULL, 0);
		return;
	}
	CHECK(loader_read_window(l, &w) == 0, "first window");
	busy0 = cpus_busy_ns();
	CHECK(write(c.go_fd, "g", 1) == 1, "release the workload");
	CHECK(read_line_sampling(c.out_fd, line, sizeof(line), 10000, l, &acc) == 0,
	      "workload printed nothing within 10 s");
	/* CPU time the rest of the machine took meanwhile (this host is shared). */
	others_ns = cpus_busy_ns() - busy0;
	CHECK(sscanf(line, "cpu_ns %lld wall_ns %lld", &cpu_ns, &wall_ns) == 2, "workload said: %s",
	      line);
	/* Its threads have exited: their last on-CPU periods have ended. */
	CHECK(loader_read_window(l, &w) == 0, "last window");
	role_add(&acc, &w, 0);
	close(c.go_fd);
	waitpid(c.pid, NULL, 0);
	close(c.out_fd);
	loader_destroy(l);

	for (unsigned k = 0; k < LOADER_LAT_SLOTS; k++)
		slots += acc.runq_slots[k];
	for (unsigned k = 0; k < LOADER_LAT_SLOTS && acc.runq_count; k++) {
		seen += acc.runq_slots[k];
		if (seen * 100 >= acc.runq_count * 95) {
			p95_ns = loader_lat_slot_upper_ns(k);
			break;
		}
	}
	ncores = (double)(ncpus < threads ? ncpus : threads);
	busy = (double)(acc.oncpu_ns + acc.runq_ns);
	others_ns = others_ns > (double)cpu_ns ? others_ns - (double)cpu_ns : 0;
	printf("%ld threads on %ld CPUs for %.3f s: on-CPU %.3f s (process clock %.3f s, other "
	       "processes %.3f s), run queue %.3f s in %llu waits (p95 <= %.3f ms), "
	       "%llu switches\n",
	       threads, ncpus, wall_ns / 1e9, acc.oncpu_ns / 1e9, cpu_ns / 1e9, others_ns / 1e9,
	       acc.runq_ns / 1e9, (unsigned long long)acc.runq_count, p95_ns / 1e6,
	       (unsigned long long)acc.switches);
	CHECK(acc.measured & LOADER_MEASURED_SCHED, "scheduler figures missing");
	CHECK(cpu_ns > 0 && wall_ns > 0, "no measurements from the workload");
	CHECK(slots == acc.runq_count, "run-queue slots hold %llu waits, count says %llu",
	      (unsigned long long)slots, (unsigned long long)acc.runq_count);
	/* The process's own clock: the kernel charges the same periods. */
	CHECK(fabs((double)acc.oncpu_ns - (double)cpu_ns) <= 0.1 * (double)cpu_ns + 20e6,
	      "on-CPU %.3f s, the process's CPU clock says %.3f s", acc.oncpu_ns / 1e9,
	      cpu_ns / 1e9);
	/* Physical bound: no more CPU time than cores x wall. */
	CHECK((double)acc.oncpu_ns <= 1.05 * ncores * (double)wall_ns + 20e6,
	      "on-CPU %.3f s exceeds %.0f cores x %.3f s", acc.oncpu_ns / 1e9, ncores,
	      wall_ns / 1e9);
	/* Broad: the cores x wall that other processes left, with more
	 * runnable threads than cores, went mostly to the workload. */
	CHECK((double)acc.oncpu_ns >= 0.5 * (ncores * (double)wall_ns - others_ns),
	      "on-CPU %.3f s, below half of %.0f cores x %.3f s less %.3f s taken by others",
	      acc.oncpu_ns / 1e9, ncores, wall_ns / 1e9, others_ns / 1e9);
	CHECK(busy >= 0.85 * (double)threads * (double)wall_ns &&
		      busy <= 1.15 * (double)threads * (double)wall_ns + 50e6,
	      "on-CPU + run queue %.3f s, want about %ld threads x %.3f s", busy / 1e9, threads,
	      wall_ns / 1e9);
	CHECK((double)acc.runq_ns >= 0.25 * (double)(threads - (long)ncores) * (double)wall_ns,
	      "run-queue delay %.3f s, want well above zero with %ld threads on %.0f cores",
	      acc.runq_ns / 1e9, threads, ncores);
	CHECK(acc.runq_count >= (uint64_t)threads, "%llu run-queue waits",
	      (unsigned long long)acc.runq_count);
}

/* The role-0 record of pid in w, or NULL. */
static const struct loader_proc_rss *proc_of(const struct loader_window *w, pid_t pid)
{
	for (size_t i = 0; i < w->nprocs; i++)
		if (w->procs[i].pid == (uint32_t)pid)
			return &w->procs[i];
	return NULL;
}

/* A process that maps and writes ALLOC_MIB MiB grows its anon RSS by at
 * least that much, the role's sum with it, and leaves when it exits. */
#define ALLOC_MIB 64
static void test_rss(void)
{
	char *argv[] = { "workload", "alloc", "64", NULL };
	char sel[32], err[512] = "", line[128] = "";
	struct loader_target target = { "mem", sel };
	struct role_acc acc = { 0 };
	const struct loader_proc_rss *p;
	uint64_t anon0 = 0, role0 = 0, anon1 = 0, role1 = 0, file1 = 0;
	unsigned long long touched = 0;
	struct loader_window w;
	struct child c;
	struct loader *l;
	int gone = 0;

	_Static_assert(ALLOC_MIB == 64, "argv above says 64");
	if (start_workload(&c, argv)) {
		CHECK(0, "cannot start %s: %s", workload_path, strerror(errno));
		return;
	}
	CHECK(wait_in_read(c.pid) == 0, "workload %d never blocked in read", (int)c.pid);
	snprintf(sel, sizeof(sel), "pid:%d", (int)c.pid);
	l = loader_open(&target, 1, err, sizeof(err));
	CHECK(l, "loader_open(mem=%s): %s", sel, err);
	if (!l) {
		kill(c.pid, SIGKILL);
		waitpid(c.pid, NULL, 0);
		return;
	}
	/* Before: the /proc baseline (the process is asleep in read). */
	CHECK(loader_read_window(l, &w) == 0, "first window");
	CHECK(w.measured & LOADER_MEASURED_RSS, "RSS figures missing");
	p = proc_of(&w, c.pid);
	CHECK(p && p->role_id == 0 && !strcmp(p->comm, "workload") && p->anon_bytes > 0,
	      "workload's baseline record: %s", p ? p->comm : "missing");
	if (p)
		anon0 = p->anon_bytes;
	role0 = w.nroles ? w.roles[0].rss_anon_bytes : 0;
	CHECK(w.nroles == 1 && w.roles[0].rss_procs == 1 && role0 == anon0,
	      "role sum %llu, process %llu", (unsigned long long)role0, (unsigned long long)anon0);

	CHECK(write(c.go_fd, "g", 1) == 1, "release the workload");
	CHECK(read_line_sampling(c.out_fd, line, sizeof(line), 10000, l, &acc) == 0,
	      "workload printed nothing within 10 s");
	CHECK(sscanf(line, "touched_bytes %llu", &touched) == 1, "workload said: %s", line);
	/* After: the process holds its pages until it gets EOF. */
	CHECK(loader_read_window(l, &w) == 0, "window after the allocation");
	p = proc_of(&w, c.pid);
	CHECK(p, "workload has no RSS record after allocating");
	if (p) {
		anon1 = p->anon_bytes;
		file1 = p->file_bytes;
	}
	role1 = w.nroles ? w.roles[0].rss_anon_bytes : 0;
	printf("anon RSS %.2f -> %.2f MiB after touching %.2f MiB (file %.2f MiB)\n",
	       anon0 / 1048576.0, anon1 / 1048576.0, touched / 1048576.0, file1 / 1048576.0);
	CHECK(touched == (unsigned long long)ALLOC_MIB << 20, "touched %llu bytes", touched);
	CHECK(anon1 >= anon0 + ((uint64_t)ALLOC_MIB << 20),
	      "anon RSS grew %.2f MiB, want >= %d MiB", ((double)anon1 - (double)anon0) / 1048576.0,
	      ALLOC_MIB);
	/* Nothing else in the workload allocates more than a few MiB. */
	CHECK(anon1 <= anon0 + ((uint64_t)(ALLOC_MIB + 8) << 20), "anon RSS grew %.2f MiB",
	      ((double)anon1 - (double)anon0) / 1048576.0);
	CHECK(role1 == anon1, "role sum %llu, process %llu", (unsigned long long)role1,
	      (unsigned long long)anon1);

	close(c.go_fd);
	waitpid(c.pid, NULL, 0);
	close(c.out_fd);
	for (int i = 0; i < 50 && !gone; i++) {
		CHECK(loader_read_window(l, &w) == 0, "window after exit");
		gone = !proc_of(&w, c.pid) && w.nroles == 1 && w.roles[0].rss_procs == 0;
		if (!gone)
			usleep(20000);
	}
	CHECK(gone, "the exited workload still has an RSS record");
	loader_destroy(l);
}

int main(void)
{
	if (geteuid() != 0) {
		printf("test_loader: skipped: loading BPF programs needs root (run the tests with sudo)\n");
		return 77;
	}
	test_slots();
	if (find_sleeper()) {
		CHECK(0, "helper %s or %s missing: build them with make %s", sleeper_path,
		      workload_path, "build/tests/sleeper build/tests/workload");
		return check_done("test_loader");
	}
	test_bad_selectors();
	test_syscalls();
	test_selectors();
	test_scheduler();
	test_rss();
	return check_done("test_loader");
}
