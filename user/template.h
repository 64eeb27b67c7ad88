/* SPDX-License-Identifier: GPL-2.0-only */
/* Compiling "text {{ref}} text" templates once when a scenario loads, and
 * rendering them per request with no parsing. Private to the scenario module:
 * the engine sees only scen_render() and scen_tmpl_source() from scenario.h. */
#ifndef USER_TEMPLATE_H
#define USER_TEMPLATE_H

#include <stddef.h>

#include "scenario.h"

/* What templates may name, checked at compile time: the data sets (their
 * first item is the reference for field names) and every variable that some
 * step captures, in the order scen_vars_init() gives them slots. */
struct tmpl_scope {
	const struct scen_data *data;
	size_t ndata;
	char *const *caps;
	size_t ncaps;
};

/* Compile the text template src (url, header value, raw body). Returns NULL
 * with errno set; on EINVAL a reason naming the reference is written to why,
 * e.g. "{{tokn}} is not captured by any step (captured: token)". */
struct scen_tmpl *tmpl_compile(const char *src, const struct tmpl_scope *scope, char *why,
			       size_t whylen);

/* Compile a JSON body: its strings are templates whose values are
 * JSON-escaped, and a string that is exactly one numeric-capable reference
 * renders as a bare JSON number or boolean. On EINVAL, where receives the
 * path inside body (".items[0].product_id", "" for the root) and why the
 * reason. */
struct scen_tmpl *tmpl_compile_json(const struct cJSON *body, const struct tmpl_scope *scope,
				    char *where, size_t wherelen, char *why, size_t whylen);

/* Free t. Accepts NULL. */
void tmpl_free(struct scen_tmpl *t);

/* The member of JSON node named by the path segment seg[0..len): an object
 * key, or a decimal index into an array. NULL when absent. */
const struct cJSON *tmpl_json_child(const struct cJSON *node, const char *seg, size_t len);

/* Follow the dotted path ("data.items.0.id") from root. NULL when absent. */
const struct cJSON *tmpl_json_path(const struct cJSON *root, const char *path);

/* Write the value of a JSON leaf or subtree as text into a new string:
 * strings unquoted, integral numbers without a fraction, booleans, null,
 * objects and arrays as compact JSON. NULL with errno on ENOMEM. */
char *tmpl_json_text(const struct cJSON *v);

/* NULL when name can be a captured variable or a data set: [A-Za-z_][A-Za-z0-9_]*
 * and none of the built-in names (env, uuid, __VU, __ITER); otherwise the
 * reason, to follow the name in a message. */
const char *tmpl_name_problem(const char *name);

#endif
