/* SPDX-License-Identifier: GPL-2.0-only */
/* Templates are parsed and checked once, when the scenario loads, into a flat
 * list of parts (literal text or one resolved reference each), so rendering a
 * request is a single pass of copies and lookups with no parsing. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "template.h"

enum tpart_kind {
	TP_TEXT,
	TP_DATA,     /* {{set.field}} */
	TP_VAR,      /* {{captured}} */
	TP_ENV,      /* {{env.NAME}} */
	TP_VU,       /* {{__VU}} */
	TP_ITER,     /* {{__ITER}} */
	TP_RANDINT,  /* {{randomInt(lo,hi)}} */
	TP_RANDITEM, /* {{randomItem(a,b,c)}} */
	TP_UUID,     /* {{uuid}} */
};

/* How an inserted value is written where it lands. */
enum tpart_esc {
	TE_RAW,  /* as is: URLs, header values, raw bodies */
	TE_JSTR, /* inside a JSON string: JSON-escaped */
	TE_JVAL, /* a whole JSON value: numbers and booleans bare, the rest quoted */
};

struct tpart {
	enum tpart_kind kind;
	enum tpart_esc esc;
	char *text;     /* TEXT: the literal; VAR: the name; ENV: value at load or NULL */
	size_t len;     /* TEXT, ENV: length of text */
	size_t idx;     /* DATA: data set index; VAR: expected capture slot */
	char **segs;    /* DATA: the field path, one segment each */
	size_t *seglens;
	size_t nsegs;
	int64_t lo, hi; /* RANDINT */
	char **items;   /* RANDITEM */
	size_t nitems;
};

struct scen_tmpl {
	char *src;
	struct tpart *parts;
	size_t nparts;
	size_t lit_len; /* total literal bytes: the first guess of the output size */
};

/* A growing string; oom latches so callers check once at the end. */
struct sbuf {
	char *p;
	size_t len, cap;
	int oom;
};

static void sb_reserve(struct sbuf *b, size_t extra)
{
	size_t need = b->len + extra + 1, ncap;
	char *np;

	if (b->oom || need <= b->cap)
		return;
	ncap = b->cap ? b->cap : 64;
	while (ncap < need)
		ncap *= 2;
	np = realloc(b->p, ncap);
	if (!np) {
		b->oom = 1;
		return;
	}
	b->p = np;
	b->cap = ncap;
}

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
	sb_reserve(b, n);
	if (b->oom)
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_adds(struct sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

/* Append s[0..n) escaped for the inside of a JSON string. UTF-8 passes
 * through; only quotes, backslashes and control bytes need escapes. */
static void sb_add_jstr(struct sbuf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, run = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[7];
		size_t elen = 2;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		sb_add(b, s + run, i - run);
		run = i + 1;
		esc[0] = '\\';
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			elen = 6;
		}
		sb_add(b, esc, elen);
	}
	sb_add(b, s + run, n - run);
}

/* JSON numbers print as integers when integral (17, not 17.0 or 1.7e1);
 * others with the fewest digits that read back to the same double. */
static void fmt_number(double d, char out[32])
{
	if (isfinite(d) && d == floor(d) && fabs(d) < 9007199254740992.0) {
		snprintf(out, 32, "%" PRId64, (int64_t)d);
		return;
	}
	snprintf(out, 32, "%.15g", d);
	if (strtod(out, NULL) != d)
		snprintf(out, 32, "%.17g", d);
}

