/* SPDX-License-Identifier: GPL-2.0-only */
/* Joins the client and server windows of a run by wall-clock second. */
#include "timeline.h"

#include <errno.h>
#include <stdlib.h>

static int cmp_cwin(const void *a, const void *b)
{
	const struct client_window *x = *(const struct client_window *const *)a;
	const struct client_window *y = *(const struct client_window *const *)b;

	return (x->t_s > y->t_s) - (x->t_s < y->t_s);
}

static int cmp_swin(const void *a, const void *b)
{
	const struct server_window *x = *(const struct server_window *const *)a;
	const struct server_window *y = *(const struct server_window *const *)b;

	return (x->t_s > y->t_s) - (x->t_s < y->t_s);
}

int timeline_join(const struct run_result *r, struct timeline_row **rows, size_t *n)
{
	size_t nc = r->cwin ? r->ncwin : 0, ns = r->profiled && r->swin ? r->nswin : 0;
	const struct client_window **cw = NULL;
	const struct server_window **sw = NULL;
	struct timeline_row *out = NULL;
	size_t i = 0, j = 0, k = 0;

	*rows = NULL;
	*n = 0;
	if (nc + ns == 0)
		return 0;
	cw = calloc(nc ? nc : 1, sizeof(*cw));
	sw = calloc(ns ? ns : 1, sizeof(*sw));
	out = calloc(nc + ns, sizeof(*out));
	if (!cw || !sw || !out) {
		free(cw);
		free(sw);
		free(out);
		return -ENOMEM;
	}
	for (size_t m = 0; m < nc; m++)
		cw[m] = &r->cwin[m];
	for (size_t m = 0; m < ns; m++)
		sw[m] = &r->swin[m];
	qsort(cw, nc, sizeof(*cw), cmp_cwin);
	qsort(sw, ns, sizeof(*sw), cmp_swin);
	while (i < nc || j < ns) {
		struct timeline_row *row = &out[k++];

		if (j >= ns || (i < nc && cw[i]->t_s < sw[j]->t_s)) {
			row->t_s = cw[i]->t_s;
			row->c = cw[i++];
		} else if (i >= nc || sw[j]->t_s < cw[i]->t_s) {
			row->t_s = sw[j]->t_s;
			row->s = sw[j++];
		} else {
			row->t_s = cw[i]->t_s;
			row->c = cw[i++];
			row->s = sw[j++];
		}
	}
	free(cw);
	free(sw);
	*rows = out;
	*n = k;
	return 0;
}
