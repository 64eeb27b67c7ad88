/* SPDX-License-Identifier: GPL-2.0-only */
/* Loading a scenario: the JSON is read with cJSON, every key is checked
 * against what its place allows, and the result becomes plain structs with
 * compiled templates. Also the executors' VU schedules, per-VU variables and
 * captures from JSON responses. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <cJSON.h>

#include "jsonpath.h"
#include "scenario.h"
#include "template.h"

#define DEFAULT_GRACEFUL_STOP_MS 30000
#define MAX_VUS 10000000
#define MAX_DURATION_MS (400LL * 24 * 3600 * 1000)
#define MAX_RATE 10000000 /* iterations per timeUnit */
#define MAX_ITERATIONS 1000000000000LL
#define DEFAULT_MAX_DURATION_MS 600000 /* per-vu and shared iterations, as k6 */

/* State of one scen_load: where we are in the document, for messages. */
struct ld {
	struct jpath jp; /* where the reader is, for messages */
	struct scenario *sc;
	char *dir;   /* the scenario's folder, for data files */
	char **caps; /* every captured variable, first capture first */
	size_t ncaps, capcap;
};

/* The value as a message shows it: strings quoted and cut, containers elided. */
static const char *show(const cJSON *v, char *buf, size_t len)
{
	if (cJSON_IsString(v)) {
		if (strlen(v->valuestring) > 60)
			snprintf(buf, len, "\"%.57s...\"", v->valuestring);
		else
			snprintf(buf, len, "\"%s\"", v->valuestring);
	} else if (cJSON_IsNumber(v)) {
		if (v->valuedouble == floor(v->valuedouble) && fabs(v->valuedouble) < 1e15)
			snprintf(buf, len, "%lld", (long long)v->valuedouble);
		else
			snprintf(buf, len, "%g", v->valuedouble);
	} else if (cJSON_IsObject(v)) {
		snprintf(buf, len, "{...}");
	} else if (cJSON_IsArray(v)) {
		snprintf(buf, len, "[...]");
	} else {
		snprintf(buf, len, "%s", cJSON_IsTrue(v) ? "true" : cJSON_IsFalse(v) ? "false" : "null");
	}
	return buf;
}

/* "a, b, c" from a NULL-terminated list. */
static void join(char *out, size_t outlen, const char *const *names)
{
	size_t used = 0, i;

	out[0] = '\0';
	for (i = 0; names[i] && used + 1 < outlen; i++) {
		int w = snprintf(out + used, outlen - used, "%s%s", i ? ", " : "", names[i]);

		if (w < 0)
			break;
		used += (size_t)w;
	}
}

/* ---- reading JSON ---- */

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL, *nb;
	size_t cap = 0, n = 0, got;

	if (!f)
		return NULL;
	for (;;) {
		if (cap - n < 4096) {
			cap = cap ? cap * 2 : 65536;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				free(buf);
				fclose(f);
				errno = ENOMEM;
				return NULL;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0) {
			if (ferror(f)) {
				int e = errno ? errno : EIO;

				free(buf);
				fclose(f);
				errno = e;
				return NULL;
			}
			break;
		}
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* 1 when buf ends inside a string or with a bracket or brace still open. */
static int unclosed(const char *buf, size_t len)
{
	size_t i, depth = 0;
	int in_str = 0;

	for (i = 0; i < len; i++) {
		char c = buf[i];

		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = 0;
		} else if (c == '"') {
			in_str = 1;
		} else if (c == '{' || c == '[') {
			depth++;
		} else if ((c == '}' || c == ']') && depth) {
			depth--;
		}
	}
	return in_str || depth;
}

/* Parse buf as one JSON value; on a syntax error write "line L, column C:
 * ..." into why and return NULL with errno EINVAL. */
static cJSON *parse_json(const char *buf, size_t len, char *why, size_t whylen)
{
	const char *end = NULL, *p;
	size_t line = 1, col = 1, i, pos, n;
	int trailing = 0;
	cJSON *root;
	char near[40];

	for (i = 0; i < len && isspace((unsigned char)buf[i]); i++)
		;
	if (i == len) {
		snprintf(why, whylen, "the file is empty (expected a JSON document)");
		errno = EINVAL;
		return NULL;
	}
	/* cJSON reports a failed allocation as a syntax error; malloc's errno
	 * tells them apart. */
	errno = 0;
	root = cJSON_ParseWithLengthOpts(buf, len, &end, 0);
	if (!root && errno == ENOMEM)
		return NULL;
	if (root) {
		/* cJSON stops after the first value; anything but blanks after it
		 * is as much a mistake as a syntax error inside. */
		for (p = end; p < buf + len && isspace((unsigned char)*p); p++)
			;
		if (p == buf + len)
			return root;
		cJSON_Delete(root);
		end = p;
		trailing = 1;
	}
	pos = end && end >= buf && end <= buf + len ? (size_t)(end - buf) : len;
	if (!trailing && unclosed(buf, len))
		pos = len; /* cJSON points at the last byte; the fault is the end */
	for (i = 0; i < pos; i++) {
		if (buf[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	/* Show the error's neighbourhood on its line: a little before (where a
	 * missing comma usually is) and a little after. */
	for (i = pos; !trailing && i > 0 && pos - i < 16 && buf[i - 1] != '\n'; i--)
		;
	while (i < pos && isspace((unsigned char)buf[i]))
		i++;
	for (n = 0; i + n < len && n < sizeof(near) - 1 && (i + n < pos + 16) &&
		    buf[i + n] != '\n' && buf[i + n] != '\r';
	     n++)
		near[n] = buf[i + n];
	near[n] = '\0';
	if (trailing)
		snprintf(why, whylen, "line %zu, column %zu: invalid JSON: '%s' after the end of the document "
			 "(one brace too many?)", line, col, near);
	else if (pos >= len)
		snprintf(why, whylen, "line %zu, column %zu: invalid JSON: the document ends too early "
			 "(an unclosed bracket, brace or string?)", line, col);
	else
		snprintf(why, whylen, "line %zu, column %zu: invalid JSON at or before '%s' "
			 "(a missing comma or quote, or a trailing comma?)", line, col, near);
	errno = EINVAL;
	return NULL;
}

/* ---- keys and values ---- */

/* Keys any object may carry as free text: "_anything", "description",
 * "comment". */
static int free_text_key(const char *k)
{
	return k[0] == '_' || !strcmp(k, "description") || !strcmp(k, "comment");
}

static int in_list(const char *k, const char *const *list)
{
	for (; list && *list; list++)
		if (!strcmp(k, *list))
			return 1;
	return 0;
}

/* Every key of obj must be in allowed (or free text) and appear once, so a
 * typo fails loudly instead of being ignored. notyet: k6 option names that
 * loadlens does not implement yet, for a message that says so. */
static int check_keys(struct ld *l, const cJSON *obj, const char *const *allowed,
		      const char *const *notyet, const char *where)
{
	const cJSON *c, *d;
	char list[256];

	for (c = obj->child; c; c = c->next) {
		for (d = obj->child; d != c; d = d->next) {
			if (!strcmp(d->string, c->string)) {
				jpath_key(&l->jp, c->string);
				return jpath_fail(&l->jp, "duplicate key (each key may appear once)");
			}
		}
		if (free_text_key(c->string) || in_list(c->string, allowed))
			continue;
		jpath_key(&l->jp, c->string);
		if (in_list(c->string, notyet))
			return jpath_fail(&l->jp, "a k6 option that loadlens does not support yet (remove it to run "
				    "without it)");
		join(list, sizeof(list), allowed);
		return jpath_fail(&l->jp, "unknown key%s%s (expected one of: %s)", where ? " for " : "",
			    where ? where : "", list);
	}
	return 0;
}

/* Named maps ("scenarios", "flows", "data"): free-text keys are comments,
 * the others are names and must be unique. Returns how many names. */
static int count_names(struct ld *l, const cJSON *obj, size_t *n)
{
	const cJSON *c, *d;

	*n = 0;
	for (c = obj->child; c; c = c->next) {
		if (free_text_key(c->string))
			continue;
		for (d = obj->child; d != c; d = d->next) {
			if (!strcmp(d->string, c->string)) {
				jpath_key(&l->jp, c->string);
				return jpath_fail(&l->jp, "duplicate name (each name may appear once)");
			}
		}
		if (!c->string[0]) {
			jpath_key(&l->jp, c->string);
			return jpath_fail(&l->jp, "empty name");
		}
		(*n)++;
	}
	return 0;
}

static int need_object(struct ld *l, const cJSON *v, const char *example)
{
	char vb[80];

	if (cJSON_IsObject(v))
		return 0;
	return jpath_fail(&l->jp, "%s is %s, not an object (expected e.g. %s)", show(v, vb, sizeof(vb)),
		    jpath_type_name(v), example);
}

static int need_string(struct ld *l, const cJSON *v, const char *expected)
{
	char vb[80];

	if (cJSON_IsString(v) && v->valuestring[0])
		return 0;
	if (cJSON_IsString(v))
		return jpath_fail(&l->jp, "empty string (expected %s)", expected);
	return jpath_fail(&l->jp, "%s is %s, not a string (expected %s)", show(v, vb, sizeof(vb)),
		    jpath_type_name(v), expected);
}

/* obj.key as a whole number in [min, max]; def when absent and !required. */
static int get_int(struct ld *l, const cJSON *obj, const char *key, int required, int64_t def,
		   int64_t min, int64_t max, const char *what, int64_t *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	char vb[80];
	size_t saved;
	int rc = 0;

	if (!v && !required) {
		*out = def;
		return 0;
	}
	saved = jpath_key(&l->jp, key);
	if (!v)
		rc = jpath_fail(&l->jp, "missing (expected %s, an integer from %lld to %lld)", what,
			  (long long)min, (long long)max);
	else if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) ||
		 v->valuedouble < (double)min || v->valuedouble > (double)max)
		rc = jpath_fail(&l->jp, "%s is not a valid %s (expected an integer from %lld to %lld)",
			  show(v, vb, sizeof(vb)), what, (long long)min, (long long)max);
	else
		*out = (int64_t)v->valuedouble;
	if (!rc)
		jpath_pop(&l->jp, saved);
	return rc;
}

#define DURATION_HELP "expected e.g. \"30s\", \"2m\", \"1m30s\""

/* A duration value at the current path into *ms, at least min_ms. */
static int read_duration(struct ld *l, const cJSON *v, int64_t min_ms, int64_t *ms)
{
	char vb[80];

	if (cJSON_IsNumber(v)) {
		if (v->valuedouble == floor(v->valuedouble) && fabs(v->valuedouble) < 1e9)
			return jpath_fail(&l->jp, "%s is a number, not a duration (write the unit, e.g. \"%llds\" "
				    "or \"%lldms\")", show(v, vb, sizeof(vb)),
				    (long long)v->valuedouble, (long long)v->valuedouble);
		return jpath_fail(&l->jp, "%s is a number, not a duration (%s)", show(v, vb, sizeof(vb)),
			    DURATION_HELP);
	}
	if (!cJSON_IsString(v) || scen_parse_duration(v->valuestring, ms))
		return jpath_fail(&l->jp, "%s is not a duration (%s)", show(v, vb, sizeof(vb)), DURATION_HELP);
	if (*ms < min_ms)
		return jpath_fail(&l->jp, "%s is too short (expected a duration above 0, e.g. \"30s\")",
			    show(v, vb, sizeof(vb)));
	return 0;
}

static int get_duration(struct ld *l, const cJSON *obj, const char *key, int required,
			int64_t def, int64_t min_ms, int64_t *ms)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	size_t saved;
	int rc;

	if (!v && !required) {
		*ms = def;
		return 0;
	}
	saved = jpath_key(&l->jp, key);
	if (!v)
		return jpath_fail(&l->jp, "missing (%s)", DURATION_HELP);
	rc = read_duration(l, v, min_ms, ms);
	if (!rc)
		jpath_pop(&l->jp, saved);
	return rc;
}