const char *tmpl_name_problem(const char *name)
{
	static const char *const reserved[] = { "env", "uuid", "__VU", "__ITER" };
	size_t i;

	if (!name[0] || !(isalpha((unsigned char)name[0]) || name[0] == '_'))
		return "is not a valid name (expected letters, digits and _, not starting with a digit)";
	for (i = 1; name[i]; i++)
		if (!(isalnum((unsigned char)name[i]) || name[i] == '_'))
			return "is not a valid name (expected letters, digits and _, not starting with a digit)";
	for (i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (!strcmp(name, reserved[i]))
			return "is a built-in name (env, uuid, __VU and __ITER are reserved)";
	return NULL;
}

const struct cJSON *tmpl_json_child(const struct cJSON *node, const char *seg, size_t len)
{
	const cJSON *c;

	if (!node || !len)
		return NULL;
	if (cJSON_IsArray(node)) {
		size_t i, idx = 0;

		for (i = 0; i < len; i++) {
			if (!isdigit((unsigned char)seg[i]) || idx > 100000000)
				return NULL;
			idx = idx * 10 + (size_t)(seg[i] - '0');
		}
		for (c = node->child; c && idx; c = c->next)
			idx--;
		return c;
	}
	if (!cJSON_IsObject(node))
		return NULL;
	for (c = node->child; c; c = c->next)
		if (c->string && !strncmp(c->string, seg, len) && c->string[len] == '\0')
			return c;
	return NULL;
}

const struct cJSON *tmpl_json_path(const struct cJSON *root, const char *path)
{
	const cJSON *node = root;
	const char *p = path;

	while (node) {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);

		node = tmpl_json_child(node, p, len);
		if (!dot)
			return node;
		p = dot + 1;
	}
	return NULL;
}

char *tmpl_json_text(const struct cJSON *v)
{
	char num[32], *printed, *copy;

	if (cJSON_IsString(v))
		return strdup(v->valuestring);
	if (cJSON_IsNumber(v)) {
		fmt_number(v->valuedouble, num);
		return strdup(num);
	}
	if (cJSON_IsBool(v))
		return strdup(cJSON_IsTrue(v) ? "true" : "false");
	if (cJSON_IsNull(v))
		return strdup("null");
	printed = cJSON_PrintUnformatted(v);
	if (!printed) {
		errno = ENOMEM;
		return NULL;
	}
	copy = strdup(printed);
	cJSON_free(printed);
	return copy;
}

/* ---- compiling ---- */

struct tbuild {
	struct scen_tmpl *t;
	size_t cap;
	struct sbuf lit; /* literal text not yet stored as a part */
	const struct tmpl_scope *scope;
	char *why;
	size_t whylen;
	char where[256]; /* JSON bodies: path of the value being compiled */
	size_t wlen;
};

static int tb_fail(struct tbuild *tb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int tb_fail(struct tbuild *tb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tb->why, tb->whylen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static struct tpart *tb_push(struct tbuild *tb)
{
	struct scen_tmpl *t = tb->t;

	if (t->nparts == tb->cap) {
		size_t ncap = tb->cap ? tb->cap * 2 : 4;
		struct tpart *np = realloc(t->parts, ncap * sizeof(*np));

		if (!np)
			return NULL;
		t->parts = np;
		tb->cap = ncap;
	}
	memset(&t->parts[t->nparts], 0, sizeof(t->parts[0]));
	return &t->parts[t->nparts++];
}

static int tb_flush(struct tbuild *tb)
{
	struct tpart *p;

	if (tb->lit.oom)
		return -ENOMEM;
	if (!tb->lit.len)
		return 0;
	p = tb_push(tb);
	if (!p)
		return -ENOMEM;
	p->kind = TP_TEXT;
	p->text = tb->lit.p;
	p->len = tb->lit.len;
	tb->t->lit_len += p->len;
	memset(&tb->lit, 0, sizeof(tb->lit));
	return 0;
}

static void tb_lit(struct tbuild *tb, const char *s, size_t n, int json_escape)
{
	if (json_escape)
		sb_add_jstr(&tb->lit, s, n);
	else
		sb_add(&tb->lit, s, n);
}

static void part_free(struct tpart *p)
{
	size_t i;

	free(p->text);
	for (i = 0; p->segs && i < p->nsegs; i++)
		free(p->segs[i]);
	free(p->segs);
	free(p->seglens);
	for (i = 0; p->items && i < p->nitems; i++)
		free(p->items[i]);
	free(p->items);
}

void tmpl_free(struct scen_tmpl *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->nparts; i++)
		part_free(&t->parts[i]);
	free(t->parts);
	free(t->src);
	free(t);
}

static int is_name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

static int all_name_chars(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!is_name_char(s[i]))
			return 0;
	return n > 0;
}

