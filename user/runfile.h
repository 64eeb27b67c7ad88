/* SPDX-License-Identifier: GPL-2.0-only */
/* Writing one file of the run folder so that a reader never sees half of
 * it: through a temporary name and a rename, every write checked. */
#ifndef USER_RUNFILE_H
#define USER_RUNFILE_H

#include <stddef.h>

/* Write len bytes of text to dir/name through dir/.name.tmp and a rename.
 * Returns 0 or -errno; a failure is logged once to stderr, naming the file,
 * and leaves no temporary behind. */
int runfile_write(const char *dir, const char *name, const char *text, size_t len);

#endif
