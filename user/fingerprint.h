/* SPDX-License-Identifier: GPL-2.0-only */
/* SQL fingerprints as pg_stat_statements groups statements: literals become
 * placeholders, IN-lists collapse and whitespace normalizes, so
 * the same statement with other values is one row. */
#ifndef USER_FINGERPRINT_H
#define USER_FINGERPRINT_H

#include <stddef.h>

/* Write the fingerprint of sql into out (at most outlen bytes, always
 * NUL-terminated): string and numeric literals become $1, $2, ... in order,
 * as pg_stat_statements prints them; an IN-list of literals becomes
 * "IN (...)"; runs of whitespace become one space; keywords are kept as
 * written. Returns the length written. */
size_t fingerprint_sql(const char *sql, char *out, size_t outlen);

#endif
