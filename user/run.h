/* SPDX-License-Identifier: GPL-2.0-only */
/* `loadlens run`: load a scenario, open the profiler, drive the load while
 * closing one client and one server window per wall-clock second, then
 * write the run folder. */
#ifndef USER_RUN_H
#define USER_RUN_H

#include <stddef.h>
#include <stdint.h>

struct run_opts {
	const char *scenario_path;
	const char *out_dir;     /* NULL: results/<time>-<scenario> */
	char **profiles;         /* ROLE=SELECTOR specs */
	size_t nprofiles;
	unsigned threads;        /* 0: one per core */
	int64_t timeout_ms;      /* per request; 0: 60 s */
	int progress_interval_s; /* plain progress lines when stdout is not a tty */
};

/* Run it. Returns the process exit code: 0 done, 1 failure (message on
 * stderr; results gathered so far are still written when possible), 99
 * when a threshold failed (listed on stderr), as k6 does. */
int run_execute(const struct run_opts *o);

#endif
