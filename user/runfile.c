/* SPDX-License-Identifier: GPL-2.0-only */
/* Atomic writes of run-folder files: a temporary file, then a rename. */
#include "runfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int runfile_write(const char *dir, const char *name, const char *text, size_t len)
{
	char *path = NULL, *tmp = NULL;
	FILE *f;
	int err = 0;

	if (asprintf(&path, "%s/%s", dir, name) < 0) {
		path = NULL;
		err = -ENOMEM;
		goto out;
	}
	if (asprintf(&tmp, "%s/.%s.tmp", dir, name) < 0) {
		tmp = NULL;
		err = -ENOMEM;
		goto out;
	}
	f = fopen(tmp, "w");
	if (!f) {
		err = -errno;
		goto out;
	}
	if (len && fwrite(text, 1, len, f) != len)
		err = -(errno ? errno : EIO);
	if (fclose(f) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
out:
	if (err)
		fprintf(stderr, "loadlens: cannot write %s/%s: %s\n", dir, name, strerror(-err));
	free(path);
	free(tmp);
	return err;
}