static void trim(const char **s, size_t *n)
{
	while (*n && isspace((unsigned char)**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n && isspace((unsigned char)(*s)[*n - 1]))
		(*n)--;
}

/* Write "a, b, c" (at most about 200 bytes) into out. */
static void join_names(char *out, size_t outlen, char *const *names, size_t n, const char *none)
{
	size_t i, used = 0;

	if (!n) {
		snprintf(out, outlen, "%s", none);
		return;
	}
	out[0] = '\0';
	for (i = 0; i < n && used + 1 < outlen; i++) {
		int w = snprintf(out + used, outlen - used, "%s%s", i ? ", " : "", names[i]);

		if (w < 0 || (used += (size_t)w) >= outlen)
			break;
		if (used > 200 && i + 1 < n) {
			snprintf(out + used, outlen - used, ", ...");
			break;
		}
	}
}

static void data_names(const struct tmpl_scope *sc, char *out, size_t outlen)
{
	char *names[32];
	size_t i, n = sc->ndata < 32 ? sc->ndata : 32;

	for (i = 0; i < n; i++)
		names[i] = sc->data[i].name;
	join_names(out, outlen, names, n, "none is declared under \"data\"");
}

static void object_keys(const cJSON *obj, char *out, size_t outlen)
{
	char *names[32];
	size_t n = 0;
	const cJSON *c;

	for (c = obj ? obj->child : NULL; c && n < 32; c = c->next)
		names[n++] = c->string;
	join_names(out, outlen, names, n, "it has none");
}

/* Split s[0..n) at commas into trimmed, non-empty, newly allocated strings. */
static int split_args(const char *s, size_t n, char ***out, size_t *nout)
{
	size_t i, count = 1, k = 0;
	char **v;

	for (i = 0; i < n; i++)
		count += s[i] == ',';
	v = calloc(count, sizeof(*v));
	if (!v)
		return -ENOMEM;
	*out = v;
	*nout = count;
	for (i = 0; i < count; i++) {
		const char *end = memchr(s, ',', n);
		size_t len = end ? (size_t)(end - s) : n;
		const char *a = s;
		size_t alen = len;

		trim(&a, &alen);
		v[k] = strndup(a, alen);
		if (!v[k])
			return -ENOMEM;
		k++;
		if (end) {
			n -= len + 1;
			s = end + 1;
		}
	}
	return 0;
}

static int parse_int64(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (!*s)
		return -EINVAL;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || isspace((unsigned char)*s))
		return -EINVAL;
	*out = v;
	return 0;
}

#define REF_HELP                                                                                  \
	"expected {{var}}, {{data.field}}, {{env.NAME}}, {{__VU}}, {{__ITER}}, {{uuid}}, "        \
	"{{randomInt(a,b)}} or {{randomItem(a,b,c)}}"

