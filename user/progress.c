/* SPDX-License-Identifier: GPL-2.0-only */
/* The live progress display: elapsed/total, VUs, requests per second, p95
 * of the last second and errors so far. */
#include "progress.h"

#include <unistd.h>

void progress_init(struct progress *p, FILE *out, int interval_s)
{
	p->out = out;
	p->tty = isatty(fileno(out));
	p->interval_s = interval_s > 0 ? interval_s : 10;
	p->last_s = 0;
	p->shown = 0;
}

static void format_line(char *buf, size_t len, const struct engine_live *live,
			const struct client_window *w)
{
	double err_pct = live->requests ? 100.0 * (double)live->errors / (double)live->requests : 0;

	snprintf(buf, len,
		 "%4lds/%lds  VUs %-5u  %7.1f req/s  p95 %8.2f ms  errors %llu (%.2f%%)",
		 (long)(live->elapsed_ms / 1000), (long)(live->total_ms / 1000), live->vus,
		 (double)w->requests, (double)w->p95_us / 1000.0,
		 (unsigned long long)live->errors, err_pct);
}

void progress_update(struct progress *p, const struct engine_live *live,
		     const struct client_window *w)
{
	char line[160];
	int64_t elapsed_s = live->elapsed_ms / 1000;

	format_line(line, sizeof(line), live, w);
	if (p->tty) {
		fprintf(p->out, "\r\033[K%s", line);
		p->shown = 1;
	} else if (elapsed_s - p->last_s >= p->interval_s) {
		fprintf(p->out, "%s\n", line);
		p->last_s = elapsed_s;
	}
	fflush(p->out);
}

void progress_finish(struct progress *p)
{
	if (p->tty && p->shown)
		fputc('\n', p->out);
	p->shown = 0;
	fflush(p->out);
}
