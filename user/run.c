/* SPDX-License-Identifier: GPL-2.0-only */
/* `loadlens run`: the one place where the scenario, the engine, the profiler
 * and the report meet. Everything that can fail on the user's input is
 * checked before the first request is sent; after that, Ctrl-C or a failure
 * still writes every result gathered. */
#include "run.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "engine.h"
#include "hist.h"
#include "output.h"
#include "profile.h"
#include "progress.h"
#include "report.h"
#include "results.h"
#include "scenario.h"
#include "threshold.h"

#define NS_PER_S 1000000000LL

static volatile sig_atomic_t interrupts;

static void on_signal(int sig)
{
	(void)sig;
	interrupts++;
}

/* wall - monotonic, taken once when the run starts */
static int64_t wall_offset_ns;

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

/* Wall-clock time carried by the monotonic clock: windows keep their
 * one-second pace and their stamps even if the wall clock is stepped
 * during the run. */
static int64_t run_now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC) + wall_offset_ns;
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
	/* the name comes from the scenario file: keep it one plain folder name */
	for (char *p = buf + strlen("results/"); *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' && *p != '.')
			*p = '_';
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

/* Close the window of second t_s on both sides, fold it into the live
 * threshold figures and show progress. */
static int close_window(struct engine *e, struct profile *prof, struct windows *w,
			struct progress *pr, struct threshold_set *ths, int64_t t_s)
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
	threshold_live_add(ths, &cw);
	err = windows_push(w, &cw, &sw);
	if (err)
		fprintf(stderr, "loadlens: keeping the per-second figures failed: %s\n",
			strerror(-err));
	return err;
}

/* Check the abortOnFail thresholds after a closed window; when one has
 * failed, stop gracefully and say why. Returns 1 when it stopped the run. */
static int check_abort(struct engine *e, struct threshold_set *ths, struct progress *pr,
		       int64_t elapsed_ms)
{
	char buf[64];
	double v;
	int bound, i;

	if (!threshold_count_abort(ths))
		return 0;
	i = threshold_live_check(ths, elapsed_ms, &v, &bound);
	if (i < 0)
		return 0;
	engine_stop(e, 1);
	progress_finish(pr);
	threshold_format(buf, sizeof(buf), v, threshold_unit(ths, (size_t)i));
	fprintf(stderr,
		"loadlens: threshold %s: %s failed after %.1f s (%s%s); stopping: letting "
		"iterations finish (abortOnFail)\n",
		threshold_metric(ths, (size_t)i), threshold_expression(ths, (size_t)i),
		(double)elapsed_ms / 1000.0,
		bound ? "the per-second figures show it crossed " : "observed ", buf);
	return 1;
}

/* Drive the run until the engine is done, one window per wall second,
 * stopping early when an abortOnFail threshold fails (*aborted = 1).
 * Returns 0 or the first error; the engine is stopped either way. */
static int drive(struct engine *e, struct profile *prof, struct windows *w,
		 struct progress *pr, struct threshold_set *ths, int64_t start_ns, int *aborted)
{
	int64_t next_s = run_now_ns() / NS_PER_S + 1;
	int seen_interrupts = 0;
	int err;

