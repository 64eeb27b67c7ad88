/* SPDX-License-Identifier: GPL-2.0-only */
/* Selector parsing and /proc scanning: which processes a pid:, port:, exe:
 * or comm: selector names, and all their descendants, at one instant. */
#include "target.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TARGET_COMM_LEN 16 /* the kernel's TASK_COMM_LEN, NUL included */

static int parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (!*s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int target_parse(const char *text, struct target_selector *sel, char *why, size_t whylen)
{
	const char *colon = text ? strchr(text, ':') : NULL;
	const char *arg;
	size_t klen;

	if (!colon) {
		snprintf(why, whylen, "expected KIND:VALUE with KIND pid, port, exe or comm");
		return -EINVAL;
	}
	klen = (size_t)(colon - text);
	arg = colon + 1;
	memset(sel, 0, sizeof(*sel));
	if (klen == 3 && !strncmp(text, "pid", 3)) {
		sel->kind = TARGET_PID;
		if (parse_long(arg, 1, INT_MAX, &sel->num)) {
			snprintf(why, whylen, "pid:N needs a positive process id, got \"%s\"", arg);
			return -EINVAL;
		}
	} else if (klen == 4 && !strncmp(text, "port", 4)) {
		sel->kind = TARGET_PORT;
		if (parse_long(arg, 1, 65535, &sel->num)) {
			snprintf(why, whylen, "port:N needs a TCP port 1-65535, got \"%s\"", arg);
			return -EINVAL;
		}
	} else if (klen == 3 && !strncmp(text, "exe", 3)) {
		sel->kind = TARGET_EXE;
		if (!*arg) {
			snprintf(why, whylen, "exe:PATH needs an executable path or file name");
			return -EINVAL;
		}
		sel->arg = arg;
	} else if (klen == 4 && !strncmp(text, "comm", 4)) {
		sel->kind = TARGET_COMM;
		if (!*arg) {
			snprintf(why, whylen, "comm:NAME needs a process name");
			return -EINVAL;
		}
		sel->arg = arg;
	} else {
		snprintf(why, whylen, "unknown kind \"%.*s\": use pid, port, exe or comm",
			 (int)(klen < 32 ? klen : 32), text);
		return -EINVAL;
	}
	return 0;
}

int target_pids_has(const struct target_pids *set, pid_t pid)
{
	for (size_t i = 0; i < set->n; i++)
		if (set->pids[i] == pid)
			return 1;
	return 0;
}

int target_pids_add(struct target_pids *set, pid_t pid)
{
	if (target_pids_has(set, pid))
		return 0;
	if (set->n == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 64;
		pid_t *p = realloc(set->pids, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		set->pids = p;
		set->cap = cap;
	}
	set->pids[set->n++] = pid;
	return 0;
}

void target_pids_free(struct target_pids *set)
{
	if (!set)
		return;
	free(set->pids);
	memset(set, 0, sizeof(*set));
}

/* Calls fn for every process directory in /proc; stops on a non-zero return. */
static int for_each_proc(int (*fn)(pid_t pid, void *ctx), void *ctx)
{
	struct dirent *de;
	DIR *d = opendir("/proc");
	int err = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		long pid;

		if (parse_long(de->d_name, 1, INT_MAX, &pid))
			continue;
		err = fn((pid_t)pid, ctx);
		if (err)
			break;
	}
	closedir(d);
	return err;
}

int target_exe(pid_t pid, char *buf, size_t len)
{
	static const char deleted[] = " (deleted)";
	char path[64];
	ssize_t n;
	size_t dl = sizeof(deleted) - 1;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	n = readlink(path, buf, len - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	if ((size_t)n > dl && !strcmp(buf + n - dl, deleted))
		buf[n - dl] = '\0';
	return 0;
}

int target_alive(pid_t pid)
{
	char path[64], buf[512], *rp, state;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	rp = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
	fclose(f);
	/* "pid (comm) S ...": comm may hold spaces and parentheses. */
	if (!rp || sscanf(rp + 1, " %c", &state) != 1)
		return 0;
	return state != 'Z' && state != 'X';
}

/* Reads one line of a /proc/PID file into buf without its newline. */
static int read_proc_line(pid_t pid, const char *file, char *buf, size_t len)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* The tgid of a task id, from /proc/ID/status (a thread id maps to its
 * process). */
static int tgid_of(pid_t id, pid_t *tgid)
{
	char path[64], line[256];
	FILE *f;
	int err = -ESRCH;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)id);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "Tgid:", 5)) {
			*tgid = (pid_t)strtol(line + 5, NULL, 10);
			err = *tgid > 0 ? 0 : -ESRCH;
			break;
		}
	}
	fclose(f);
	return err;
}

struct match_ctx {
	const struct target_selector *sel;
	struct target_pids *out;
	const char *real;        /* realpath of exe:PATH, or NULL */
	unsigned long *inodes;   /* port: listening socket inodes */
	size_t ninodes;
	int matched;
};

static int exe_matches(const struct match_ctx *m, pid_t pid)
{
	char exe[PATH_MAX];
	const char *want = m->sel->arg, *base;

	if (target_exe(pid, exe, sizeof(exe)))
		return 0;
	/* A bare name ("postgres") matches the file name of the executable. */
	if (!strchr(want, '/')) {
		base = strrchr(exe, '/');
		return !strcmp(base ? base + 1 : exe, want);
	}
	return !strcmp(exe, want) || (m->real && !strcmp(exe, m->real));
}