static int dup_str(char **dst, const char *src)
{
	*dst = strdup(src);
	return *dst ? 0 : -ENOMEM;
}

/* ---- durations ---- */

int scen_parse_duration(const char *s, int64_t *ms)
{
	double total = 0;
	const char *p = s;

	if (!s || !*s)
		return -EINVAL;
	if (!strcmp(s, "0")) {
		*ms = 0;
		return 0;
	}
	while (*p) {
		double v = 0, scale = 1, unit;
		int digits = 0;

		for (; isdigit((unsigned char)*p); p++, digits++)
			v = v * 10 + (*p - '0');
		if (*p == '.') {
			for (p++; isdigit((unsigned char)*p); p++, digits++) {
				scale /= 10;
				v += (*p - '0') * scale;
			}
		}
		if (!digits)
			return -EINVAL;
		if (p[0] == 'm' && p[1] == 's') {
			unit = 1;
			p += 2;
		} else if (*p == 's') {
			unit = 1000;
			p++;
		} else if (*p == 'm') {
			unit = 60e3;
			p++;
		} else if (*p == 'h') {
			unit = 3600e3;
			p++;
		} else if (*p == 'd') {
			unit = 86400e3;
			p++;
		} else {
			return -EINVAL;
		}
		total += v * unit;
		if (total > (double)MAX_DURATION_MS)
			return -EINVAL;
	}
	*ms = llround(total);
	return 0;
}

/* ---- data sets ---- */

static int load_data_file(struct ld *l, struct scen_data *d, const char *file)
{
	char why[256];
	size_t len, i;
	char *buf;
	cJSON *item;

	if (file[0] == '/' || !l->dir[0])
		d->path = strdup(file);
	else if (asprintf(&d->path, "%s/%s", l->dir, file) < 0)
		d->path = NULL;
	if (!d->path)
		return -ENOMEM;
	buf = read_file(d->path, &len);
	if (!buf) {
		if (errno == ENOMEM)
			return -ENOMEM;
		return jpath_fail(&l->jp, "cannot read \"%s\" (%s): %s", file, d->path, strerror(errno));
	}
	d->items = parse_json(buf, len, why, sizeof(why));
	free(buf);
	if (!d->items) {
		if (errno == ENOMEM)
			return -ENOMEM;
		return jpath_fail(&l->jp, "\"%s\" is not valid JSON: %s", file, why);
	}
	if (!cJSON_IsArray(d->items))
		return jpath_fail(&l->jp, "\"%s\" holds %s (expected a non-empty JSON array of objects)", file,
			    jpath_type_name(d->items));
	d->nitems = (size_t)cJSON_GetArraySize(d->items);
	if (!d->nitems)
		return jpath_fail(&l->jp, "\"%s\" is an empty array (expected a non-empty JSON array of objects)",
			    file);
	i = 0;
	cJSON_ArrayForEach(item, d->items) {
		if (!cJSON_IsObject(item))
			return jpath_fail(&l->jp, "\"%s\": item [%zu] is %s (expected a non-empty JSON array of objects)",
				    file, i, jpath_type_name(item));
		i++;
	}
	return 0;
}

static int load_data(struct ld *l, const cJSON *data)
{
	static const char *const keys[] = { "file", "pick", NULL };
	struct scenario *sc = l->sc;
	const cJSON *c, *v;
	const char *problem;
	size_t n, k = 0, saved, s2;
	int rc;

	if (!data)
		return 0;
	saved = jpath_key(&l->jp, "data");
	rc = need_object(l, data, "{\"users\": {\"file\": \"data/users.json\", \"pick\": \"vu\"}}");
	if (!rc)
		rc = count_names(l, data, &n);
	if (rc)
		return rc;
	sc->data = calloc(n ? n : 1, sizeof(*sc->data));
	if (!sc->data)
		return -ENOMEM;
	sc->ndata = n;
	for (c = data->child; c; c = c->next) {
		struct scen_data *d = &sc->data[k];

		if (free_text_key(c->string))
			continue;
		k++;
		s2 = jpath_key(&l->jp, c->string);
		problem = tmpl_name_problem(c->string);
		if (problem)
			return jpath_fail(&l->jp, "\"%s\" %s", c->string, problem);
		rc = need_object(l, c, "{\"file\": \"data/users.json\", \"pick\": \"vu\"}");
		if (!rc)
			rc = check_keys(l, c, keys, NULL, NULL);
		if (!rc)
			rc = dup_str(&d->name, c->string);
		if (rc)
			return rc;
		v = cJSON_GetObjectItemCaseSensitive(c, "pick");
		d->pick = SCEN_PICK_VU;
		if (v) {
			char vb[80];
			size_t s3 = jpath_key(&l->jp, "pick");

			if (!cJSON_IsString(v) ||
			    (strcmp(v->valuestring, "vu") && strcmp(v->valuestring, "random")))
				return jpath_fail(&l->jp, "%s is not a pick mode (expected \"vu\": item (VU-1) %% n, or "
					    "\"random\": a new item each iteration)", show(v, vb, sizeof(vb)));
			if (!strcmp(v->valuestring, "random"))
				d->pick = SCEN_PICK_RANDOM;
			jpath_pop(&l->jp, s3);
		}
		v = cJSON_GetObjectItemCaseSensitive(c, "file");
		jpath_key(&l->jp, "file");
		if (!v)
			return jpath_fail(&l->jp, "missing (expected the path of a JSON array of objects, relative "
				    "to the scenario's folder)");
		rc = need_string(l, v, "the path of a JSON array of objects");
		if (!rc)
			rc = load_data_file(l, d, v->valuestring);
		if (rc)
			return rc;
		jpath_pop(&l->jp, s2);
	}
	jpath_pop(&l->jp, saved);
	return 0;
}

