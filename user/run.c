/* SPDX-License-Identifier: GPL-2.0-only */
/* `loadlens run`: the one place where the scenario, the engine, the profiler
 * and the report meet. Everything that can fail on the user's input is
 * checked before the first request is sent; after that, Ctrl-C or a failure
 * still writes every result gathered. */
#include "run.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "engine.h"
#include "hist.h"
#include "profile.h"
#include "progress.h"
#include "report.h"
#include "results.h"
#include "scenario.h"

#define NS_PER_S 1000000000LL

static volatile sig_atomic_t interrupts;

static void on_signal(int sig)
{
	(void)sig;
	interrupts++;
}

static int64_t wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

static int install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL))
		return -errno;
	return 0;
}

/* mkdir -p for the run folder; 0 or -errno. */
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

static int default_out_dir(char *buf, size_t len, const char *name)
{
	time_t now = time(NULL);
	struct tm tm;
	char stamp[32];

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	if ((size_t)snprintf(buf, len, "results/%s-%s", stamp, name) >= len)
		return -ENAMETOOLONG;
	return 0;
}

/* Growable arrays of per-second windows. */
struct windows {
	struct client_window *c;
	struct server_window *s;
	size_t n, cap;
};

static int windows_push(struct windows *w, const struct client_window *cw,
			const struct server_window *sw)
{
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 128;
		struct client_window *c = realloc(w->c, cap * sizeof(*c));

		if (!c)
			return -ENOMEM;
		w->c = c;
		struct server_window *s = realloc(w->s, cap * sizeof(*s));

		if (!s)
			return -ENOMEM;
		w->s = s;
		w->cap = cap;
	}
	w->c[w->n] = *cw;
	w->s[w->n] = *sw;
	w->n++;
	return 0;
}

/* Close the window of second t_s on both sides and show progress. */
static int close_window(struct engine *e, struct profile *prof, struct windows *w,
			struct progress *pr, int64_t t_s)
{
	struct client_window cw;
	struct server_window sw;
	struct engine_live live;
	int err;

	memset(&sw, 0, sizeof(sw));
	sw.t_s = t_s;
	engine_take_window(e, t_s, &cw);
	if (prof) {
		err = profile_poll(prof, 0);
		if (!err)
			err = profile_tick(prof, t_s, &sw);
		if (err) {
			fprintf(stderr, "loadlens: reading the profiler failed: %s\n", strerror(-err));
			return err;
		}
	}
	engine_live(e, &live);
	progress_update(pr, &live, &cw);
	return windows_push(w, &cw, &sw);
}

/* Drive the run until the engine is done, one window per wall second.
 * Returns 0 or the first error; the engine is stopped either way. */
static int drive(struct engine *e, struct profile *prof, struct windows *w,
		 struct progress *pr)
{
	int64_t next_s = wall_ns() / NS_PER_S + 1;
	int seen_interrupts = 0;
	int err;

	for (;;) {
		int64_t now = wall_ns();

		if (interrupts != seen_interrupts) {
			seen_interrupts = interrupts;
			engine_stop(e, seen_interrupts == 1);
			progress_finish(pr);
			fprintf(stderr, seen_interrupts == 1
				? "loadlens: stopping: letting iterations finish (Ctrl-C again to stop now)\n"
				: "loadlens: stopping now\n");
		}
		if (engine_finished(e)) {
			/* the last, partial second */
			return close_window(e, prof, w, pr, now / NS_PER_S);
		}
		if (now >= next_s * NS_PER_S) {
			err = close_window(e, prof, w, pr, next_s - 1);
			if (err) {
				engine_stop(e, 0);
				return err;
			}
			next_s++;
			continue;
		}
		int64_t wait_ms = (next_s * NS_PER_S - now) / 1000000 + 1;

		if (wait_ms > 100)
			wait_ms = 100;
		if (prof) {
			err = profile_poll(prof, (int)wait_ms);
			if (err && err != -EINTR) {
				fprintf(stderr, "loadlens: reading the profiler failed: %s\n",
					strerror(-err));
				engine_stop(e, 0);
				return err;
			}
		} else {
			struct timespec ts = { 0, wait_ms * 1000000 };

			nanosleep(&ts, NULL);
		}
	}
}

