/* SPDX-License-Identifier: GPL-2.0-only */
/* JSON paths for error messages, shared by every reader of user JSON. */
#include "jsonpath.h"

#include <cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

size_t jpath_push(struct jpath *p, const char *fmt, ...)
{
	size_t saved = p->len, room = sizeof(p->path) - p->len;
	va_list ap;
	int w;

	va_start(ap, fmt);
	w = vsnprintf(p->path + p->len, room, fmt, ap);
	va_end(ap);
	if (w > 0)
		p->len += (size_t)w < room ? (size_t)w : room - 1;
	return saved;
}

size_t jpath_key(struct jpath *p, const char *key)
{
	int plain = key[0] != '\0';

	for (size_t i = 0; key[i]; i++)
		if (!(isalnum((unsigned char)key[i]) || key[i] == '_' || key[i] == '-'))
			plain = 0;
	if (!plain)
		return jpath_push(p, "[\"%s\"]", key);
	return jpath_push(p, p->len ? ".%s" : "%s", key);
}

void jpath_pop(struct jpath *p, size_t saved)
{
	p->len = saved;
	p->path[saved] = '\0';
}

int jpath_fail(struct jpath *p, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	if (!p->errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->len)
		snprintf(p->err, p->errlen, "%s: %s: %s", p->file, p->path, msg);
	else
		snprintf(p->err, p->errlen, "%s: %s", p->file, msg);
	return -EINVAL;
}

const char *jpath_type_name(const cJSON *v)
{
	if (cJSON_IsString(v))
		return "a string";
	if (cJSON_IsNumber(v))
		return "a number";
	if (cJSON_IsObject(v))
		return "an object";
	if (cJSON_IsArray(v))
		return "an array";
	if (cJSON_IsBool(v))
		return "a boolean";
	return "null";
}
