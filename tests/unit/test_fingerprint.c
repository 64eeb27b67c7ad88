/* SPDX-License-Identifier: GPL-2.0-only */
/* Fingerprint tests: every kind of literal, IN-lists, comments, identifiers
 * with digits, parameters, whitespace and truncation; the same statement
 * with other values must match and different statements must not. */
#include <string.h>

#include "check.h"
#include "fingerprint.h"

static char out[4096];

static const char *fp(const char *sql)
{
	fingerprint_sql(sql, out, sizeof(out));
	return out;
}

#define EXPECT(sql, want)                                                            \
	do {                                                                         \
		const char *got_ = fp(sql);                                          \
		CHECK(strcmp(got_, want) == 0, "\n  sql:  %s\n  got:  %s\n  want: %s", \
		      sql, got_, want);                                              \
	} while (0)

static void test_literals(void)
{
	EXPECT("SELECT 1", "SELECT $1");
	EXPECT("SELECT * FROM t WHERE a = 'x' AND b = 42",
	       "SELECT * FROM t WHERE a = $1 AND b = $2");
	EXPECT("SELECT 'it''s', 'a''''b'", "SELECT $1, $2");
	EXPECT("SELECT E'a\\'b\\\\', e'x'", "SELECT $1, $2");
	EXPECT("SELECT 'C:\\', 1", "SELECT $1, $2"); /* standard string: no escapes */
	EXPECT("SELECT B'0101', X'ff', N'nat', U&'d\\0061t'", "SELECT $1, $2, $3, $4");
	EXPECT("SELECT $$it's a 'quote'$$, $fn$ body $$ inner $$ $fn$",
	       "SELECT $1, $2");
	EXPECT("SELECT 3.14, .5, 6., 1e10, 2.5E-3, 7e+2", "SELECT $1, $2, $3, $4, $5, $6");
	EXPECT("SELECT '2024-01-01'::date, 5::int, interval '1 day'",
	       "SELECT $1::date, $2::int, interval $3");
	EXPECT("INSERT INTO t (a, b) VALUES ('x', NULL)", "INSERT INTO t (a, b) VALUES ($1, NULL)");
	EXPECT("SELECT 'unterminated", "SELECT $1");
}

static void test_negative(void)
{
	EXPECT("SELECT * FROM t WHERE a = -5", "SELECT * FROM t WHERE a = $1");
	EXPECT("SELECT -1, -2.5", "SELECT $1, $2");
	EXPECT("SELECT a-1, a - 1, (a)-1, 3-1", "SELECT a-$1, a - $2, (a)-$3, $4-$5");
	EXPECT("SELECT x FROM t WHERE y > - 3 AND z < -4e2", "SELECT x FROM t WHERE y > $1 AND z < $2");
	EXPECT("SELECT x FROM t WHERE y = -z", "SELECT x FROM t WHERE y = -z");
	EXPECT("SELECT 1 - -1", "SELECT $1 - $2");
	EXPECT("UPDATE t SET a = a - 1 WHERE id = -7", "UPDATE t SET a = a - $1 WHERE id = $2");
}

static void test_identifiers_and_params(void)
{
	EXPECT("SELECT t1.col2, t1.x3y FROM tab1 t1 WHERE t1.col2 = 7",
	       "SELECT t1.col2, t1.x3y FROM tab1 t1 WHERE t1.col2 = $1");
	EXPECT("SELECT \"Col 1\", \"a\"\"b 2\" FROM \"Tab'le\" WHERE \"x\" = 'y'",
	       "SELECT \"Col 1\", \"a\"\"b 2\" FROM \"Tab'le\" WHERE \"x\" = $1");
	EXPECT("SELECT foo$bar, _x9 FROM t", "SELECT foo$bar, _x9 FROM t");
	/* Existing parameters stay; new placeholders number after the highest. */
	EXPECT("SELECT * FROM t WHERE a = $1 AND b = 5 AND c = $2",
	       "SELECT * FROM t WHERE a = $1 AND b = $3 AND c = $2");
	EXPECT("SELECT $2, 'x', $1", "SELECT $2, $3, $1");
	EXPECT("SELECT $1 - 1", "SELECT $1 - $2");
	/* Keywords as written. */
	EXPECT("select * from T where A = 1", "select * from T where A = $1");
}

