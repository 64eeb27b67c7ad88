/* SPDX-License-Identifier: GPL-2.0-only */
/* SQL fingerprints: a small lexer that knows PostgreSQL's literal, comment
 * and identifier syntax, so it can replace constants by $n placeholders and
 * collapse IN-lists (and ARRAY[...] of constants, as psycopg2 sends Python
 * lists for "= ANY(%s)") without ever touching identifiers or quoted names. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fingerprint.h"

enum fp_tok {
	FP_END,
	FP_SPACE,   /* whitespace and comments: both separate tokens */
	FP_WORD,    /* keyword or identifier, digits and $ included */
	FP_QIDENT,  /* "quoted identifier", kept as written */
	FP_STRING,  /* '..', E'..', B'..', X'..', N'..', U&'..', $tag$..$tag$ */
	FP_NUMBER,  /* 42, 4.2, .5, 1e-3 */
	FP_PARAM,   /* $1 */
	FP_PUNCT,   /* one character of an operator or punctuation */
};

struct fp_token {
	enum fp_tok kind;
	size_t start, end; /* [start, end) in the statement */
};

static int is_ident_start(unsigned char c)
{
	return isalpha(c) || c == '_' || c >= 0x80;
}

static int is_ident_char(unsigned char c)
{
	return isalnum(c) || c == '_' || c == '$' || c >= 0x80;
}

/* End of a quoted run starting at s[i] == q, where a doubled quote stands for
 * one and, if backslash, "\x" escapes x. Unterminated runs end the text. */
static size_t skip_quoted(const char *s, size_t i, char q, int backslash)
{
	for (i++; s[i]; i++) {
		if (backslash && s[i] == '\\' && s[i + 1]) {
			i++;
		} else if (s[i] == q) {
			if (s[i + 1] != q)
				return i + 1;
			i++;
		}
	}
	return i;
}

/* If s[i] opens a dollar quote ($$ or $tag$), its end; else 0. */
static size_t skip_dollar_quoted(const char *s, size_t i)
{
	size_t j = i + 1, taglen;
	const char *close;

	if (s[j] != '$' && !(is_ident_start((unsigned char)s[j]) && s[j] != '$'))
		return 0;
	while (s[j] != '$') {
		if (!s[j] || !is_ident_char((unsigned char)s[j]))
			return 0;
		j++;
	}
	taglen = j + 1 - i; /* "$tag$" */
	for (close = s + j + 1; (close = strchr(close, '$')); close++)
		if (strncmp(close, s + i, taglen) == 0)
			return (size_t)(close - s) + taglen;
	return strlen(s);
}

/* End of the number starting at s[i] (a digit, or '.' before a digit). */
static size_t skip_number(const char *s, size_t i)
{
	while (isdigit((unsigned char)s[i]))
		i++;
	if (s[i] == '.' && s[i + 1] != '.') {
		i++;
		while (isdigit((unsigned char)s[i]))
			i++;
	}
	if (s[i] == 'e' || s[i] == 'E') {
		size_t j = i + 1;

		if (s[j] == '+' || s[j] == '-')
			j++;
		if (isdigit((unsigned char)s[j])) {
			while (isdigit((unsigned char)s[j]))
				j++;
			i = j;
		}
	}
	return i;
}

/* The token at s[i]. Comments nest as in PostgreSQL. */
static struct fp_token fp_next(const char *s, size_t i)
{
	struct fp_token t = { FP_END, i, i };
	unsigned char c = (unsigned char)s[i], d = c ? (unsigned char)s[i + 1] : 0;

