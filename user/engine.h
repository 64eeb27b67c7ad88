/* SPDX-License-Identifier: GPL-2.0-only */
/* The load engine: one worker thread per core, each driving a libcurl multi
 * handle from epoll, with virtual users as small state machines on a timer
 * heap. The caller's thread stays free to tick windows and poll the profiler. */
#ifndef USER_ENGINE_H
#define USER_ENGINE_H

#include <stdint.h>

#include "results.h"
#include "scenario.h"

struct engine_opts {
	unsigned threads;          /* 0: one per online core */
	int64_t request_timeout_ms;/* 0: 60 s; enforced, counted as an error */
};

struct engine;

/* Prepare an engine for sc (which must outlive it). NULL with errno set and
 * a message in err. No thread runs and no request is sent yet. */
struct engine *engine_new(const struct scenario *sc, const struct engine_opts *opts,
			  char *err, size_t errlen);

/* Start the worker threads; time 0 of the scenario is now. 0 or -errno. */
int engine_start(struct engine *e);

/* Ask the workers to stop. graceful: VUs finish their current iteration
 * (bounded by each exec's gracefulStop); otherwise in-flight requests are
 * abandoned and not counted as successes. Safe to call more than once. */
void engine_stop(struct engine *e, int graceful);

/* 1 when every worker has finished (scenario over or stopped). */
int engine_finished(struct engine *e);

/* Close the current window: fill w with the figures of requests that
 * finished since the previous call, stamped t_s, and start a new one.
 * Call once per wall-clock second from one thread. */
void engine_take_window(struct engine *e, int64_t t_s, struct client_window *w);

/* Live figures for the progress line. */
struct engine_live {
	int64_t elapsed_ms, total_ms;
	uint32_t vus;
	uint64_t requests, errors;
};
void engine_live(struct engine *e, struct engine_live *out);

/* Join the workers and merge their figures into out (caller owns it; free
 * with engine_totals_free). 0 or -errno. */
int engine_join(struct engine *e, struct client_totals *out);

void engine_totals_free(struct client_totals *t);

/* Free the engine. Accepts NULL. Joins workers if still running. */
void engine_free(struct engine *e);

#endif
