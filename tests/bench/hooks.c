/* SPDX-License-Identifier: GPL-2.0-only */
/* What the profiler's kernel hooks cost a workload, as interleaved runs
 * under probe sets added one at a time: off (nothing loaded), syscalls
 * only, syscalls + scheduler, syscalls + RSS, and everything, each tracking
 * the workload; and everything tracking another process (the cost every
 * process on the host pays). Two workloads stress the hooks: a pipe
 * ping-pong between two processes (two context switches, two wakeups and
 * four syscalls per round trip) and page faults (mmap, write one byte per
 * page, munmap: one rss_stat event per page). Each is timed in CPU time
 * (user + system of its processes, where hooks are charged), which other
 * load on the host barely moves, unlike wall time. Prints the median and
 * the spread of each, and with kernel.bpf_stats_enabled the mean cost of
 * each BPF program.
 *
 *   hooks [ROUNDS]               the two workloads
 *   hooks hold PROBES SELECTOR   open the profiler with the LOADER_PROBE_* bits
 *                                PROBES on role db=SELECTOR, print "ready",
 *                                hold it until SIGINT or SIGTERM (for
 *                                tests/bench/pg_probes.sh)
 * Root only; build with tests/bench/hooks.sh. */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "loader.h"

#define PINGPONG_TRIPS 100000
#define FAULT_MIB 64
#define FAULT_REPEATS 8
#define MAX_ROUNDS 64

enum config { OFF, SYSCALLS, SCHED, RSS, ALL, OTHER, NCONFIGS };
static const char *const config_names[NCONFIGS] = {
	"off", "syscalls", "+sched", "+rss", "all", "all/other",
};
static const uint32_t config_probes[NCONFIGS] = {
	0,
	LOADER_PROBE_SYSCALLS,
	LOADER_PROBE_SYSCALLS | LOADER_PROBE_SCHED,
	LOADER_PROBE_SYSCALLS | LOADER_PROBE_RSS,
	LOADER_PROBE_ALL,
	LOADER_PROBE_ALL,
};

/* CPU time (user + system) of this process and its reaped children, ns:
 * what the hooks add shows here whatever else the host runs meanwhile. */
static int64_t cpu_ns(void)
{
	struct rusage self, kids;
	int64_t ns = 0;

	if (getrusage(RUSAGE_SELF, &self) || getrusage(RUSAGE_CHILDREN, &kids))
		return 0;
	ns += ((int64_t)self.ru_utime.tv_sec + self.ru_stime.tv_sec + kids.ru_utime.tv_sec +
	       kids.ru_stime.tv_sec) * 1000000000LL;
	ns += ((int64_t)self.ru_utime.tv_usec + self.ru_stime.tv_usec + kids.ru_utime.tv_usec +
	       kids.ru_stime.tv_usec) * 1000LL;
	return ns;
}

/* Ping-pong between this process and a child, both on the last CPU so
 * every round trip is two switches there; CPU ns of both per round trip. */
static double pingpong(void)
{
	int a[2], b[2];
	char c = 0;
	int64_t t0;
	pid_t child;
	cpu_set_t cpus;

	CPU_ZERO(&cpus);
	CPU_SET((int)sysconf(_SC_NPROCESSORS_ONLN) - 1, &cpus);
	if (sched_setaffinity(0, sizeof(cpus), &cpus))
		return -1;
	if (pipe(a) || pipe(b))
		return -1;
	child = fork();
	if (child == 0) {
		for (int i = 0; i < PINGPONG_TRIPS; i++)
			if (read(a[0], &c, 1) != 1 || write(b[1], &c, 1) != 1)
				_exit(1);
		_exit(0);
	}
	t0 = cpu_ns();
	for (int i = 0; i < PINGPONG_TRIPS; i++)
		if (write(a[1], &c, 1) != 1 || read(b[0], &c, 1) != 1)
			break;
	waitpid(child, NULL, 0);
	t0 = cpu_ns() - t0;
	close(a[0]);
	close(a[1]);
	close(b[0]);
	close(b[1]);
	return (double)t0 / PINGPONG_TRIPS;
}