static int comm_matches(const struct match_ctx *m, pid_t pid)
{
	char comm[64];

	if (read_proc_line(pid, "comm", comm, sizeof(comm)))
		return 0;
	/* The kernel keeps at most 15 characters of the name. */
	return !strncmp(comm, m->sel->arg, TARGET_COMM_LEN - 1) &&
	       (strlen(m->sel->arg) >= TARGET_COMM_LEN - 1 || !strcmp(comm, m->sel->arg));
}

static int owns_inode(const struct match_ctx *m, pid_t pid)
{
	char dir[64], link[320], target[64];
	struct dirent *de;
	DIR *d;
	int hit = 0;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	d = opendir(dir);
	if (!d)
		return 0;
	while (!hit && (de = readdir(d))) {
		unsigned long ino;
		ssize_t n;

		if (de->d_name[0] == '.')
			continue;
		snprintf(link, sizeof(link), "%s/%s", dir, de->d_name);
		n = readlink(link, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		if (sscanf(target, "socket:[%lu]", &ino) != 1)
			continue;
		for (size_t i = 0; i < m->ninodes; i++)
			if (m->inodes[i] == ino)
				hit = 1;
	}
	closedir(d);
	return hit;
}

static int match_one(pid_t pid, void *ctx)
{
	struct match_ctx *m = ctx;
	int hit = 0;

	if (pid == getpid())
		return 0;
	switch (m->sel->kind) {
	case TARGET_EXE:
		hit = exe_matches(m, pid);
		break;
	case TARGET_COMM:
		hit = comm_matches(m, pid);
		break;
	case TARGET_PORT:
		hit = owns_inode(m, pid);
		break;
	case TARGET_PID:
		break;
	}
	if (!hit)
		return 0;
	m->matched++;
	return target_pids_add(m->out, pid);
}

/* Inodes of TCP sockets listening on port, from /proc/net/tcp and tcp6 (the
 * caller's network namespace). */
static int listen_inodes(long port, unsigned long **inodes, size_t *n)
{
	static const char *const files[] = { "/proc/net/tcp", "/proc/net/tcp6" };
	size_t cap = 0;

	*inodes = NULL;
	*n = 0;
	for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		char line[512];
		FILE *fp = fopen(files[f], "re");

		if (!fp) {
			if (errno == ENOENT) /* no IPv6 */
				continue;
			return -errno;
		}
		while (fgets(line, sizeof(line), fp)) {
			char local[128];
			unsigned lport, st;
			unsigned long ino;
			char *c;

			/* sl local rem st tx:rx tr:when retr uid timeout inode */
			if (sscanf(line, " %*s %127s %*s %x %*s %*s %*s %*s %*s %lu", local, &st,
				   &ino) != 3)
				continue; /* the header line */
			c = strrchr(local, ':');
			if (!c || sscanf(c + 1, "%x", &lport) != 1)
				continue;
			if (st != 0x0A || (long)lport != port || !ino) /* 0x0A: TCP_LISTEN */
				continue;
			if (*n == cap) {
				size_t nc = cap ? cap * 2 : 8;
				unsigned long *p = realloc(*inodes, nc * sizeof(*p));

				if (!p) {
					fclose(fp);
					return -ENOMEM;
				}
				*inodes = p;
				cap = nc;
			}
			(*inodes)[(*n)++] = ino;
		}
		fclose(fp);
	}
	return 0;
}

int target_match(const struct target_selector *sel, struct target_pids *out)
{
	struct match_ctx m = { .sel = sel, .out = out };
	char *real = NULL;
	int err;

	switch (sel->kind) {
	case TARGET_PID: {
		pid_t tgid = 0;

		err = tgid_of((pid_t)sel->num, &tgid);
		if (err == -ENOENT || err == -ESRCH || tgid == getpid())
			return 0;
		if (!err)
			err = target_pids_add(out, tgid);
		return err ? err : 1;
	}
	case TARGET_PORT:
		err = listen_inodes(sel->num, &m.inodes, &m.ninodes);
		if (err || !m.ninodes) {
			free(m.inodes);
			return err;
		}
		break;
	case TARGET_EXE:
		if (strchr(sel->arg, '/'))
			real = realpath(sel->arg, NULL); /* NULL if missing: compare as given */
		m.real = real;
		break;
	case TARGET_COMM:
		break;
	}
	err = for_each_proc(match_one, &m);
	free(m.inodes);
	free(real);
	return err ? err : m.matched;
}

struct proc_parent {
	pid_t pid, ppid;
};

struct parents_ctx {
	struct proc_parent *v;
	size_t n, cap;
};

static int collect_parent(pid_t pid, void *ctx)
{
	struct parents_ctx *p = ctx;
	char path[64], buf[512], *rp;
	FILE *f;
	int ppid;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0; /* exited meanwhile */
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return 0;
	}
	fclose(f);
	/* "pid (comm) S ppid ...": comm may hold spaces and parentheses. */
	rp = strrchr(buf, ')');
	if (!rp || sscanf(rp + 1, " %*c %d", &ppid) != 1)
		return 0;
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 256;
		struct proc_parent *v = realloc(p->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		p->v = v;
		p->cap = cap;
	}
	p->v[p->n].pid = pid;
	p->v[p->n].ppid = (pid_t)ppid;
	p->n++;
	return 0;
}

int target_add_descendants(struct target_pids *set)
{
	struct parents_ctx p = { 0 };
	int err = for_each_proc(collect_parent, &p);

	/* Breadth-first: set grows as children are found, and the loop
	 * visits the new members too. O(processes x members). */
	for (size_t i = 0; !err && i < set->n; i++) {
		for (size_t k = 0; k < p.n; k++) {
			if (p.v[k].ppid != set->pids[i] || p.v[k].pid == getpid())
				continue;
			err = target_pids_add(set, p.v[k].pid);
			if (err)
				break;
		}
	}
	free(p.v);
	return err;
}