static void free_result(struct run_result *r)
{
	engine_totals_free(&r->client);
	profile_totals_free(&r->server);
}

int run_execute(const struct run_opts *o)
{
	struct scenario *sc = NULL;
	struct profile *prof = NULL;
	struct engine *eng = NULL;
	struct windows w = { 0 };
	struct engine_opts eo = { .threads = o->threads, .request_timeout_ms = o->timeout_ms };
	struct run_result res;
	struct progress pr;
	char err[1024] = "";
	char dir[4096];
	int rc = 1, drive_err, jerr, e;

	memset(&res, 0, sizeof(res));
	sc = scen_load(o->scenario_path, err, sizeof(err));
	if (!sc) {
		fprintf(stderr, "loadlens: %s\n", err);
		return 1;
	}
	if (o->nprofiles) {
		prof = profile_open(o->profiles, o->nprofiles, err, sizeof(err));
		if (!prof) {
			fprintf(stderr, "loadlens: %s\n", err);
			goto cleanup;
		}
	}
	if (o->out_dir) {
		snprintf(dir, sizeof(dir), "%s", o->out_dir);
	} else if (default_out_dir(dir, sizeof(dir), sc->name)) {
		fprintf(stderr, "loadlens: scenario name too long for a folder name\n");
		goto cleanup;
	}
	e = make_dirs(dir);
	if (e) {
		fprintf(stderr, "loadlens: cannot create the run folder %s: %s (choose another with -o DIR)\n",
			dir, strerror(-e));
		goto cleanup;
	}
	eng = engine_new(sc, &eo, err, sizeof(err));
	if (!eng) {
		fprintf(stderr, "loadlens: %s\n", err);
		goto cleanup;
	}
	if (install_signals()) {
		fprintf(stderr, "loadlens: cannot install signal handlers: %s\n", strerror(errno));
		goto cleanup;
	}

	printf("loadlens: running %s against %s for %llds%s; results in %s\n", sc->name,
	       sc->base_url ? sc->base_url : "(absolute URLs)",
	       (long long)(sc->total_ms / 1000), prof ? ", profiling the server" : "", dir);
	fflush(stdout);
	progress_init(&pr, stdout, o->progress_interval_s);
	res.start_wall_ns = wall_ns();
	e = engine_start(eng);
	if (e) {
		fprintf(stderr, "loadlens: cannot start the load engine: %s\n", strerror(-e));
		goto cleanup;
	}
	drive_err = drive(eng, prof, &w, &pr);
	progress_finish(&pr);
	res.end_wall_ns = wall_ns();

	jerr = engine_join(eng, &res.client);
	if (jerr)
		fprintf(stderr, "loadlens: collecting client results failed: %s\n", strerror(-jerr));
	if (interrupts)
		res.client.interrupted = 1;
	if (prof) {
		e = profile_finish(prof, &res.server, w.s, w.n);
		if (e)
			fprintf(stderr, "loadlens: collecting server results failed: %s\n",
				strerror(-e));
		else
			res.profiled = 1;
	}
	res.scenario_name = sc->name;
	res.scenario_path = sc->path;
	res.base_url = sc->base_url;
	res.cwin = w.c;
	res.ncwin = w.n;
	res.swin = w.s;
	res.nswin = prof ? w.n : 0;

	if (report_write(&res, dir) == 0) {
		printf("\nFindings:\n");
		report_print_findings(&res, stdout, 3);
		printf("\nReport: %s/report.md\nSummary: %s/summary.json\n", dir, dir);
		rc = drive_err || jerr ? 1 : 0;
	}
	free_result(&res);

cleanup:
	engine_free(eng);
	profile_free(prof);
	scen_free(sc);
	free(w.c);
	free(w.s);
	return rc;
}
