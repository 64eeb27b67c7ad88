/* SPDX-License-Identifier: GPL-2.0-only */
/* The JSON path of the value a reader is looking at ("scenarios.ramp.
 * stages[2].duration"), kept as it descends, so every error it reports
 * names the file, the path and the reason in one line. */
#ifndef USER_JSONPATH_H
#define USER_JSONPATH_H

#include <stddef.h>

struct cJSON;

struct jpath {
	const char *file; /* as the user named it */
	char *err;        /* where jpath_fail writes; errlen 0: nowhere */
	size_t errlen;
	char path[512];
	size_t len;
};

/* Append printf-style text to the path (truncated when full). Returns the
 * previous length, for jpath_pop. */
size_t jpath_push(struct jpath *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Enter member key: "key" at the top, ".key" below it, or ["key"] when the
 * key has characters other than [A-Za-z0-9_-]. Returns as jpath_push. */
size_t jpath_key(struct jpath *p, const char *key);

/* Go back to a length that jpath_push or jpath_key returned. */
void jpath_pop(struct jpath *p, size_t saved);

/* Write "FILE: PATH: message" (or "FILE: message" at the top) into the
 * error buffer. Returns -EINVAL, for `return jpath_fail(...)`. */
int jpath_fail(struct jpath *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* What v is, for messages: "a string", "a number", "an object", ... */
const char *jpath_type_name(const struct cJSON *v);

#endif
