/* SPDX-License-Identifier: GPL-2.0-only */
/* A process with known CPU and memory behaviour for the loader tests.
 *
 *   workload spin THREADS MS   THREADS threads each spin on the CPU for MS ms
 *                              of wall time, then the main thread joins them
 *   workload alloc MIB         allocate MIB MiB with mmap and write every page
 *
 * Each waits for one byte on stdin first (so the test can attach), does its
 * phase, prints one line of its own measurements on stdout, then waits for
 * another byte or EOF before it exits (so the test can read what it holds).
 * spin prints "cpu_ns N wall_ns N": the process's CPU time over the phase
 * (CLOCK_PROCESS_CPUTIME_ID) and the phase's wall time (CLOCK_MONOTONIC).
 * alloc prints "touched_bytes N". EOF instead of the first byte: exit at once. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define WORKLOAD_MAX_THREADS 64

static long long clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Wait for one byte on stdin: 1 got it, 0 EOF or error. */
static int wait_byte(void)
{
	ssize_t got;
	char c;

	do
		got = read(0, &c, 1);
	while (got < 0 && errno == EINTR);
	return got == 1;
}

static void *spin(void *arg)
{
	long long until = *(const long long *)arg;
	volatile unsigned long x = 0;

	while (clock_ns(CLOCK_MONOTONIC) < until)
		for (int i = 0; i < 1000; i++)
			x += (unsigned long)i;
	return NULL;
}

static int do_spin(long nthreads, long ms)
{
	pthread_t tids[WORKLOAD_MAX_THREADS];
	long long cpu0, wall0, until;
	long started = 0;
	int err = 0;

	cpu0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	wall0 = clock_ns(CLOCK_MONOTONIC);
	until = wall0 + ms * 1000000LL;
	for (; started < nthreads; started++) {
		err = pthread_create(&tids[started], NULL, spin, &until);
		if (err)
			break;
	}
	for (long i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	if (err) {
		fprintf(stderr, "workload: pthread_create: %s\n", strerror(err));
		return 1;
	}
	printf("cpu_ns %lld wall_ns %lld\n", clock_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu0,
	       clock_ns(CLOCK_MONOTONIC) - wall0);
	return fflush(stdout) ? 1 : 0;
}

static int do_alloc(long mib)
{
	size_t len = (size_t)mib << 20;
	long page = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("workload: mmap");
		return 1;
	}
	/* A non-zero byte per page: each page is faulted in as its own anon page. */
	for (size_t off = 0; off < len; off += (size_t)page)
		p[off] = 1;
	printf("touched_bytes %zu\n", len);
	return fflush(stdout) ? 1 : 0;
}

int main(int argc, char **argv)
{
	long a, b = 0;
	int rc;

	if (argc < 3 || (a = atol(argv[2])) <= 0 ||
	    (!strcmp(argv[1], "spin") && (argc < 4 || (b = atol(argv[3])) <= 0 ||
					  a > WORKLOAD_MAX_THREADS)) ||
	    (strcmp(argv[1], "spin") && strcmp(argv[1], "alloc"))) {
		fprintf(stderr, "usage: workload spin THREADS MS | workload alloc MIB\n");
		return 2;
	}
	if (!wait_byte())
		return 0;
	rc = !strcmp(argv[1], "spin") ? do_spin(a, b) : do_alloc(a);
	wait_byte();
	return rc;
}
