/* SPDX-License-Identifier: GPL-2.0-only */
/* A process with known syscall behaviour for the loader test. "sleeper N MS
 * [listen]" waits for one byte on stdin (so the test can attach first), then
 * makes N nanosleep(MS ms) calls and N dup(-1) calls that fail with EBADF,
 * forks a child that makes N more nanosleep(MS ms) calls, waits for it and
 * exits. Each process prints the duration of each of its sleeps in ns, as
 * its own CLOCK_MONOTONIC measured it, one per line on stdout, after its
 * sleeps. With "listen" it first listens on a free loopback TCP port and
 * prints the port on stdout. EOF on stdin instead of a byte: exit at once. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* n sleeps of ms, then their durations on stdout. */
static int sleep_n(long n, long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	long long *dur = calloc((size_t)n + 1, sizeof(*dur));

	if (!dur)
		return -ENOMEM;
	for (long i = 0; i < n; i++) {
		long long t0 = mono_ns();

		if (nanosleep(&ts, NULL)) {
			free(dur);
			return -errno;
		}
		dur[i] = mono_ns() - t0;
	}
	for (long i = 0; i < n; i++)
		printf("%lld\n", dur[i]);
	free(dur);
	return fflush(stdout) ? -EIO : 0;
}

static int listen_loopback(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 1) ||
	    getsockname(fd, (struct sockaddr *)&a, &alen)) {
		perror("sleeper: listen");
		return -1;
	}
	printf("%d\n", ntohs(a.sin_port));
	fflush(stdout);
	return fd;
}

int main(int argc, char **argv)
{
	long n, ms;
	pid_t child;
	int status;
	char go;
	ssize_t got;

	if (argc < 3 || (n = atol(argv[1])) < 0 || (ms = atol(argv[2])) < 0) {
		fprintf(stderr, "usage: sleeper N MS [listen]\n");
		return 2;
	}
	if (argc > 3 && !strcmp(argv[3], "listen") && listen_loopback() < 0)
		return 1;
	do
		got = read(0, &go, 1);
	while (got < 0 && errno == EINTR);
	if (got <= 0)
		return 0;

	if (sleep_n(n, ms))
		return 1;
	for (long i = 0; i < n; i++)
		if (dup(-1) != -1 || errno != EBADF)
			return 1;
	child = fork();
	if (child < 0) {
		perror("sleeper: fork");
		return 1;
	}
	if (child == 0)
		_exit(sleep_n(n, ms) ? 1 : 0);
	if (waitpid(child, &status, 0) != child)
		return 1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
