/* SPDX-License-Identifier: GPL-2.0-only */
/* The live progress display: one line rewritten in place on a terminal,
 * plain lines every few seconds otherwise so logs stay small. */
#ifndef USER_PROGRESS_H
#define USER_PROGRESS_H

#include <stdio.h>

#include "engine.h"
#include "results.h"

struct progress {
	FILE *out;
	int tty;          /* rewrite one line with \r */
	int interval_s;   /* seconds between plain lines when not a tty */
	int64_t last_s;   /* elapsed second of the last plain line */
	int shown;        /* a tty line is on screen and needs a newline */
};

/* Set up for out; interval_s applies when out is not a terminal. */
void progress_init(struct progress *p, FILE *out, int interval_s);

/* Show the state after window w (the last closed second). */
void progress_update(struct progress *p, const struct engine_live *live,
		     const struct client_window *w);

/* End the live line so later output starts on a fresh line. */
void progress_finish(struct progress *p);

#endif
