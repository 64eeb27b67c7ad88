/* SPDX-License-Identifier: GPL-2.0-only */
/* `loadlens profile`: the profiler without a load of its own. Opens the
 * loader on the targets, closes one server window per wall-clock second
 * until the duration ends or Ctrl-C, and hands the windows to the report
 * writer as a run with no client side. */
#include "watch.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "profile.h"
#include "report.h"
#include "results.h"

#define NS_PER_S 1000000000LL

static volatile sig_atomic_t watch_stop;

static void on_signal(int sig)
{
	(void)sig;
	watch_stop = 1;
}

static int64_t clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

/* mkdir -p; 0 or -errno. */
static int make_dirs(const char *path)
{
	char buf[4096];
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

struct watch_windows {
	struct server_window *s;
	size_t n, cap;
};

static int windows_push(struct watch_windows *w, const struct server_window *sw)
{
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 128;
		struct server_window *s = realloc(w->s, cap * sizeof(*s));

		if (!s)
			return -ENOMEM;
		w->s = s;
		w->cap = cap;
	}
	w->s[w->n++] = *sw;
	return 0;
}

static int close_window(struct profile *prof, struct watch_windows *w, int64_t t_s)
{
	struct server_window sw;
	int err = profile_poll(prof, 0);

	if (!err)
		err = profile_tick(prof, t_s, &sw);
	if (!err)
		err = windows_push(w, &sw);
	if (err)
		fprintf(stderr, "loadlens: reading the profiler failed: %s\n", strerror(-err));
	return err;
}

/* One window per wall second until end_mono_ns (0: none) or a signal; the
 * last, partial second too. Intervals on CLOCK_MONOTONIC, window stamps on
 * the wall clock. 0 or the first error. */
static int watch_loop(struct profile *prof, struct watch_windows *w, int64_t end_mono_ns)
{
	int64_t next_s = clock_ns(CLOCK_REALTIME) / NS_PER_S + 1;

	for (;;) {
		int64_t now = clock_ns(CLOCK_REALTIME), wait_ms;
		int err;

		if (watch_stop || (end_mono_ns && clock_ns(CLOCK_MONOTONIC) >= end_mono_ns))
			return close_window(prof, w, now / NS_PER_S);
		if (now >= next_s * NS_PER_S) {
			err = close_window(prof, w, next_s - 1);
			if (err)
				return err;
			next_s++;
			continue;
		}
		wait_ms = (next_s * NS_PER_S - now) / 1000000 + 1;
		if (end_mono_ns) {
			int64_t left_ms = (end_mono_ns - clock_ns(CLOCK_MONOTONIC)) / 1000000 + 1;

			if (left_ms < wait_ms)
				wait_ms = left_ms;
		}
		if (wait_ms > 100)
			wait_ms = 100;
		err = profile_poll(prof, (int)wait_ms);
		if (err && err != -EINTR) {
			fprintf(stderr, "loadlens: reading the profiler failed: %s\n",
				strerror(-err));
			return err;
		}
	}
}

int watch_execute(const struct watch_opts *o)
{
	struct run_result res;
	struct watch_windows w = { 0 };
	struct profile *prof = NULL;
	struct sigaction sa;
	char err[1024] = "", dir[4096];
	int64_t end_mono_ns = 0;
	int rc = 1, loop_err, e;

	memset(&res, 0, sizeof(res));
	prof = profile_open_level(o->profiles, o->nprofiles,
				  o->full ? PROFILE_LEVEL_FULL : PROFILE_LEVEL_LIGHT, err,
				  sizeof(err));
	if (!prof) {
		fprintf(stderr, "loadlens: %s\n", err);
		return 1;
	}
	if (o->out_dir) {
		snprintf(dir, sizeof(dir), "%s", o->out_dir);
	} else {
		time_t now = time(NULL);
		struct tm tm;
		char stamp[32];

		gmtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
		snprintf(dir, sizeof(dir), "results/%s-profile", stamp);
	}
	e = make_dirs(dir);
	if (e) {
		fprintf(stderr,
			"loadlens: cannot create the run folder %s: %s (choose another with "
			"-o DIR)\n",
			dir, strerror(-e));
		goto cleanup;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL)) {
		fprintf(stderr, "loadlens: cannot install signal handlers: %s\n", strerror(errno));
		goto cleanup;
	}

	if (o->duration_ms > 0) {
		printf("loadlens: profiling for %llds (Ctrl-C stops early); results in %s\n",
		       (long long)((o->duration_ms + 999) / 1000), dir);
		end_mono_ns = clock_ns(CLOCK_MONOTONIC) + o->duration_ms * 1000000LL;
	} else {
		printf("loadlens: profiling until Ctrl-C; results in %s\n", dir);
	}
	fflush(stdout);
	res.start_wall_ns = clock_ns(CLOCK_REALTIME);
	loop_err = watch_loop(prof, &w, end_mono_ns);
	res.end_wall_ns = clock_ns(CLOCK_REALTIME);

	e = profile_finish(prof, &res.server, w.s, w.n);
	if (e) {
		fprintf(stderr, "loadlens: collecting server results failed: %s\n", strerror(-e));
		goto cleanup;
	}
	res.profiled = 1;
	res.server.standalone = 1;
	res.client.interrupted = watch_stop;
	res.swin = w.s;
	res.nswin = w.n;
	if (report_write(&res, dir) == 0) {
		printf("\nFindings:\n");
		report_print_findings(&res, stdout, 3);
		printf("\nReport: %s/report.md (and report.html)\nSummary: %s/summary.json\n", dir, dir);
		rc = loop_err ? 1 : 0;
	}
	profile_totals_free(&res.server);

cleanup:
	profile_free(prof);
	free(w.s);
	return rc;
}