/* Fault in FAULT_MIB MiB page by page, FAULT_REPEATS times; CPU ns per page. */
static double faults(void)
{
	size_t len = (size_t)FAULT_MIB << 20, page = (size_t)sysconf(_SC_PAGESIZE);
	int64_t t0 = cpu_ns();

	for (int r = 0; r < FAULT_REPEATS; r++) {
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
			       0);

		if (p == MAP_FAILED)
			return -1;
		for (size_t off = 0; off < len; off += page)
			p[off] = 1;
		munmap(p, len);
	}
	return (double)(cpu_ns() - t0) / (double)(FAULT_REPEATS * (len / page));
}

/* A child that runs one workload when it reads a byte, writes its result
 * back, and exits: the profiler can be opened on it before it starts. */
struct worker {
	pid_t pid;
	int go, res;
};

static int worker_start(struct worker *w, double (*fn)(void))
{
	int in[2], out[2];

	if (pipe(in) || pipe(out))
		return -1;
	w->pid = fork();
	if (w->pid < 0)
		return -1;
	if (w->pid == 0) {
		char c;
		double v;

		close(in[1]);
		close(out[0]);
		if (read(in[0], &c, 1) != 1)
			_exit(0);
		v = fn();
		_exit(write(out[1], &v, sizeof(v)) == sizeof(v) ? 0 : 1);
	}
	close(in[0]);
	close(out[1]);
	w->go = in[1];
	w->res = out[0];
	return 0;
}

static double worker_run(struct worker *w)
{
	double v = -1;

	if (write(w->go, "g", 1) != 1 || read(w->res, &v, sizeof(v)) != sizeof(v))
		v = -1;
	close(w->go);
	close(w->res);
	waitpid(w->pid, NULL, 0);
	return v;
}

/* The highest BPF program id now, so ours are those above it. */
static __u32 last_prog_id(void)
{
	__u32 id = 0, next;

	while (!bpf_prog_get_next_id(id, &next))
		id = next;
	return id;
}

struct prog_stat {
	char name[BPF_OBJ_NAME_LEN];
	double ns_sum, cnt_sum;
};

static struct prog_stat pstats[64];
static size_t npstats;

/* Add the run counts and times of our programs (ids above first). */
static void collect_prog_stats(__u32 first)
{
	__u32 id = first, next;

	while (!bpf_prog_get_next_id(id, &next)) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		int fd = bpf_prog_get_fd_by_id(next);
		size_t k;

		id = next;
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) && !strncmp(info.name, "handle_", 7)) {
			for (k = 0; k < npstats && strcmp(pstats[k].name, info.name); k++)
				;
			if (k == npstats && npstats < 64)
				snprintf(pstats[npstats++].name, BPF_OBJ_NAME_LEN, "%s", info.name);
			if (k < 64) {
				pstats[k].ns_sum += (double)info.run_time_ns;
				pstats[k].cnt_sum += (double)info.run_cnt;
			}
		}
		close(fd);
	}
}

/* One run of fn under config c; the profiler is opened for it and closed
 * after, so the configs interleave cleanly. */