static void test_in_lists(void)
{
	EXPECT("SELECT * FROM t WHERE id IN (1, 2, 3)", "SELECT * FROM t WHERE id IN (...)");
	EXPECT("SELECT * FROM t WHERE id IN (7)", "SELECT * FROM t WHERE id IN (...)");
	EXPECT("SELECT * FROM t WHERE s in ('a','b')", "SELECT * FROM t WHERE s in (...)");
	EXPECT("SELECT * FROM t WHERE id NOT IN(-1, 2.5, 'x', $1) AND b = 2",
	       "SELECT * FROM t WHERE id NOT IN (...) AND b = $2");
	EXPECT("SELECT * FROM t WHERE id IN ( 1 /* one */ , 2 )", "SELECT * FROM t WHERE id IN (...)");
	EXPECT("SELECT * FROM t WHERE id IN (SELECT id FROM u WHERE v = 3)",
	       "SELECT * FROM t WHERE id IN (SELECT id FROM u WHERE v = $1)");
	EXPECT("SELECT * FROM t WHERE id IN (a, 2)", "SELECT * FROM t WHERE id IN (a, $1)");
	EXPECT("SELECT * FROM t WHERE id = ANY(ARRAY[1, 2, 3])",
	       "SELECT * FROM t WHERE id = ANY(ARRAY[...])");
}

static void test_space_and_comments(void)
{
	EXPECT("  \n\tSELECT   a,\n\n  b\tFROM t ;  \n", "SELECT a, b FROM t ;");
	EXPECT("SELECT a -- the a column\nFROM t", "SELECT a FROM t");
	EXPECT("SELECT /* one /* nested */ still comment */ a FROM t", "SELECT a FROM t");
	EXPECT("SELECT a/**/FROM t", "SELECT a FROM t");
	EXPECT("/* lead */ SELECT 1 -- trail", "SELECT $1");
	EXPECT("SELECT '--not a comment', '/* nor this */'", "SELECT $1, $2");
	EXPECT("", "");
	EXPECT("   ", "");
	EXPECT("-- only a comment", "");
}

static void test_grouping(void)
{
	char a[512], b[512];

	fingerprint_sql("SELECT name FROM res_partner WHERE id IN (1,2,3) AND active = true "
			"AND name ILIKE '%dairy%' LIMIT 80",
			a, sizeof(a));
	fingerprint_sql("SELECT name  FROM res_partner\nWHERE id IN (9, 10) AND active = true "
			"AND name ILIKE '%milk%'   LIMIT 20",
			b, sizeof(b));
	CHECK(strcmp(a, b) == 0, "same statement, other values: [%s] vs [%s]", a, b);

	fingerprint_sql("SELECT name FROM res_partner WHERE id = 1", a, sizeof(a));
	fingerprint_sql("SELECT name FROM res_users WHERE id = 1", b, sizeof(b));
	CHECK(strcmp(a, b) != 0, "different tables must differ: [%s]", a);

	fingerprint_sql("SELECT a FROM t WHERE b = 1", a, sizeof(a));
	fingerprint_sql("SELECT a FROM t WHERE b > 1", b, sizeof(b));
	CHECK(strcmp(a, b) != 0, "different operators must differ: [%s]", a);

	fingerprint_sql("SELECT t1.a FROM t1", a, sizeof(a));
	fingerprint_sql("SELECT t2.a FROM t2", b, sizeof(b));
	CHECK(strcmp(a, b) != 0, "digits in identifiers must not be literals: [%s]", a);
}

static void test_truncation(void)
{
	char small[8], tiny[1], utf[6];
	size_t n;

	memset(small, 'X', sizeof(small));
	n = fingerprint_sql("SELECT a, b FROM t WHERE x = 1", small, sizeof(small));
	CHECK(n == 7 && strcmp(small, "SELECT ") == 0, "truncated to [%s] (%zu)", small, n);

	tiny[0] = 'X';
	n = fingerprint_sql("SELECT 1", tiny, sizeof(tiny));
	CHECK(n == 0 && tiny[0] == '\0', "outlen 1 must give an empty string");

	n = fingerprint_sql("SELECT 1", small, 0);
	CHECK(n == 0, "outlen 0 writes nothing");

	/* 5 bytes of room end in the middle of the first é: it must go whole. */
	n = fingerprint_sql("AB \"\xc3\xa9\xc3\xa9\"", utf, sizeof(utf));
	CHECK(n == 4 && strcmp(utf, "AB \"") == 0,
	      "utf-8 truncation must not split a character: %zu [%s]", n, utf);

	/* The returned length always matches strlen, across sizes. */
	for (size_t len = 1; len < 64; len++) {
		char buf[64];

		n = fingerprint_sql("SELECT * FROM t WHERE id IN (1,2) AND s = 'x' -- c", buf, len);
		CHECK(n == strlen(buf) && n < len, "len %zu: n %zu", len, n);
	}
}

int main(void)
{
	test_literals();
	test_negative();
	test_identifiers_and_params();
	test_in_lists();
	test_space_and_comments();
	test_grouping();
	test_truncation();
	return check_done("test_fingerprint");
}