static const struct scen_data *find_data(const struct scenario *sc, const char *name)
{
	size_t i;

	for (i = 0; i < sc->ndata; i++)
		if (!strcmp(sc->data[i].name, name))
			return &sc->data[i];
	return NULL;
}

/* ---- flows ---- */

static int add_cap(struct ld *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->ncaps; i++)
		if (!strcmp(l->caps[i], name))
			return 0;
	if (l->ncaps == l->capcap) {
		size_t ncap = l->capcap ? l->capcap * 2 : 8;
		char **nc = realloc(l->caps, ncap * sizeof(*nc));

		if (!nc)
			return -ENOMEM;
		l->caps = nc;
		l->capcap = ncap;
	}
	l->caps[l->ncaps] = strdup(name);
	if (!l->caps[l->ncaps])
		return -ENOMEM;
	l->ncaps++;
	return 0;
}

/* A bare {{var}} is valid when any step of any flow captures var, so the
 * names are gathered before any template is compiled. Malformed captures are
 * skipped here and reported, in document order, by the full pass. */
static int collect_caps(struct ld *l, const cJSON *flows)
{
	const cJSON *flow, *step, *req, *cap, *c;
	int rc;

	cJSON_ArrayForEach(flow, flows) {
		if (!cJSON_IsArray(flow) || free_text_key(flow->string))
			continue;
		cJSON_ArrayForEach(step, flow) {
			if (!cJSON_IsObject(step))
				continue;
			req = cJSON_GetObjectItemCaseSensitive(step, "request");
			if (!cJSON_IsObject(req))
				continue;
			cap = cJSON_GetObjectItemCaseSensitive(req, "capture");
			if (!cJSON_IsObject(cap))
				continue;
			cJSON_ArrayForEach(c, cap) {
				if (tmpl_name_problem(c->string) || find_data(l->sc, c->string))
					continue;
				rc = add_cap(l, c->string);
				if (rc)
					return rc;
			}
		}
	}
	return 0;
}

static const char *const methods[] = { "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS",
					NULL };