static double run_one(enum config c, double (*fn)(void), pid_t other)
{
	char sel[32], err[512];
	struct loader_target t = { "bench", sel };
	struct loader_opts o = { .probes = config_probes[c] };
	struct loader *l = NULL;
	struct worker w;
	__u32 first = 0;
	double v;

	if (worker_start(&w, fn))
		return -1;
	if (c != OFF) {
		snprintf(sel, sizeof(sel), "pid:%d", (int)(c == OTHER ? other : w.pid));
		first = last_prog_id();
		l = loader_open_opts(&t, 1, &o, err, sizeof(err));
		if (!l) {
			fprintf(stderr, "hooks: %s\n", err);
			kill(w.pid, SIGKILL);
			waitpid(w.pid, NULL, 0);
			return -1;
		}
	}
	v = worker_run(&w);
	if (l && c == ALL)
		collect_prog_stats(first);
	loader_destroy(l);
	return v;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void bench(const char *what, const char *unit, double (*fn)(void), int rounds, pid_t other)
{
	double v[NCONFIGS][MAX_ROUNDS], med[NCONFIGS];

	for (int r = 0; r < rounds; r++)
		for (int k = 0; k < NCONFIGS; k++) {
			/* Rotate the order each round so drift hits all alike. */
			enum config c = (enum config)((k + r) % NCONFIGS);

			v[c][r] = run_one(c, fn, other);
		}
	printf("%s, %d interleaved rounds (%s):\n", what, rounds, unit);
	for (int c = 0; c < NCONFIGS; c++) {
		qsort(v[c], (size_t)rounds, sizeof(double), cmp_double);
		med[c] = v[c][rounds / 2];
	}
	for (int c = 0; c < NCONFIGS; c++) {
		printf("  %-10s median %8.1f  min %8.1f  max %8.1f  (x%.3f of off, %+7.1f vs "
		       "syscalls)\n",
		       config_names[c], med[c], v[c][0], v[c][rounds - 1], med[c] / med[OFF],
		       med[c] - med[SYSCALLS]);
	}
}

static volatile sig_atomic_t held;

static void on_stop(int sig)
{
	(void)sig;
	held = 1;
}

static void count_query(void *ctx, const struct loader_query *q)
{
	(void)q;
	++*(uint64_t *)ctx;
}

static int hold(uint32_t probes, const char *selector)
{
	uint64_t queries = 0;
	struct loader_target t = { "db", selector };
	struct loader_opts o = { .probes = probes };
	struct loader_window w;
	char err[512];
	struct loader *l;

	signal(SIGINT, on_stop);
	signal(SIGTERM, on_stop);
	l = loader_open_opts(&t, 1, &o, err, sizeof(err));
	if (!l) {
		fprintf(stderr, "hooks: %s\n", err);
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	/* Drain queries and read windows as loadlens does, once a second. */
	for (int i = 0; !held; i++) {
		loader_poll(l, 100, count_query, &queries);
		if (i % 10 == 9)
			loader_read_window(l, &w);
	}
	loader_destroy(l);
	printf("queries %llu\n", (unsigned long long)queries);
	return 0;
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 9;
	FILE *f = fopen("/proc/sys/kernel/bpf_stats_enabled", "re");
	int stats = f && fgetc(f) == '1';
	struct worker idle;

	if (f)
		fclose(f);
	if (geteuid() != 0) {
		fprintf(stderr, "hooks: needs root to load the profiler\n");
		return 77;
	}
	if (argc == 4 && !strcmp(argv[1], "hold"))
		return hold((uint32_t)strtoul(argv[2], NULL, 0), argv[3]);
	if (rounds < 1 || rounds > MAX_ROUNDS)
		rounds = 9;
	/* The "other" target: a process that sleeps in read() throughout. */
	if (worker_start(&idle, pingpong))
		return 1;
	bench("pipe ping-pong", "CPU ns per round trip: 2 switches, 2 wakeups, 4 syscalls",
	      pingpong, rounds, idle.pid);
	bench("page faults", "CPU ns per page: mmap, first write, munmap", faults, rounds,
	      idle.pid);
	close(idle.go);
	close(idle.res);
	waitpid(idle.pid, NULL, 0);
	if (stats && npstats) {
		printf("BPF programs while tracked (kernel.bpf_stats_enabled=1), mean per run:\n");
		for (size_t k = 0; k < npstats; k++)
			if (pstats[k].cnt_sum > 0)
				printf("  %-28s %7.0f ns  (%.0f runs)\n", pstats[k].name,
				       pstats[k].ns_sum / pstats[k].cnt_sum, pstats[k].cnt_sum);
	}
	return 0;
}