	if (!c)
		return t;
	if (isspace(c) || (c == '-' && d == '-') || (c == '/' && d == '*')) {
		t.kind = FP_SPACE;
		for (;;) {
			if (isspace((unsigned char)s[i])) {
				i++;
			} else if (s[i] == '-' && s[i + 1] == '-') {
				while (s[i] && s[i] != '\n')
					i++;
			} else if (s[i] == '/' && s[i + 1] == '*') {
				int depth = 1;

				for (i += 2; s[i] && depth; i++) {
					if (s[i] == '/' && s[i + 1] == '*') {
						depth++;
						i++;
					} else if (s[i] == '*' && s[i + 1] == '/') {
						depth--;
						i++;
					}
				}
			} else {
				break;
			}
		}
	} else if (c == '\'') {
		t.kind = FP_STRING;
		i = skip_quoted(s, i, '\'', 0);
	} else if (strchr("eE", c) && d == '\'') {
		t.kind = FP_STRING;
		i = skip_quoted(s, i + 1, '\'', 1);
	} else if (strchr("bBxXnN", c) && d == '\'') {
		t.kind = FP_STRING;
		i = skip_quoted(s, i + 1, '\'', 0);
	} else if ((c == 'u' || c == 'U') && d == '&' && s[i + 2] == '\'') {
		t.kind = FP_STRING;
		i = skip_quoted(s, i + 2, '\'', 0);
	} else if ((c == 'u' || c == 'U') && d == '&' && s[i + 2] == '"') {
		t.kind = FP_QIDENT;
		i = skip_quoted(s, i + 2, '"', 0);
	} else if (c == '"') {
		t.kind = FP_QIDENT;
		i = skip_quoted(s, i, '"', 0);
	} else if (is_ident_start(c)) {
		t.kind = FP_WORD;
		while (is_ident_char((unsigned char)s[i]))
			i++;
	} else if (isdigit(c) || (c == '.' && isdigit(d))) {
		t.kind = FP_NUMBER;
		i = skip_number(s, i);
	} else if (c == '$' && isdigit(d)) {
		t.kind = FP_PARAM;
		for (i++; isdigit((unsigned char)s[i]); i++)
			;
	} else if (c == '$' && (t.end = skip_dollar_quoted(s, i)) != 0) {
		t.kind = FP_STRING;
		i = t.end;
	} else {
		t.kind = FP_PUNCT;
		i++;
	}
	t.end = i;
	return t;
}

/* The next token that is not space. */
static struct fp_token fp_next_solid(const char *s, size_t i)
{
	struct fp_token t = fp_next(s, i);

	while (t.kind == FP_SPACE)
		t = fp_next(s, t.end);
	return t;
}

static int tok_is(const char *s, struct fp_token t, const char *word)
{
	size_t n = strlen(word);

	return t.end - t.start == n && strncasecmp(s + t.start, word, n) == 0;
}

static int tok_is_punct(const char *s, struct fp_token t, char c)
{
	return t.kind == FP_PUNCT && s[t.start] == c;
}

/* Keywords after which "-5" is a negative constant, not a subtraction: the
 * parser folds the sign into the constant there, as pg_stat_statements
 * shows. After an identifier, a literal or ')' the minus is an operator. */
static int word_takes_operand(const char *s, struct fp_token t)
{
	static const char *const kw[] = {
		"select", "where", "and", "or", "not", "limit", "offset", "then", "else",
		"when", "case", "between", "like", "ilike", "return", "returning",
		"having", "on", "by", "in", "is", "distinct", "all", "any", "some",
		"values", "set", "fetch", "first", "next", "array", "interval",
	};

	for (size_t k = 0; k < sizeof(kw) / sizeof(kw[0]); k++)
		if (tok_is(s, t, kw[k]))
			return 1;
	return 0;
}

/* Is s at the token after prev a place where "-" starts a negative number? */
static int minus_is_sign(const char *s, struct fp_token prev)
{
	switch (prev.kind) {
	case FP_END: /* start of the statement */
		return 1;
	case FP_PUNCT:
		return !strchr(")]", s[prev.start]);
	case FP_WORD:
		return word_takes_operand(s, prev);
	default:
		return 0;
	}
}

/* A constant starting at token t: a string, a number, or "-" then a number
 * where the minus is a sign. Returns its end in *end, or 0. */
static int is_constant(const char *s, struct fp_token prev, struct fp_token t, size_t *end)
{
	if (t.kind == FP_STRING || t.kind == FP_NUMBER) {
		*end = t.end;
		return 1;
	}
	if (tok_is_punct(s, t, '-') && minus_is_sign(s, prev)) {
		struct fp_token n = fp_next_solid(s, t.end);

		if (n.kind == FP_NUMBER) {
			*end = n.end;
			return 1;
		}
	}
	return 0;
}