static int parse_func(struct tbuild *tb, struct tpart *p, const char *raw, int rawlen,
		      const char *e, size_t n)
{
	const char *open = memchr(e, '(', n);
	size_t nlen = (size_t)(open - e), alen;
	const char *args = open + 1;
	size_t i;
	int rc;

	if (e[n - 1] != ')')
		return tb_fail(tb, "%.*s is not a reference (%s)", rawlen, raw, REF_HELP);
	alen = n - nlen - 2;
	trim(&args, &alen);
	if (nlen == 4 && !memcmp(e, "uuid", 4)) {
		if (alen)
			return tb_fail(tb, "%.*s: uuid takes no arguments (expected {{uuid}})", rawlen,
				       raw);
		p->kind = TP_UUID;
		return 0;
	}
	if (nlen == 9 && !memcmp(e, "randomInt", 9)) {
		char **a = NULL;
		size_t na = 0;

		rc = split_args(args, alen, &a, &na);
		if (!rc && (na != 2 || parse_int64(a[0], &p->lo) || parse_int64(a[1], &p->hi)))
			rc = tb_fail(tb, "%.*s: randomInt takes two integers (expected e.g. {{randomInt(1,5)}})",
				     rawlen, raw);
		else if (!rc && p->lo > p->hi)
			rc = tb_fail(tb, "%.*s: the lower bound is above the upper one", rawlen, raw);
		for (i = 0; i < na; i++)
			free(a[i]);
		free(a);
		p->kind = TP_RANDINT;
		return rc;
	}
	if (nlen == 10 && !memcmp(e, "randomItem", 10)) {
		p->kind = TP_RANDITEM;
		if (!alen)
			return tb_fail(tb, "%.*s: randomItem needs at least one item (expected e.g. {{randomItem(cash,bkash,nagad)}})",
				       rawlen, raw);
		rc = split_args(args, alen, &p->items, &p->nitems);
		if (rc)
			return rc;
		for (i = 0; i < p->nitems; i++)
			if (!p->items[i][0])
				return tb_fail(tb, "%.*s: item %zu of randomItem is empty", rawlen, raw,
					       i + 1);
		return 0;
	}
	return tb_fail(tb, "%.*s: unknown function \"%.*s\" (functions: randomInt, randomItem, uuid)",
		       rawlen, raw, (int)nlen, e);
}

static int parse_data_ref(struct tbuild *tb, struct tpart *p, const char *raw, int rawlen,
			  const char *e, size_t n, size_t headlen)
{
	const struct tmpl_scope *sc = tb->scope;
	const cJSON *node;
	const char *s;
	size_t d, i, left, nsegs;
	char list[256];

	for (d = 0; d < sc->ndata; d++)
		if (strlen(sc->data[d].name) == headlen && !memcmp(sc->data[d].name, e, headlen))
			break;
	if (d == sc->ndata) {
		data_names(sc, list, sizeof(list));
		return tb_fail(tb, "%.*s: \"%.*s\" is not a data set (data sets: %s)", rawlen, raw,
			       (int)headlen, e, list);
	}
	p->kind = TP_DATA;
	p->idx = d;
	for (i = headlen, nsegs = 0; i < n; i++)
		nsegs += e[i] == '.';
	p->segs = calloc(nsegs, sizeof(*p->segs));
	p->seglens = calloc(nsegs, sizeof(*p->seglens));
	if (!p->segs || !p->seglens)
		return -ENOMEM;
	p->nsegs = nsegs;
	s = e + headlen + 1;
	left = n - headlen - 1;
	node = cJSON_GetArrayItem(sc->data[d].items, 0);
	for (i = 0; i < p->nsegs; i++) {
		const char *dot = memchr(s, '.', left);
		size_t len = dot ? (size_t)(dot - s) : left;

		if (!len)
			return tb_fail(tb, "%.*s has an empty field name", rawlen, raw);
		p->segs[i] = strndup(s, len);
		if (!p->segs[i])
			return -ENOMEM;
		p->seglens[i] = len;
		if (node) {
			const cJSON *next = tmpl_json_child(node, s, len);

			if (!next && cJSON_IsObject(node)) {
				object_keys(node, list, sizeof(list));
				return tb_fail(tb, "%.*s: the first item of data set \"%s\" (%s) has no field \"%.*s\" (fields: %s)",
					       rawlen, raw, sc->data[d].name, sc->data[d].path,
					       (int)len, s, list);
			}
			if (!next)
				return tb_fail(tb, "%.*s: the first item of data set \"%s\" (%s) has nothing at \"%.*s\"",
					       rawlen, raw, sc->data[d].name, sc->data[d].path,
					       (int)len, s);
			node = next;
		}
		s += len + 1;
		left -= dot ? len + 1 : len;
	}
	return 0;
}

