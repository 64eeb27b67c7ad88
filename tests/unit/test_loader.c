/* SPDX-License-Identifier: GPL-2.0-only */
/* Loader tests against the real kernel (root only): a helper with known
 * behaviour must come out with the right syscall counts, errors and latency
 * slot, its forked child must be tracked, and bad or empty selectors must
 * fail with a message. Exits 77 (skipped) when not root. */
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
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
	return access(sleeper_path, X_OK);
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

struct totals {
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

int main(void)
{
	if (geteuid() != 0) {
		printf("test_loader: skipped: loading BPF programs needs root (run the tests with sudo)\n");
		return 77;
	}
	test_slots();
	if (find_sleeper()) {
		CHECK(0, "helper %s missing: build it with make %s", sleeper_path,
		      "build/tests/sleeper");
		return check_done("test_loader");
	}
	test_bad_selectors();
	test_syscalls();
	test_selectors();
	return check_done("test_loader");
}