static int is_tchar(char c)
{
	return isalnum((unsigned char)c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* Compile the template in string v at the current path. */
static int compile_at(struct ld *l, const cJSON *v, struct scen_tmpl **out)
{
	struct tmpl_scope scope = { l->sc->data, l->sc->ndata, l->caps, l->ncaps };
	char why[512];

	*out = tmpl_compile(v->valuestring, &scope, why, sizeof(why));
	if (*out)
		return 0;
	if (errno == EINVAL)
		return jpath_fail(&l->jp, "%s", why);
	return -errno;
}

static int load_url(struct ld *l, const cJSON *req, struct scen_request *r)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(req, "url");
	const char *u;
	char vb[80];
	size_t saved = jpath_key(&l->jp, "url");
	int rc;

	if (!v)
		return jpath_fail(&l->jp, "missing (expected a path under baseURL such as \"/api/v1/products\", "
			    "or an absolute http:// or https:// URL)");
	rc = need_string(l, v, "a path such as \"/api/v1/products\" or an absolute URL");
	if (rc)
		return rc;
	u = v->valuestring;
	if (u[0] == '/') {
		if (!l->sc->base_url)
			return jpath_fail(&l->jp, "%s is relative but there is no baseURL (set \"baseURL\" in the "
				    "file or BASE_URL in the environment)", show(v, vb, sizeof(vb)));
	} else if (strncasecmp(u, "http://", 7) && strncasecmp(u, "https://", 8) &&
		   strncmp(u, "{{", 2)) {
		return jpath_fail(&l->jp, "%s is not a URL (expected a path starting with / under baseURL, or an "
			    "absolute http:// or https:// URL)", show(v, vb, sizeof(vb)));
	}
	rc = compile_at(l, v, &r->url);
	if (!rc)
		jpath_pop(&l->jp, saved);
	return rc;
}

static int load_headers(struct ld *l, const cJSON *hdrs, struct scen_request *r)
{
	const cJSON *c, *d;
	size_t saved = jpath_key(&l->jp, "headers"), s2, i;
	int rc = need_object(l, hdrs, "{\"Authorization\": \"Bearer {{token}}\"}");

	if (rc)
		return rc;
	r->nheaders = (size_t)cJSON_GetArraySize(hdrs);
	r->headers = calloc(r->nheaders ? r->nheaders : 1, sizeof(*r->headers));
	if (!r->headers)
		return -ENOMEM;
	i = 0;
	cJSON_ArrayForEach(c, hdrs) {
		const char *k = c->string;
		size_t j;

		s2 = jpath_key(&l->jp, k);
		for (j = 0; k[j] && is_tchar(k[j]); j++)
			;
		if (!k[0] || k[j])
			return jpath_fail(&l->jp, "\"%s\" is not a header name (expected letters, digits and "
				    "-, e.g. \"X-Request-Id\")", k);
		for (d = hdrs->child; d != c; d = d->next)
			if (!strcasecmp(d->string, k))
				return jpath_fail(&l->jp, "duplicate header (\"%s\" is already set)", d->string);
		if (!cJSON_IsString(c))
			rc = need_string(l, c, "a header value, e.g. \"Bearer {{token}}\"");
		if (!rc)
			rc = dup_str(&r->headers[i].name, k);
		if (!rc)
			rc = compile_at(l, c, &r->headers[i].value);
		if (rc)
			return rc;
		jpath_pop(&l->jp, s2);
		i++;
	}
	jpath_pop(&l->jp, saved);
	return 0;
}

static int load_captures(struct ld *l, const cJSON *caps, struct scen_request *r)
{
	const cJSON *c;
	size_t saved = jpath_key(&l->jp, "capture"), s2, i = 0;
	const char *problem;
	int rc = need_object(l, caps, "{\"token\": \"token\", \"order_id\": \"data.id\"}");

	if (rc)
		return rc;
	r->ncaptures = (size_t)cJSON_GetArraySize(caps);
	r->captures = calloc(r->ncaptures ? r->ncaptures : 1, sizeof(*r->captures));
	if (!r->captures)
		return -ENOMEM;
	cJSON_ArrayForEach(c, caps) {
		const char *p;
		char vb[80];

		s2 = jpath_key(&l->jp, c->string);
		problem = tmpl_name_problem(c->string);
		if (problem)
			return jpath_fail(&l->jp, "\"%s\" %s", c->string, problem);
		if (find_data(l->sc, c->string))
			return jpath_fail(&l->jp, "\"%s\" is already the name of a data set (choose another name)",
				    c->string);
		rc = need_string(l, c, "a dotted JSON path such as \"token\", \"data.id\" or "
				 "\"items.0.id\"");
		if (rc)
			return rc;
		p = c->valuestring;
		if (p[0] == '$')
			return jpath_fail(&l->jp, "%s: write the path without \"$\" (expected e.g. \"data.id\", "
				    "\"items.0.id\")", show(c, vb, sizeof(vb)));
		if (p[0] == '.' || p[strlen(p) - 1] == '.' || strstr(p, ".."))
			return jpath_fail(&l->jp, "%s has an empty segment (expected e.g. \"token\", \"data.id\", "
				    "\"items.0.id\")", show(c, vb, sizeof(vb)));
		rc = dup_str(&r->captures[i].var, c->string);
		if (!rc)
			rc = dup_str(&r->captures[i].path, p);
		if (rc)
			return rc;
		jpath_pop(&l->jp, s2);
		i++;
	}
	jpath_pop(&l->jp, saved);
	return 0;
}

static int load_body(struct ld *l, const cJSON *req, struct scen_request *r)
{
	const cJSON *json = cJSON_GetObjectItemCaseSensitive(req, "json");
	const cJSON *body = cJSON_GetObjectItemCaseSensitive(req, "body");
	struct tmpl_scope scope = { l->sc->data, l->sc->ndata, l->caps, l->ncaps };
	char why[512], where[256];
	size_t saved;
	int rc;

	if (json && body)
		return jpath_fail(&l->jp, "has both \"json\" and \"body\" (expected one: \"json\" for a JSON "
			    "value, \"body\" for raw text)");
	if (body) {
		saved = jpath_key(&l->jp, "body");
		if (!cJSON_IsString(body))
			return jpath_fail(&l->jp, "%s is not a string (expected raw text; use \"json\" for a JSON "
				    "body)", jpath_type_name(body));
		rc = compile_at(l, body, &r->body);
		if (!rc)
			jpath_pop(&l->jp, saved);
		return rc;
	}
	if (!json)
		return 0;
	r->body_is_json = 1;
	r->body = tmpl_compile_json(json, &scope, where, sizeof(where), why, sizeof(why));
	if (r->body)
		return 0;
	if (errno != EINVAL)
		return -errno;
	jpath_key(&l->jp, "json");
	jpath_push(&l->jp, "%s", where);
	return jpath_fail(&l->jp, "%s", why);
}

static int load_expect(struct ld *l, const cJSON *exp, struct scen_request *r)
{
	static const char *const keys[] = { "status", NULL };
	size_t saved = jpath_key(&l->jp, "expect");
	int64_t status;
	int rc = need_object(l, exp, "{\"status\": 200}");

	if (!rc)
		rc = check_keys(l, exp, keys, NULL, NULL);
	if (!rc)
		rc = get_int(l, exp, "status", 1, 0, 100, 599, "HTTP status", &status);
	if (rc)
		return rc;
	r->expect_status = (int)status;
	jpath_pop(&l->jp, saved);
	return 0;
}

static int load_request(struct ld *l, const cJSON *req, struct scen_request *r)
{
	static const char *const keys[] = { "name", "method", "url", "headers", "json", "body",
					    "capture", "expect", NULL };
	static const char *const notyet[] = { "params", "timeout", "redirects", "checks", "form",
					      NULL };
	size_t saved = jpath_key(&l->jp, "request"), i;
	const cJSON *v;
	char vb[80], list[128];
	int rc = need_object(l, req, "{\"method\": \"GET\", \"url\": \"/\"}");

	if (!rc)
		rc = check_keys(l, req, keys, notyet, NULL);
	if (rc)
		return rc;
	v = cJSON_GetObjectItemCaseSensitive(req, "method");
	if (v) {
		size_t s2 = jpath_key(&l->jp, "method");

		join(list, sizeof(list), methods);
		if (!cJSON_IsString(v))
			return jpath_fail(&l->jp, "%s is not an HTTP method (expected one of: %s)",
				    show(v, vb, sizeof(vb)), list);
		for (i = 0; methods[i] && strcasecmp(methods[i], v->valuestring); i++)
			;
		if (!methods[i])
			return jpath_fail(&l->jp, "%s is not an HTTP method (expected one of: %s)",
				    show(v, vb, sizeof(vb)), list);
		r->method = strdup(methods[i]);
		jpath_pop(&l->jp, s2);
	} else {
		r->method = strdup("GET");
	}
	if (!r->method)
		return -ENOMEM;
	rc = load_url(l, req, r);
	if (rc)
		return rc;
	v = cJSON_GetObjectItemCaseSensitive(req, "name");
	if (v) {
		size_t s2 = jpath_key(&l->jp, "name");

		rc = need_string(l, v, "a name for the request's metrics, e.g. \"login\"");
		if (rc)
			return rc;
		r->name = strdup(v->valuestring);
		jpath_pop(&l->jp, s2);
	} else if (asprintf(&r->name, "%s %s", r->method, scen_tmpl_source(r->url)) < 0) {
		r->name = NULL;
	}
	if (!r->name)
		return -ENOMEM;
	v = cJSON_GetObjectItemCaseSensitive(req, "headers");
	if (v && (rc = load_headers(l, v, r)))
		return rc;
	rc = load_body(l, req, r);
	if (rc)
		return rc;
	v = cJSON_GetObjectItemCaseSensitive(req, "capture");
	if (v && (rc = load_captures(l, v, r)))
		return rc;
	v = cJSON_GetObjectItemCaseSensitive(req, "expect");
	if (v && (rc = load_expect(l, v, r)))
		return rc;
	jpath_pop(&l->jp, saved);
	return 0;
}

static int load_think(struct ld *l, const cJSON *v, struct scen_step *st)
{
	static const char *const keys[] = { "min", "max", NULL };
	size_t saved = jpath_key(&l->jp, "think");
	char vb[80];
	int rc;

	st->kind = SCEN_STEP_THINK;
	if (!cJSON_IsObject(v) && !cJSON_IsString(v) && !cJSON_IsNumber(v))
		return jpath_fail(&l->jp, "%s is not a think time (expected a duration such as \"2s\", or "
			    "{\"min\": \"1s\", \"max\": \"3s\"})", show(v, vb, sizeof(vb)));
	if (cJSON_IsObject(v)) {
		rc = check_keys(l, v, keys, NULL, NULL);
		if (!rc)
			rc = get_duration(l, v, "min", 1, 0, 0, &st->u.think.min_ms);
		if (!rc)
			rc = get_duration(l, v, "max", 1, 0, 0, &st->u.think.max_ms);
		if (!rc && st->u.think.max_ms < st->u.think.min_ms) {
			char vb2[80];

			jpath_key(&l->jp, "max");
			rc = jpath_fail(&l->jp, "%s is below min %s (expected max >= min)",
				  show(cJSON_GetObjectItemCaseSensitive(v, "max"), vb, sizeof(vb)),
				  show(cJSON_GetObjectItemCaseSensitive(v, "min"), vb2, sizeof(vb2)));
		}
	} else {
		rc = read_duration(l, v, 0, &st->u.think.min_ms);
		st->u.think.max_ms = st->u.think.min_ms;
	}
	if (!rc)
		jpath_pop(&l->jp, saved);
	return rc;
}

static int load_step(struct ld *l, const cJSON *s, struct scen_step *st)
{
	static const char *const keys[] = { "request", "think", "probability", NULL };
	static const char *const notyet[] = { "group", "page", "loop", "check", "metric", NULL };
	const cJSON *req, *think, *prob;
	char vb[80];
	int rc = need_object(l, s, "{\"request\": {\"url\": \"/\"}} or {\"think\": \"2s\"}");

	if (!rc)
		rc = check_keys(l, s, keys, notyet, NULL);
	if (rc)
		return rc;
	req = cJSON_GetObjectItemCaseSensitive(s, "request");
	think = cJSON_GetObjectItemCaseSensitive(s, "think");
	prob = cJSON_GetObjectItemCaseSensitive(s, "probability");
	if (req && think)
		return jpath_fail(&l->jp, "has both \"request\" and \"think\" (expected one per step)");
	if (!req && !think)
		return jpath_fail(&l->jp, "has neither \"request\" nor \"think\" (expected one per step)");
	st->probability = 1.0;
	if (prob) {
		size_t saved = jpath_key(&l->jp, "probability");

		if (!cJSON_IsNumber(prob) || !(prob->valuedouble >= 0 && prob->valuedouble <= 1))
			return jpath_fail(&l->jp, "%s is not a probability (expected a number from 0 to 1, e.g. 0.2)",
				    show(prob, vb, sizeof(vb)));
		st->probability = prob->valuedouble;
		jpath_pop(&l->jp, saved);
	}
	if (think)
		return load_think(l, think, st);
	st->kind = SCEN_STEP_REQUEST;
	return load_request(l, req, &st->u.req);
}

/* Flow names first: scenarios refer to flows by name ("exec"). */
static int load_flow_names(struct ld *l, const cJSON *flows)
{
	struct scenario *sc = l->sc;
	const cJSON *c;
	size_t n, k = 0, saved = jpath_key(&l->jp, "flows");
	int rc;

	if (!flows)
		return jpath_fail(&l->jp, "missing (expected e.g. \"flows\": {\"default\": [{\"request\": "
			    "{\"url\": \"/\"}}]})");
	rc = need_object(l, flows, "{\"default\": [{\"request\": {\"url\": \"/\"}}]}");
	if (!rc)
		rc = count_names(l, flows, &n);
	if (rc)
		return rc;
	if (!n)
		return jpath_fail(&l->jp, "no flows (expected at least one, e.g. \"default\": [{\"request\": "
			    "{\"url\": \"/\"}}])");
	sc->flows = calloc(n, sizeof(*sc->flows));
	if (!sc->flows)
		return -ENOMEM;
	sc->nflows = n;
	cJSON_ArrayForEach(c, flows) {
		if (free_text_key(c->string))
			continue;
		sc->flows[k].name = strdup(c->string);
		if (!sc->flows[k++].name)
			return -ENOMEM;
	}
	jpath_pop(&l->jp, saved);
	return 0;
}

static int load_flows(struct ld *l, const cJSON *flows)
{
	struct scenario *sc = l->sc;
	const cJSON *c, *s;
	size_t k = 0, saved = jpath_key(&l->jp, "flows"), s2, s3, j;
	int rc;

	cJSON_ArrayForEach(c, flows) {
		struct scen_flow *f;

		if (free_text_key(c->string))
			continue;
		f = &sc->flows[k++];
		s2 = jpath_key(&l->jp, c->string);
		if (!cJSON_IsArray(c))
			return jpath_fail(&l->jp, "%s, not an array of steps (expected e.g. [{\"request\": {\"url\": "
				    "\"/\"}}, {\"think\": \"2s\"}])", jpath_type_name(c));
		f->nsteps = (size_t)cJSON_GetArraySize(c);
		if (!f->nsteps)
			return jpath_fail(&l->jp, "empty flow (expected at least one step)");
		f->steps = calloc(f->nsteps, sizeof(*f->steps));
		if (!f->steps)
			return -ENOMEM;
		j = 0;
		cJSON_ArrayForEach(s, c) {
			s3 = jpath_push(&l->jp, "[%zu]", j);
			rc = load_step(l, s, &f->steps[j]);
			if (rc)
				return rc;
			jpath_pop(&l->jp, s3);
			j++;
		}
		jpath_pop(&l->jp, s2);
	}
	jpath_pop(&l->jp, saved);
	return 0;
}

/* ---- scenarios (executors) ---- */

static int load_tags(struct ld *l, const cJSON *tags)
{
	const cJSON *c;
	size_t saved = jpath_key(&l->jp, "tags");
	int rc = need_object(l, tags, "{\"team\": \"sales\"}");

	if (rc)
		return rc;
	cJSON_ArrayForEach(c, tags) {
		char vb[80];
		size_t s2 = jpath_key(&l->jp, c->string);

		if (!cJSON_IsString(c))
			return jpath_fail(&l->jp, "%s is %s, not a string (tag values are strings)",
				    show(c, vb, sizeof(vb)), jpath_type_name(c));
		jpath_pop(&l->jp, s2);
	}
	jpath_pop(&l->jp, saved);
	return 0;
}

/* "stages" of a ramping executor: what names the target in messages ("VU
 * target" or "iteration rate"), max its largest value. */
static int load_stages(struct ld *l, const cJSON *exec, struct scen_exec *e, const char *what,
		       int64_t max)
{
	static const char *const keys[] = { "duration", "target", NULL };
	const cJSON *stages = cJSON_GetObjectItemCaseSensitive(exec, "stages"), *s;
	size_t saved = jpath_key(&l->jp, "stages"), s2, i = 0;
	int64_t target;
	int rc;

	if (!stages)
		return jpath_fail(&l->jp, "missing (%s needs stages, e.g. [{\"duration\": \"30s\", "
			    "\"target\": 100}])", scen_executor_name(e->executor));
	if (!cJSON_IsArray(stages) || !cJSON_GetArraySize(stages))
		return jpath_fail(&l->jp, "%s (expected a non-empty array of {\"duration\", \"target\"})",
			    cJSON_IsArray(stages) ? "empty" : jpath_type_name(stages));
	e->nstages = (size_t)cJSON_GetArraySize(stages);
	e->stages = calloc(e->nstages, sizeof(*e->stages));
	if (!e->stages)
		return -ENOMEM;
	e->duration_ms = 0;
	cJSON_ArrayForEach(s, stages) {
		s2 = jpath_push(&l->jp, "[%zu]", i);
		rc = need_object(l, s, "{\"duration\": \"30s\", \"target\": 100}");
		if (!rc)
			rc = check_keys(l, s, keys, NULL, NULL);
		if (!rc)
			rc = get_duration(l, s, "duration", 1, 0, 0, &e->stages[i].duration_ms);
		if (!rc)
			rc = get_int(l, s, "target", 1, 0, 0, max, what, &target);
		if (rc)
			return rc;
		e->stages[i].target = (uint32_t)target;
		e->duration_ms += e->stages[i].duration_ms;
		jpath_pop(&l->jp, s2);
		i++;
	}
	if (e->duration_ms <= 0)
		return jpath_fail(&l->jp, "the stages add up to 0s (expected a total duration above 0)");
	if (e->duration_ms > MAX_DURATION_MS)
		return jpath_fail(&l->jp, "the stages add up to more than 400 days");
	jpath_pop(&l->jp, saved);
	return 0;
}

static const struct {
	const char *name;
	enum scen_executor kind;
} executors[] = {
	{ "constant-vus", SCEN_EXEC_CONSTANT_VUS },
	{ "ramping-vus", SCEN_EXEC_RAMPING_VUS },
	{ "constant-arrival-rate", SCEN_EXEC_CONSTANT_ARRIVAL_RATE },
	{ "ramping-arrival-rate", SCEN_EXEC_RAMPING_ARRIVAL_RATE },
	{ "per-vu-iterations", SCEN_EXEC_PER_VU_ITERATIONS },
	{ "shared-iterations", SCEN_EXEC_SHARED_ITERATIONS },
};

#define EXECUTOR_LIST "constant-vus, ramping-vus, constant-arrival-rate, ramping-arrival-rate, " \
		      "per-vu-iterations, shared-iterations"

const char *scen_executor_name(enum scen_executor x)
{
	for (size_t i = 0; i < sizeof(executors) / sizeof(executors[0]); i++)
		if (executors[i].kind == x)
			return executors[i].name;
	return "?";
}

/* The VU pool of an arrival-rate executor: preAllocatedVUs (required, as in
 * k6), maxVUs (default preAllocatedVUs, never below it) and maxVUWait. */
static int load_vu_pool(struct ld *l, const cJSON *x, struct scen_exec *e)
{
	int64_t pre, max;
	int rc;

	rc = get_int(l, x, "preAllocatedVUs", 1, 0, 0, MAX_VUS, "VU count", &pre);
	if (!rc)
		rc = get_int(l, x, "maxVUs", 0, pre, 0, MAX_VUS, "VU count", &max);
	if (!rc)
		rc = get_duration(l, x, "maxVUWait", 0, 0, 0, &e->max_vu_wait_ms);
	if (rc)
		return rc;
	if (max < pre) {
		jpath_key(&l->jp, "maxVUs");
		return jpath_fail(&l->jp, "%lld is below preAllocatedVUs %lld (expected maxVUs >= "
			    "preAllocatedVUs; leave maxVUs out to use exactly preAllocatedVUs)",
			    (long long)max, (long long)pre);
	}
	if (max == 0)
		return jpath_fail(&l->jp, "never runs a VU (preAllocatedVUs and maxVUs are 0; expected e.g. "
			    "\"preAllocatedVUs\": 10)");
	e->pre_allocated_vus = (uint32_t)pre;
	e->max_vus = (uint32_t)max;
	return 0;
}

static int load_exec(struct ld *l, const cJSON *x, struct scen_exec *e)
{
	static const char *const const_keys[] = { "executor", "vus", "duration", "startTime",
						  "gracefulStop", "exec", "tags", NULL };
	static const char *const ramp_keys[] = { "executor", "startVUs", "stages", "gracefulRampDown",
						 "startTime", "gracefulStop", "exec", "tags", NULL };
	static const char *const car_keys[] = { "executor", "rate", "timeUnit", "duration",
						"preAllocatedVUs", "maxVUs", "maxVUWait", "startTime",
						"gracefulStop", "exec", "tags", NULL };
	static const char *const rar_keys[] = { "executor", "startRate", "timeUnit", "stages",
						"preAllocatedVUs", "maxVUs", "maxVUWait", "startTime",
						"gracefulStop", "exec", "tags", NULL };
	static const char *const iter_keys[] = { "executor", "vus", "iterations", "maxDuration",
						 "startTime", "gracefulStop", "exec", "tags", NULL };
	static const char *const notyet[] = { "env", NULL };
	static const char *const later[] = { "externally-controlled", NULL };
	const cJSON *v;
	char vb[80], list[256];
	int64_t n, m;
	size_t saved, i;
	int rc = need_object(l, x, "{\"executor\": \"constant-vus\", \"vus\": 10, \"duration\": \"30s\"}");

	if (rc)
		return rc;
	v = cJSON_GetObjectItemCaseSensitive(x, "executor");
	saved = jpath_key(&l->jp, "executor");
	if (!v)
		return jpath_fail(&l->jp, "missing (expected one of: " EXECUTOR_LIST ")");
	for (i = 0; i < sizeof(executors) / sizeof(executors[0]); i++)
		if (cJSON_IsString(v) && !strcmp(v->valuestring, executors[i].name))
			break;
	if (i < sizeof(executors) / sizeof(executors[0]))
		e->executor = executors[i].kind;
	else if (cJSON_IsString(v) && in_list(v->valuestring, later))
		return jpath_fail(&l->jp, "%s is not supported yet (supported: " EXECUTOR_LIST ")",
			    show(v, vb, sizeof(vb)));
	else
		return jpath_fail(&l->jp, "%s is not an executor (expected one of: " EXECUTOR_LIST ")",
			    show(v, vb, sizeof(vb)));
	jpath_pop(&l->jp, saved);
	e->graceful_ramp_down_ms = DEFAULT_GRACEFUL_STOP_MS;
	e->time_unit_ms = 1000;
	switch (e->executor) {
	case SCEN_EXEC_CONSTANT_VUS:
		rc = check_keys(l, x, const_keys, notyet, "constant-vus");
		if (!rc)
			rc = get_int(l, x, "vus", 1, 0, 1, MAX_VUS, "VU count", &n);
		if (!rc)
			rc = get_duration(l, x, "duration", 1, 0, 1, &e->duration_ms);
		if (rc)
			return rc;
		e->vus = (uint32_t)n;
		break;
	case SCEN_EXEC_RAMPING_VUS:
		rc = check_keys(l, x, ramp_keys, notyet, "ramping-vus");
		if (!rc)
			rc = get_int(l, x, "startVUs", 0, 0, 0, MAX_VUS, "VU count", &n);
		if (!rc)
			rc = load_stages(l, x, e, "VU target", MAX_VUS);
		if (!rc)
			rc = get_duration(l, x, "gracefulRampDown", 0, DEFAULT_GRACEFUL_STOP_MS, 0,
					  &e->graceful_ramp_down_ms);
		if (rc)
			return rc;
		e->start_vus = (uint32_t)n;
		if (!scen_exec_max_vus(e))
			return jpath_fail(&l->jp, "never runs a VU (startVUs and every stage target are 0)");
		break;
	case SCEN_EXEC_CONSTANT_ARRIVAL_RATE:
		rc = check_keys(l, x, car_keys, notyet, "constant-arrival-rate");
		if (!rc)
			rc = get_int(l, x, "rate", 1, 0, 1, MAX_RATE, "iteration rate", &n);
		if (!rc)
			rc = get_duration(l, x, "timeUnit", 0, 1000, 1, &e->time_unit_ms);
		if (!rc)
			rc = get_duration(l, x, "duration", 1, 0, 1, &e->duration_ms);
		if (!rc)
			rc = load_vu_pool(l, x, e);
		if (rc)
			return rc;
		e->rate = (uint32_t)n;
		break;
	case SCEN_EXEC_RAMPING_ARRIVAL_RATE:
		rc = check_keys(l, x, rar_keys, notyet, "ramping-arrival-rate");
		if (!rc)
			rc = get_int(l, x, "startRate", 0, 0, 0, MAX_RATE, "iteration rate", &n);
		if (!rc)
			rc = get_duration(l, x, "timeUnit", 0, 1000, 1, &e->time_unit_ms);
		if (!rc)
			rc = load_stages(l, x, e, "iteration rate", MAX_RATE);
		if (!rc)
			rc = load_vu_pool(l, x, e);
		if (rc)
			return rc;
		e->start_rate = (uint32_t)n;
		for (i = 0; i < e->nstages && !e->stages[i].target; i++)
			;
		if (!e->start_rate && i == e->nstages)
			return jpath_fail(&l->jp, "never starts an iteration (startRate and every stage target "
				    "are 0)");
		break;
	case SCEN_EXEC_PER_VU_ITERATIONS:
	case SCEN_EXEC_SHARED_ITERATIONS:
		rc = check_keys(l, x, iter_keys, notyet, scen_executor_name(e->executor));
		if (!rc)
			rc = get_int(l, x, "vus", 0, 1, 1, MAX_VUS, "VU count", &n);
		if (!rc)
			rc = get_int(l, x, "iterations", 1, 0, 1, MAX_ITERATIONS, "iteration count",
				     &m);
		if (!rc)
			rc = get_duration(l, x, "maxDuration", 0, DEFAULT_MAX_DURATION_MS, 1,
					  &e->duration_ms);
		if (rc)
			return rc;
		/* k6 refuses this too: some VUs would have nothing to do. */
		if (e->executor == SCEN_EXEC_SHARED_ITERATIONS && m < n) {
			jpath_key(&l->jp, "iterations");
			return jpath_fail(&l->jp, "%lld is fewer than the %lld VUs (expected at least one "
				    "iteration per VU)", (long long)m, (long long)n);
		}
		e->vus = (uint32_t)n;
		e->iterations = (uint64_t)m;
		break;
	}
	rc = get_duration(l, x, "startTime", 0, 0, 0, &e->start_time_ms);
	if (!rc)
		rc = get_duration(l, x, "gracefulStop", 0, DEFAULT_GRACEFUL_STOP_MS, 0,
				  &e->graceful_stop_ms);
	if (rc)
		return rc;
	v = cJSON_GetObjectItemCaseSensitive(x, "tags");
	if (v && (rc = load_tags(l, v)))
		return rc;
	v = cJSON_GetObjectItemCaseSensitive(x, "exec");
	saved = jpath_key(&l->jp, "exec");
	if (v && (rc = need_string(l, v, "the name of a flow")))
		return rc;
	for (i = 0; i < l->sc->nflows; i++)
		if (!strcmp(l->sc->flows[i].name, v ? v->valuestring : "default"))
			break;
	if (i == l->sc->nflows) {
		const char *names[33];
		size_t k;

		for (k = 0; k < l->sc->nflows && k < 32; k++)
			names[k] = l->sc->flows[k].name;
		names[k] = NULL;
		join(list, sizeof(list), names);
		if (!v)
			return jpath_fail(&l->jp, "missing, and there is no flow named \"default\" (flows: %s)",
				    list);
		return jpath_fail(&l->jp, "%s is not a flow (flows: %s)", show(v, vb, sizeof(vb)), list);
	}
	e->flow = i;
	jpath_pop(&l->jp, saved);
	return 0;
}

static int load_execs(struct ld *l, const cJSON *scs)
{
	struct scenario *sc = l->sc;
	const cJSON *c;
	size_t n, k = 0, saved = jpath_key(&l->jp, "scenarios"), s2;
	int rc;

	if (!scs)
		return jpath_fail(&l->jp, "missing (expected e.g. \"scenarios\": {\"main\": {\"executor\": "
			    "\"constant-vus\", \"vus\": 10, \"duration\": \"30s\"}})");
	rc = need_object(l, scs, "{\"main\": {\"executor\": \"constant-vus\", \"vus\": 10, "
			 "\"duration\": \"30s\"}}");
	if (!rc)
		rc = count_names(l, scs, &n);
	if (rc)
		return rc;
	if (!n)
		return jpath_fail(&l->jp, "no scenarios (expected at least one, e.g. \"main\": {\"executor\": "
			    "\"constant-vus\", \"vus\": 10, \"duration\": \"30s\"})");
	sc->execs = calloc(n, sizeof(*sc->execs));
	if (!sc->execs)
		return -ENOMEM;
	sc->nexecs = n;
	cJSON_ArrayForEach(c, scs) {
		struct scen_exec *e;

		if (free_text_key(c->string))
			continue;
		e = &sc->execs[k++];
		e->name = strdup(c->string);
		if (!e->name)
			return -ENOMEM;
		s2 = jpath_key(&l->jp, c->string);
		rc = load_exec(l, c, e);
		if (rc)
			return rc;
		jpath_pop(&l->jp, s2);
		if (e->start_time_ms + e->duration_ms > sc->total_ms)
			sc->total_ms = e->start_time_ms + e->duration_ms;
	}
	jpath_pop(&l->jp, saved);
	return 0;
}

/* ---- the document ---- */

static int check_base_url(struct ld *l, const char *u, const char *where)
{
	if (strncasecmp(u, "http://", 7) && strncasecmp(u, "https://", 8))
		return jpath_fail(&l->jp, "%s\"%s\" is not an http:// or https:// URL (expected e.g. "
			    "\"http://127.0.0.1:8069\")", where, u);
	return 0;
}

static int load_top(struct ld *l, const cJSON *root)
{
	static const char *const keys[] = { "name", "baseURL", "data", "scenarios", "flows",
					    "thresholds", NULL };
	static const char *const notyet[] = { "options", "env", NULL };
	struct scenario *sc = l->sc;
	const cJSON *v;
	const char *env;
	size_t saved, len;
	int rc;

	if (!cJSON_IsObject(root))
		return jpath_fail(&l->jp, "the document is %s (expected an object with \"scenarios\" and "
			    "\"flows\")", jpath_type_name(root));
	rc = check_keys(l, root, keys, notyet, NULL);
	if (rc)
		return rc;
	v = cJSON_GetObjectItemCaseSensitive(root, "name");
	if (v) {
		saved = jpath_key(&l->jp, "name");
		rc = need_string(l, v, "a name for the run, e.g. \"peak\"");
		if (rc)
			return rc;
		sc->name = strdup(v->valuestring);
		jpath_pop(&l->jp, saved);
	} else {
		const char *base = strrchr(sc->path, '/');

		base = base ? base + 1 : sc->path;
		len = strlen(base);
		if (len > 5 && !strcmp(base + len - 5, ".json"))
			len -= 5;
		sc->name = strndup(base, len);
	}
	if (!sc->name)
		return -ENOMEM;
	v = cJSON_GetObjectItemCaseSensitive(root, "baseURL");
	env = getenv("BASE_URL");
	if (env && env[0]) {
		rc = check_base_url(l, env, "BASE_URL in the environment: ");
		if (rc)
			return rc;
		sc->base_url = strdup(env);
	} else if (v) {
		saved = jpath_key(&l->jp, "baseURL");
		rc = need_string(l, v, "a URL such as \"http://127.0.0.1:8069\"");
		if (!rc)
			rc = check_base_url(l, v->valuestring, "");
		if (rc)
			return rc;
		sc->base_url = strdup(v->valuestring);
		jpath_pop(&l->jp, saved);
	}
	if ((env && env[0]) || v) {
		if (!sc->base_url)
			return -ENOMEM;
		/* "http://h/" + "/api" would double the slash. */
		len = strlen(sc->base_url);
		while (len > 8 && sc->base_url[len - 1] == '/')
			sc->base_url[--len] = '\0';
	}
	rc = load_data(l, cJSON_GetObjectItemCaseSensitive(root, "data"));
	if (!rc)
		rc = load_flow_names(l, cJSON_GetObjectItemCaseSensitive(root, "flows"));
	if (!rc)
		rc = collect_caps(l, cJSON_GetObjectItemCaseSensitive(root, "flows"));
	if (!rc)
		rc = load_execs(l, cJSON_GetObjectItemCaseSensitive(root, "scenarios"));
	if (!rc)
		rc = load_flows(l, cJSON_GetObjectItemCaseSensitive(root, "flows"));
	/* Thresholds are read by threshold.c, which names its own JSON paths;
	 * keep a copy that outlives the document. */
	v = cJSON_GetObjectItemCaseSensitive(root, "thresholds");
	if (!rc && v) {
		sc->thresholds = cJSON_Duplicate(v, 1);
		if (!sc->thresholds)
			rc = -ENOMEM;
	}
	return rc;
}

struct scenario *scen_load(const char *path, char *err, size_t errlen)
{
	struct ld l = { .jp = { .file = path, .err = err, .errlen = errlen } };
	cJSON *root = NULL;
	char *buf, *slash, why[256];
	size_t len, i;
	int rc;

	if (errlen)
		err[0] = '\0';
	l.sc = calloc(1, sizeof(*l.sc));
	if (!l.sc)
		goto nomem;
	l.sc->path = strdup(path);
	l.dir = strdup(path);
	if (!l.sc->path || !l.dir)
		goto nomem;
	slash = strrchr(l.dir, '/');
	if (slash)
		slash[slash == l.dir ? 1 : 0] = '\0';
	else
		l.dir[0] = '\0';
	buf = read_file(path, &len);
	if (!buf) {
		rc = -errno;
		snprintf(err, errlen, "%s: cannot read the scenario: %s", path, strerror(errno));
		goto fail;
	}
	root = parse_json(buf, len, why, sizeof(why));
	free(buf);
	if (!root) {
		rc = -errno;
		if (rc == -EINVAL)
			snprintf(err, errlen, "%s: %s", path, why);
		goto fail;
	}
	rc = load_top(&l, root);
	if (rc)
		goto fail;
	cJSON_Delete(root);
	for (i = 0; i < l.ncaps; i++)
		free(l.caps[i]);
	free(l.caps);
	free(l.dir);
	return l.sc;
nomem:
	rc = -ENOMEM;
fail:
	if (rc == -ENOMEM)
		snprintf(err, errlen, "%s: out of memory", path);
	cJSON_Delete(root);
	for (i = 0; i < l.ncaps; i++)
		free(l.caps[i]);
	free(l.caps);
	free(l.dir);
	scen_free(l.sc);
	errno = -rc;
	return NULL;
}

static void request_free(struct scen_request *r)
{
	size_t i;

	free(r->name);
	free(r->method);
	tmpl_free(r->url);
	for (i = 0; r->headers && i < r->nheaders; i++) {
		free(r->headers[i].name);
		tmpl_free(r->headers[i].value);
	}
	free(r->headers);
	tmpl_free(r->body);
	for (i = 0; r->captures && i < r->ncaptures; i++) {
		free(r->captures[i].var);
		free(r->captures[i].path);
	}
	free(r->captures);
}

void scen_free(struct scenario *sc)
{
	size_t i, j;

	if (!sc)
		return;
	for (i = 0; sc->data && i < sc->ndata; i++) {
		free(sc->data[i].name);
		free(sc->data[i].path);
		cJSON_Delete(sc->data[i].items);
	}
	free(sc->data);
	for (i = 0; sc->execs && i < sc->nexecs; i++) {
		free(sc->execs[i].name);
		free(sc->execs[i].stages);
	}
	free(sc->execs);
	for (i = 0; sc->flows && i < sc->nflows; i++) {
		for (j = 0; sc->flows[i].steps && j < sc->flows[i].nsteps; j++)
			if (sc->flows[i].steps[j].kind == SCEN_STEP_REQUEST)
				request_free(&sc->flows[i].steps[j].u.req);
		free(sc->flows[i].steps);
		free(sc->flows[i].name);
	}
	free(sc->flows);
	cJSON_Delete(sc->thresholds);
	free(sc->name);
	free(sc->path);
	free(sc->base_url);
	free(sc);
}

/* ---- executors ---- */

uint32_t scen_exec_vus_at(const struct scen_exec *e, int64_t t_ms)
{
	int64_t start = 0;
	uint32_t from;
	size_t i;

	if (t_ms < 0 || t_ms >= e->duration_ms)
		return 0;
	switch (e->executor) {
	case SCEN_EXEC_CONSTANT_VUS:
	case SCEN_EXEC_PER_VU_ITERATIONS:
	case SCEN_EXEC_SHARED_ITERATIONS:
		return e->vus;
	case SCEN_EXEC_CONSTANT_ARRIVAL_RATE:
	case SCEN_EXEC_RAMPING_ARRIVAL_RATE:
		return e->pre_allocated_vus; /* the pool grows on demand up to maxVUs */
	case SCEN_EXEC_RAMPING_VUS:
		break;
	}
	from = e->start_vus;
	for (i = 0; i < e->nstages; i++) {
		const struct scen_stage *s = &e->stages[i];

		if (t_ms < start + s->duration_ms) {
			/* k6 moves one VU at a time and keeps the previous count
			 * until a whole VU's share of the stage has passed: the
			 * linear value truncated toward the stage's start value,
			 * which C's division toward zero gives for both slopes. */
			__int128 diff = (__int128)s->target - from;
			__int128 q = diff * (t_ms - start) / s->duration_ms;

			return (uint32_t)((__int128)from + q);
		}
		start += s->duration_ms;
		from = s->target;
	}
	return 0;
}

uint32_t scen_exec_max_vus(const struct scen_exec *e)
{
	uint32_t max;
	size_t i;

	if (scen_exec_is_arrival(e))
		return e->max_vus;
	if (e->executor != SCEN_EXEC_RAMPING_VUS)
		return e->vus;
	max = e->start_vus;
	for (i = 0; i < e->nstages; i++)
		if (e->stages[i].target > max)
			max = e->stages[i].target;
	return max;
}

int scen_exec_is_arrival(const struct scen_exec *e)
{
	return e->executor == SCEN_EXEC_CONSTANT_ARRIVAL_RATE ||
	       e->executor == SCEN_EXEC_RAMPING_ARRIVAL_RATE;
}

int64_t scen_exec_arrival_ns(const struct scen_exec *e, uint64_t k)
{
	const __int128 end_ns = (__int128)e->duration_ms * 1000000;
	__int128 want, done = 0, t;
	int64_t stage_start_ms = 0;
	uint32_t from = e->start_rate;

	if (e->executor == SCEN_EXEC_CONSTANT_ARRIVAL_RATE) {
		if (!e->rate)
			return -1;
		/* Exact integer arithmetic: slot k is floor(k * timeUnit / rate)
		 * after the start whatever k, so nothing accumulates. */
		t = (__int128)k * e->time_unit_ms * 1000000 / e->rate;
		return t < end_ns ? (int64_t)t : -1;
	}
	if (e->executor != SCEN_EXEC_RAMPING_ARRIVAL_RATE || e->time_unit_ms <= 0)
		return -1;
	/* Iterations are counted in "2 * timeUnit_ms" units so that a stage's
	 * area, duration_ms * (from + to), is an exact integer: which stage
	 * holds iteration k is decided without rounding. */
	want = ((__int128)k + 1) * 2 * e->time_unit_ms;
	for (size_t i = 0; i < e->nstages; i++) {
		const struct scen_stage *s = &e->stages[i];
		__int128 area = (__int128)s->duration_ms * ((int64_t)from + s->target);

		if (area > 0 && want <= done + area) {
			/* Within the stage the rate goes linearly from a to b
			 * (iterations per ms) over d ms, so n iterations in are
			 * reached at the t solving a t + (b - a) t^2 / (2 d) = n.
			 * 2n / (a + sqrt(a^2 + 2 (b - a) n / d)) is that root in
			 * a form that stays exact for a == b and a == 0 and does
			 * not cancel when the rate falls. */
			double n = (double)(want - done) / (2.0 * (double)e->time_unit_ms);
			double a = (double)from / (double)e->time_unit_ms;
			double b = (double)s->target / (double)e->time_unit_ms;
			double d = (double)s->duration_ms;
			double disc = a * a + 2.0 * (b - a) * n / d;
			double t_ms = 2.0 * n / (a + sqrt(disc > 0 ? disc : 0));

			if (t_ms > d)
				t_ms = d;
			t = (__int128)stage_start_ms * 1000000 + llround(t_ms * 1e6);
			return t < end_ns ? (int64_t)t : -1;
		}
		done += area;
		stage_start_ms += s->duration_ms;
		from = s->target;
	}
	return -1;
}

/* ---- randomness ---- */

/* xorshift64*: fast, small state per VU, and good enough for picking data
 * and think times; never for anything secret. */
static uint64_t rng_next(uint64_t *s)
{
	uint64_t x = *s ? *s : 0x9e3779b97f4a7c15ULL;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dULL;
}

int64_t scen_rand_range(uint64_t *rng, int64_t lo, int64_t hi)
{
	uint64_t span, r, limit;

	if (hi <= lo)
		return lo;
	span = (uint64_t)hi - (uint64_t)lo + 1;
	r = rng_next(rng);
	if (!span) /* the whole 64-bit range */
		return (int64_t)r;
	/* Reject the low 2^64 mod span values so every result is equally
	 * likely (no modulo bias). */
	limit = -span % span;
	while (r < limit)
		r = rng_next(rng);
	return (int64_t)((uint64_t)lo + r % span);
}

/* ---- per-VU variables ---- */

static int vars_slot(struct scen_vars *v, const char *name, size_t *idx)
{
	size_t i;

	for (i = 0; i < v->ncaps; i++) {
		if (!strcmp(v->cap_names[i], name)) {
			*idx = i;
			return 0;
		}
	}
	if (v->ncaps == v->capcap) {
		size_t ncap = v->capcap ? v->capcap * 2 : 8;
		char **nn = realloc(v->cap_names, ncap * sizeof(*nn));

		if (!nn)
			return -ENOMEM;
		v->cap_names = nn;
		nn = realloc(v->cap_values, ncap * sizeof(*nn));
		if (!nn)
			return -ENOMEM;
		v->cap_values = nn;
		v->capcap = ncap;
	}
	v->cap_names[v->ncaps] = strdup(name);
	if (!v->cap_names[v->ncaps])
		return -ENOMEM;
	v->cap_values[v->ncaps] = NULL;
	*idx = v->ncaps++;
	return 0;
}

static void pick_random(struct scen_vars *v)
{
	size_t d;

	for (d = 0; d < v->sc->ndata; d++) {
		const struct scen_data *ds = &v->sc->data[d];

		if (ds->pick == SCEN_PICK_RANDOM)
			v->picks[d] = cJSON_GetArrayItem(
				ds->items, (int)scen_rand_range(v->rng, 0, (int64_t)ds->nitems - 1));
	}
}

int scen_vars_init(struct scen_vars *v, const struct scenario *sc, uint32_t vu, uint64_t *rng)
{
	size_t d, f, s, c, idx;
	int rc;

	memset(v, 0, sizeof(*v));
	v->sc = sc;
	v->vu = vu;
	v->rng = rng;
	if (sc->ndata) {
		v->picks = calloc(sc->ndata, sizeof(*v->picks));
		if (!v->picks)
			return -ENOMEM;
	}
	for (d = 0; d < sc->ndata; d++)
		if (sc->data[d].pick == SCEN_PICK_VU)
			v->picks[d] = cJSON_GetArrayItem(
				sc->data[d].items, (int)((vu ? vu - 1 : 0) % sc->data[d].nitems));
	pick_random(v);
	/* One slot per captured name, in the order the loader numbered them,
	 * so templates find their variable at a known index. */
	for (f = 0; f < sc->nflows; f++) {
		for (s = 0; s < sc->flows[f].nsteps; s++) {
			const struct scen_step *st = &sc->flows[f].steps[s];

			if (st->kind != SCEN_STEP_REQUEST)
				continue;
			for (c = 0; c < st->u.req.ncaptures; c++) {
				rc = vars_slot(v, st->u.req.captures[c].var, &idx);
				if (rc) {
					scen_vars_free(v);
					return rc;
				}
			}
		}
	}
	return 0;
}

void scen_vars_begin_iteration(struct scen_vars *v, uint64_t iter)
{
	v->iter = iter;
	pick_random(v);
}

int scen_vars_set(struct scen_vars *v, const char *name, const char *value)
{
	char *copy = value ? strdup(value) : NULL;
	size_t idx;
	int rc;

	if (value && !copy)
		return -ENOMEM;
	rc = vars_slot(v, name, &idx);
	if (rc) {
		free(copy);
		return rc;
	}
	free(v->cap_values[idx]);
	v->cap_values[idx] = copy;
	return 0;
}

void scen_vars_free(struct scen_vars *v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < v->ncaps; i++) {
		free(v->cap_names[i]);
		free(v->cap_values[i]);
	}
	free(v->cap_names);
	free(v->cap_values);
	free(v->picks);
	memset(v, 0, sizeof(*v));
}

/* ---- captures ---- */

int scen_capture_json(const char *body, size_t len, const char *path, char **out)
{
	const cJSON *node;
	cJSON *root;

	*out = NULL;
	if (!body || !len || !path || !path[0])
		return -ENOENT;
	root = cJSON_ParseWithLength(body, len);
	if (!root)
		return -ENOENT;
	node = tmpl_json_path(root, path);
	if (!node) {
		cJSON_Delete(root);
		return -ENOENT;
	}
	*out = tmpl_json_text(node);
	cJSON_Delete(root);
	return *out ? 0 : -ENOMEM;
}