/* If t (after IN or ARRAY) opens a list of only constants and parameters,
 * "(1, 'a', $3)" or "[1, -2]", the end of its closing bracket; else 0. */
static size_t constant_list_end(const char *s, struct fp_token t)
{
	char open = s[t.start], close = open == '(' ? ')' : ']';
	struct fp_token prev = t, cur;
	size_t end;
	int items = 0;

	if (t.kind != FP_PUNCT || (open != '(' && open != '['))
		return 0;
	for (;;) {
		cur = fp_next_solid(s, prev.end);
		if (cur.kind == FP_PARAM)
			end = cur.end;
		else if (!is_constant(s, prev, cur, &end))
			return 0;
		items++;
		cur = fp_next_solid(s, end);
		if (tok_is_punct(s, cur, close))
			return items ? cur.end : 0;
		if (!tok_is_punct(s, cur, ','))
			return 0;
		prev = cur;
	}
}

/* Bounded output: keeps writing into nothing once full, so the caller can
 * see that it truncated. */
struct fp_out {
	char *buf;
	size_t len, cap; /* cap excludes the NUL */
	int truncated;
};

static void out_put(struct fp_out *o, const char *p, size_t n)
{
	size_t room = o->cap - o->len;

	if (n > room) {
		n = room;
		o->truncated = 1;
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
}

static void out_str(struct fp_out *o, const char *p)
{
	out_put(o, p, strlen(p));
}

/* Highest $n already in the statement: new placeholders number after it,
 * as pg_stat_statements does, so they never collide with real parameters. */
static unsigned long max_param(const char *s)
{
	unsigned long max = 0;

	for (struct fp_token t = fp_next(s, 0); t.kind != FP_END; t = fp_next(s, t.end)) {
		if (t.kind == FP_PARAM) {
			unsigned long n = strtoul(s + t.start + 1, NULL, 10);

			if (n > max && n < 1000000)
				max = n;
		}
	}
	return max;
}

size_t fingerprint_sql(const char *sql, char *out, size_t outlen)
{
	struct fp_out o = { out, 0, outlen ? outlen - 1 : 0, 0 };
	struct fp_token prev = { FP_END, 0, 0 }, t;
	unsigned long next_param;
	int pending_space = 0;
	size_t end;

	if (!out || outlen == 0)
		return 0;
	if (!sql) {
		out[0] = '\0';
		return 0;
	}
	next_param = max_param(sql) + 1;

	for (t = fp_next(sql, 0); t.kind != FP_END && !o.truncated; t = fp_next(sql, t.end)) {
		if (t.kind == FP_SPACE) {
			pending_space = prev.kind != FP_END; /* leading space is trimmed */
			continue;
		}
		if (pending_space)
			out_put(&o, " ", 1);
		pending_space = 0;

		if (t.kind == FP_WORD && (tok_is(sql, t, "in") || tok_is(sql, t, "array"))) {
			struct fp_token open = fp_next_solid(sql, t.end);
			size_t list_end = constant_list_end(sql, open);

			if (list_end) {
				int paren = sql[open.start] == '(';

				out_put(&o, sql + t.start, t.end - t.start);
				out_str(&o, paren ? " (...)" : "[...]");
				t.end = list_end;
				prev = (struct fp_token){ FP_PUNCT, list_end - 1, list_end };
				continue;
			}
		}
		if (is_constant(sql, prev, t, &end)) {
			char ph[24];

			snprintf(ph, sizeof(ph), "$%lu", next_param++);
			out_str(&o, ph);
			prev = (struct fp_token){ FP_NUMBER, t.start, end };
			t.end = end;
			continue;
		}
		out_put(&o, sql + t.start, t.end - t.start);
		prev = t;
	}

	/* Never leave half a UTF-8 character at a truncation. */
	if (o.truncated) {
		size_t n = o.len;

		while (n > 0 && ((unsigned char)out[n - 1] & 0xC0) == 0x80)
			n--;
		if (n > 0 && (unsigned char)out[n - 1] >= 0xC0) {
			unsigned char lead = (unsigned char)out[n - 1];
			size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;

			if (o.len - (n - 1) < need)
				o.len = n - 1;
		}
	}
	out[o.len] = '\0';
	return o.len;
}