/* Resolve the reference e[0..n) (the trimmed inside of raw, "{{...}}") into p. */
static int parse_ref(struct tbuild *tb, struct tpart *p, const char *raw, int rawlen,
		     const char *e, size_t n)
{
	const struct tmpl_scope *sc = tb->scope;
	const char *dot;
	size_t i;
	char list[256];

	if (!n)
		return tb_fail(tb, "%.*s is empty (%s)", rawlen, raw, REF_HELP);
	if (memchr(e, '(', n))
		return parse_func(tb, p, raw, rawlen, e, n);
	if ((n == 4 && !memcmp(e, "__VU", 4))) {
		p->kind = TP_VU;
		return 0;
	}
	if (n == 6 && !memcmp(e, "__ITER", 6)) {
		p->kind = TP_ITER;
		return 0;
	}
	if (n == 4 && !memcmp(e, "uuid", 4)) {
		p->kind = TP_UUID;
		return 0;
	}
	for (i = 0; i < n; i++)
		if (!is_name_char(e[i]) && e[i] != '.')
			return tb_fail(tb, "%.*s is not a reference (%s)", rawlen, raw, REF_HELP);
	dot = memchr(e, '.', n);
	if (dot) {
		size_t headlen = (size_t)(dot - e);

		if (!headlen || dot == e + n - 1)
			return tb_fail(tb, "%.*s is not a reference (%s)", rawlen, raw, REF_HELP);
		if (headlen == 3 && !memcmp(e, "env", 3)) {
			const char *val;

			if (!all_name_chars(dot + 1, n - 4))
				return tb_fail(tb, "%.*s: \"%.*s\" is not an environment variable name",
					       rawlen, raw, (int)(n - 4), dot + 1);
			/* The environment is read once, here: rendering stays
			 * lock-free and every VU sees the same value, as k6's __ENV. */
			p->kind = TP_ENV;
			p->text = strndup(dot + 1, n - 4);
			if (!p->text)
				return -ENOMEM;
			val = getenv(p->text);
			free(p->text);
			p->text = NULL;
			if (val) {
				p->text = strdup(val);
				if (!p->text)
					return -ENOMEM;
				p->len = strlen(val);
			}
			return 0;
		}
		return parse_data_ref(tb, p, raw, rawlen, e, n, headlen);
	}
	for (i = 0; i < sc->ncaps; i++) {
		if (strlen(sc->caps[i]) == n && !memcmp(sc->caps[i], e, n)) {
			p->kind = TP_VAR;
			p->idx = i;
			p->text = strndup(e, n);
			return p->text ? 0 : -ENOMEM;
		}
	}
	for (i = 0; i < sc->ndata; i++)
		if (strlen(sc->data[i].name) == n && !memcmp(sc->data[i].name, e, n))
			return tb_fail(tb, "%.*s is a whole data set, not a value (expected {{%.*s.FIELD}})",
				       rawlen, raw, (int)n, e);
	if (n == 3 && !memcmp(e, "env", 3))
		return tb_fail(tb, "%.*s needs a variable name (expected {{env.NAME}})", rawlen, raw);
	join_names(list, sizeof(list), sc->caps, sc->ncaps, "no step has a \"capture\"");
	return tb_fail(tb, "%.*s is not captured by any step (captured: %s)", rawlen, raw, list);
}

/* Add the parts of the text template s; refs are written with esc and, in a
 * JSON string, literal text is escaped now so rendering only copies it. */
