/* SPDX-License-Identifier: GPL-2.0-only */
/* report.html: the run's report as one self-contained page (inline CSS and
 * SVG charts, no script, nothing fetched) for a browser or a printer. */
#ifndef USER_HTML_H
#define USER_HTML_H

#include <stdio.h>

#include "results.h"

/* Write the whole page for r to out. 0, -EINVAL or -ENOMEM; the caller
 * checks out for write errors. */
int html_render(const struct run_result *r, FILE *out);

/* Write dir/report.html (which dir holds) through a temporary file and a
 * rename, so a reader never sees half a page. 0 or -errno, logged once. */
int html_write(const struct run_result *r, const char *dir);

#endif