	for (;;) {
		int64_t now = run_now_ns();

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
			return close_window(e, prof, w, pr, ths, now / NS_PER_S);
		}
		if (now >= next_s * NS_PER_S) {
			err = close_window(e, prof, w, pr, ths, next_s - 1);
			if (err) {
				engine_stop(e, 0);
				return err;
			}
			if (!*aborted && check_abort(e, ths, pr, (now - start_ns) / 1000000))
				*aborted = 1;
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
	free(r->thresholds);
}

/* A run in which nothing succeeded is almost always a wrong URL or a dead
 * target: say so on stderr rather than leave it to the report. */
static void warn_if_nothing_succeeded(const struct client_totals *t, const char *base_url)
{
	uint64_t count = 0, errors = 0;

	for (size_t i = 0; i < t->nreqs; i++) {
		count += t->reqs[i].count;
		errors += t->reqs[i].errors;
	}
	if (count == 0)
		fprintf(stderr, "loadlens: no request finished during the run\n");
	else if (errors == count)
		fprintf(stderr,
			"loadlens: every request failed (%llu of %llu): is the target up at %s? "
			"(set BASE_URL to point the scenario elsewhere)\n",
			(unsigned long long)errors, (unsigned long long)count,
			base_url ? base_url : "the scenario's URLs");
}

/* Evaluate the thresholds on the whole run into r. Returns how many failed,
 * or -errno (logged). */
static int evaluate_thresholds(const struct threshold_set *ths, struct run_result *r)
{
	size_t n = threshold_count(ths);
	int failed;

	if (n == 0)
		return 0;
	r->thresholds = calloc(n, sizeof(*r->thresholds));
	if (!r->thresholds) {
		fprintf(stderr, "loadlens: cannot evaluate the thresholds: %s\n", strerror(ENOMEM));
		return -ENOMEM;
	}
	failed = threshold_evaluate(ths, r, r->thresholds);
	if (failed < 0) {
		fprintf(stderr, "loadlens: cannot evaluate the thresholds: %s\n", strerror(-failed));
		free(r->thresholds);
		r->thresholds = NULL;
		return failed;
	}
	r->nthresholds = n;
	return failed;
}

/* "Thresholds: 3 of 4 passed" on stdout, and each failing one on stderr
 * with its observed value. */
static void print_thresholds(const struct run_result *r, int failed)
{
	char buf[64];

	if (r->nthresholds == 0)
		return;
	printf("Thresholds: %zu of %zu passed\n", r->nthresholds - (size_t)failed, r->nthresholds);
	if (failed == 0)
		return;
	fflush(stdout);
	fprintf(stderr, "loadlens: %d threshold%s failed:\n", failed, failed == 1 ? "" : "s");
	for (size_t i = 0; i < r->nthresholds; i++) {
		const struct threshold_result *t = &r->thresholds[i];

		if (t->ok)
			continue;
		fprintf(stderr, "  %s: %s: observed %s", t->metric, t->expression,
			threshold_format(buf, sizeof(buf), t->observed, t->unit));
		if (t->aborted)
			fprintf(stderr, " (failed after %.1f s and stopped the run)",
				(double)t->aborted_at_ms / 1000.0);
		fprintf(stderr, "\n");
	}
}

int run_execute(const struct run_opts *o)
{
	struct scenario *sc = NULL;
	struct threshold_set *ths = NULL;
	struct profile *prof = NULL;
	struct engine *eng = NULL;
	struct windows w = { 0 };
	struct engine_opts eo = { .threads = o->threads, .request_timeout_ms = o->timeout_ms };
	struct run_result res;
	struct progress pr;
	char err[1024] = "";
	char dir[4096];
	int rc = 1, drive_err, jerr, perr = 0, e, aborted = 0, failed;

	memset(&res, 0, sizeof(res));
	wall_offset_ns = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC);
	sc = scen_load(o->scenario_path, err, sizeof(err));
	if (!sc) {
		fprintf(stderr, "loadlens: %s\n", err);
		return 1;
	}
	ths = threshold_parse(sc->thresholds, sc->path, err, sizeof(err));
	if (!ths) {
		fprintf(stderr, "loadlens: %s\n", err);
		goto cleanup;
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

	fprintf(stderr, "loadlens: running %s against %s for %llds%s; results in %s\n", sc->name,
	       sc->base_url ? sc->base_url : "(absolute URLs)",
	       (long long)(sc->total_ms / 1000), prof ? ", profiling the server" : "", dir);
	progress_init(&pr, stderr, o->progress_interval_s);
	res.start_wall_ns = run_now_ns();
	e = engine_start(eng);
	if (e) {
		fprintf(stderr, "loadlens: cannot start the load engine: %s\n", strerror(-e));
		goto cleanup;
	}
	drive_err = drive(eng, prof, &w, &pr, ths, res.start_wall_ns, &aborted);
	progress_finish(&pr);
	res.end_wall_ns = run_now_ns();

	jerr = engine_join(eng, &res.client);
	if (jerr)
		fprintf(stderr, "loadlens: collecting client results failed: %s\n", strerror(-jerr));
	else
		warn_if_nothing_succeeded(&res.client, sc->base_url);
	/* The engine calls any early stop an interruption; the results keep
	 * that word for Ctrl-C, and a threshold's stop is its own record. */
	res.client.interrupted = interrupts || (res.client.interrupted && !aborted);
	if (prof) {
		perr = profile_finish(prof, &res.server, w.s, w.n);
		if (perr)
			fprintf(stderr, "loadlens: collecting server results failed: %s\n",
				strerror(-perr));
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
	failed = evaluate_thresholds(ths, &res);

	/* report.md and summary.json first: they matter most if the disk fills. */
	e = report_write(&res, dir);
	if (!e)
		e = output_write(&res, dir);
	if (e == 0) {
		printf("\nFindings:\n");
		report_print_findings(&res, stdout, 3);
		printf("\n");
		print_thresholds(&res, failed > 0 ? failed : 0);
		printf("Report: %s/report.md (and report.html)\nSummary: %s/summary.json\n", dir, dir);
		rc = drive_err || jerr || perr || failed < 0 ? 1 : failed > 0 ? 99 : 0;
	} else {
		print_thresholds(&res, failed > 0 ? failed : 0);
	}
	free_result(&res);

cleanup:
	engine_free(eng);
	profile_free(prof);
	threshold_free(ths);
	scen_free(sc);
	free(w.c);
	free(w.s);
	return rc;
}