static int tb_parse(struct tbuild *tb, const char *s, enum tpart_esc esc)
{
	const char *p = s;
	int json = esc != TE_RAW;

	for (;;) {
		const char *open = strstr(p, "{{"), *close, *e;
		struct tpart *part;
		size_t n;
		int rc;

		if (!open) {
			tb_lit(tb, p, strlen(p), json);
			return 0;
		}
		tb_lit(tb, p, (size_t)(open - p), json);
		close = strstr(open + 2, "}}");
		if (!close)
			return tb_fail(tb, "\"%s\" has a {{ with no closing }}", s);
		e = open + 2;
		n = (size_t)(close - e);
		trim(&e, &n);
		rc = tb_flush(tb);
		if (rc)
			return rc;
		part = tb_push(tb);
		if (!part)
			return -ENOMEM;
		part->esc = esc;
		rc = parse_ref(tb, part, open, (int)(close + 2 - open), e, n);
		if (rc)
			return rc;
		p = close + 2;
	}
}

static struct scen_tmpl *tb_start(struct tbuild *tb, const struct tmpl_scope *scope, char *why,
				  size_t whylen)
{
	memset(tb, 0, sizeof(*tb));
	tb->scope = scope;
	tb->why = why;
	tb->whylen = whylen;
	why[0] = '\0';
	tb->t = calloc(1, sizeof(*tb->t));
	return tb->t;
}

static struct scen_tmpl *tb_finish(struct tbuild *tb, int rc)
{
	if (!rc)
		rc = tb_flush(tb);
	free(tb->lit.p);
	if (rc) {
		tmpl_free(tb->t);
		errno = -rc;
		return NULL;
	}
	return tb->t;
}

struct scen_tmpl *tmpl_compile(const char *src, const struct tmpl_scope *scope, char *why,
			       size_t whylen)
{
	struct tbuild tb;
	int rc;

	if (!tb_start(&tb, scope, why, whylen))
		return NULL;
	tb.t->src = strdup(src);
	rc = tb.t->src ? tb_parse(&tb, src, TE_RAW) : -ENOMEM;
	return tb_finish(&tb, rc);
}

static int where_push(struct tbuild *tb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int where_push(struct tbuild *tb, const char *fmt, ...)
{
	size_t saved = tb->wlen;
	va_list ap;
	int w;

	va_start(ap, fmt);
	w = vsnprintf(tb->where + tb->wlen, sizeof(tb->where) - tb->wlen, fmt, ap);
	va_end(ap);
	if (w > 0)
		tb->wlen += (size_t)w < sizeof(tb->where) - tb->wlen ? (size_t)w
								    : sizeof(tb->where) - tb->wlen - 1;
	return (int)saved;
}

static void where_pop(struct tbuild *tb, int saved)
{
	tb->wlen = (size_t)saved;
	tb->where[saved] = '\0';
}

/* A JSON string that is exactly one reference, "{{products.id}}": the
 * reference alone, trimmed, or NULL. */
static int whole_ref(const char *s, const char **e, size_t *n)
{
	size_t len = strlen(s);
	const char *close;

	if (len < 4 || strncmp(s, "{{", 2) || strcmp(s + len - 2, "}}"))
		return 0;
	close = strstr(s + 2, "}}");
	if (close != s + len - 2 || strstr(s + 2, "{{"))
		return 0;
	*e = s + 2;
	*n = len - 4;
	trim(e, n);
	return 1;
}

static int emit_json(struct tbuild *tb, const cJSON *node)
{
	const cJSON *c;
	const char *e;
	size_t n, i = 0;
	int rc = 0, saved;

	if (cJSON_IsObject(node) || cJSON_IsArray(node)) {
		int obj = cJSON_IsObject(node);

		tb_lit(tb, obj ? "{" : "[", 1, 0);
		for (c = node->child; c && !rc; c = c->next, i++) {
			if (c != node->child)
				tb_lit(tb, ",", 1, 0);
			if (obj) {
				tb_lit(tb, "\"", 1, 0);
				tb_lit(tb, c->string, strlen(c->string), 1);
				tb_lit(tb, "\":", 2, 0);
				saved = where_push(tb, ".%s", c->string);
			} else {
				saved = where_push(tb, "[%zu]", i);
			}
			rc = emit_json(tb, c);
			if (!rc)
				where_pop(tb, saved);
		}
		tb_lit(tb, obj ? "}" : "]", 1, 0);
		return rc;
	}
	if (!cJSON_IsString(node)) {
		char *printed = cJSON_PrintUnformatted(node);

		if (!printed)
			return -ENOMEM;
		tb_lit(tb, printed, strlen(printed), 0);
		cJSON_free(printed);
		return 0;
	}
	if (whole_ref(node->valuestring, &e, &n)) {
		struct tpart probe = { 0 }, *part;

		/* Resolve once to learn the kind: only kinds that can yield a
		 * number or boolean are written bare; the rest stay strings. */
		rc = parse_ref(tb, &probe, node->valuestring, (int)strlen(node->valuestring), e, n);
		if (rc) {
			part_free(&probe);
			return rc;
		}
		if (probe.kind == TP_DATA || probe.kind == TP_VU || probe.kind == TP_ITER ||
		    probe.kind == TP_RANDINT) {
			probe.esc = TE_JVAL;
		} else {
			probe.esc = TE_JSTR;
			tb_lit(tb, "\"", 1, 0);
		}
		rc = tb_flush(tb);
		part = rc ? NULL : tb_push(tb);
		if (!part) {
			part_free(&probe);
			return -ENOMEM;
		}
		*part = probe;
		if (probe.esc == TE_JSTR)
			tb_lit(tb, "\"", 1, 0);
		return 0;
	}
	tb_lit(tb, "\"", 1, 0);
	rc = tb_parse(tb, node->valuestring, TE_JSTR);
	tb_lit(tb, "\"", 1, 0);
	return rc;
}

struct scen_tmpl *tmpl_compile_json(const struct cJSON *body, const struct tmpl_scope *scope,
				    char *where, size_t wherelen, char *why, size_t whylen)
{
	struct tbuild tb;
	int rc;

	if (!tb_start(&tb, scope, why, whylen))
		return NULL;
	tb.t->src = cJSON_PrintUnformatted(body);
	if (tb.t->src) {
		/* cJSON allocates with malloc under its default hooks; keep our
		 * own copy so tmpl_free need not know. */
		char *copy = strdup(tb.t->src);

		cJSON_free(tb.t->src);
		tb.t->src = copy;
	}
	rc = tb.t->src ? emit_json(&tb, body) : -ENOMEM;
	snprintf(where, wherelen, "%s", tb.where);
	return tb_finish(&tb, rc);
}

const char *scen_tmpl_source(const struct scen_tmpl *t)
{
	return t ? t->src : "";
}

/* ---- rendering ---- */

static void put_str(struct sbuf *b, const char *s, size_t n, enum tpart_esc esc)
{
	switch (esc) {
	case TE_RAW:
		sb_add(b, s, n);
		break;
	case TE_JSTR:
		sb_add_jstr(b, s, n);
		break;
	case TE_JVAL:
		sb_add(b, "\"", 1);
		sb_add_jstr(b, s, n);
		sb_add(b, "\"", 1);
		break;
	}
}

static void put_int(struct sbuf *b, int64_t v)
{
	char num[24];
	int n = snprintf(num, sizeof(num), "%" PRId64, v);

	sb_add(b, num, (size_t)n);
}

static void put_json(struct sbuf *b, const cJSON *node, enum tpart_esc esc)
{
	char num[32], *printed;

	if (cJSON_IsString(node)) {
		put_str(b, node->valuestring, strlen(node->valuestring), esc);
	} else if (cJSON_IsNumber(node)) {
		fmt_number(node->valuedouble, num);
		sb_adds(b, num);
	} else if (cJSON_IsBool(node)) {
		sb_adds(b, cJSON_IsTrue(node) ? "true" : "false");
	} else if (cJSON_IsObject(node) || cJSON_IsArray(node)) {
		printed = cJSON_PrintUnformatted(node);
		if (!printed) {
			b->oom = 1;
			return;
		}
		put_str(b, printed, strlen(printed), esc);
		cJSON_free(printed);
	} else {
		put_str(b, "", 0, esc); /* absent or null: no value */
	}
}

static const char *var_value(const struct scen_vars *v, const struct tpart *p)
{
	size_t i;

	/* The slot given at compile time is right whenever v came from
	 * scen_vars_init(); the name check keeps other layouts working. */
	if (p->idx < v->ncaps && v->cap_names[p->idx] && !strcmp(v->cap_names[p->idx], p->text))
		return v->cap_values[p->idx];
	for (i = 0; i < v->ncaps; i++)
		if (v->cap_names[i] && !strcmp(v->cap_names[i], p->text))
			return v->cap_values[i];
	return NULL;
}

static void put_uuid(struct sbuf *b, uint64_t *rng)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char r[16];
	char out[36];
	uint64_t hi = (uint64_t)scen_rand_range(rng, INT64_MIN, INT64_MAX);
	uint64_t lo = (uint64_t)scen_rand_range(rng, INT64_MIN, INT64_MAX);
	size_t i, o = 0;

	for (i = 0; i < 8; i++) {
		r[i] = (unsigned char)(hi >> (8 * i));
		r[8 + i] = (unsigned char)(lo >> (8 * i));
	}
	r[6] = (unsigned char)((r[6] & 0x0f) | 0x40); /* version 4 */
	r[8] = (unsigned char)((r[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[r[i] >> 4];
		out[o++] = hex[r[i] & 15];
	}
	sb_add(b, out, sizeof(out));
}

char *scen_render(const struct scen_tmpl *t, const struct scen_vars *v)
{
	struct sbuf b = { 0 };
	uint64_t local_rng = 0x9e3779b97f4a7c15ULL ^ v->vu ^ (v->iter << 32);
	uint64_t *rng = v->rng ? v->rng : &local_rng;
	size_t i, k;

	sb_reserve(&b, t->lit_len + 16 * t->nparts);
	if (!b.oom)
		b.p[0] = '\0';
	for (i = 0; i < t->nparts && !b.oom; i++) {
		const struct tpart *p = &t->parts[i];
		const cJSON *node;
		const char *s;

		switch (p->kind) {
		case TP_TEXT:
			sb_add(&b, p->text, p->len);
			break;
		case TP_DATA:
			node = v->picks && v->sc && p->idx < v->sc->ndata ? v->picks[p->idx] : NULL;
			for (k = 0; k < p->nsegs && node; k++)
				node = tmpl_json_child(node, p->segs[k], p->seglens[k]);
			put_json(&b, node, p->esc);
			break;
		case TP_VAR:
			s = var_value(v, p);
			put_str(&b, s ? s : "", s ? strlen(s) : 0, p->esc);
			break;
		case TP_ENV:
			put_str(&b, p->text ? p->text : "", p->len, p->esc);
			break;
		case TP_VU:
			put_int(&b, v->vu);
			break;
		case TP_ITER:
			put_int(&b, (int64_t)v->iter);
			break;
		case TP_RANDINT:
			put_int(&b, scen_rand_range(rng, p->lo, p->hi));
			break;
		case TP_RANDITEM:
			s = p->items[scen_rand_range(rng, 0, (int64_t)p->nitems - 1)];
			put_str(&b, s, strlen(s), p->esc);
			break;
		case TP_UUID:
			if (p->esc == TE_JVAL)
				sb_add(&b, "\"", 1);
			put_uuid(&b, rng);
			if (p->esc == TE_JVAL)
				sb_add(&b, "\"", 1);
			break;
		}
	}
	if (b.oom) {
		free(b.p);
		errno = ENOMEM;
		return NULL;
	}
	return b.p;
}
