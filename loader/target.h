/* SPDX-License-Identifier: GPL-2.0-only */
/* Resolves a target selector (pid:N, port:N, exe:PATH, comm:NAME) to the
 * processes it names, and those processes to their descendants, from /proc. */
#ifndef LOADER_TARGET_H
#define LOADER_TARGET_H

#include <stddef.h>
#include <sys/types.h>

enum target_kind {
	TARGET_PID,
	TARGET_PORT,
	TARGET_EXE,
	TARGET_COMM,
};

struct target_selector {
	enum target_kind kind;
	long num;         /* pid or port */
	const char *arg;  /* exe path or comm name; points into the selector text */
};

/* A growable set of process ids (tgids), unordered, without duplicates. */
struct target_pids {
	pid_t *pids;
	size_t n, cap;
};

/* Parse selector text. Returns 0, or -EINVAL with the reason in why. */
int target_parse(const char *text, struct target_selector *sel, char *why, size_t whylen);

/* Add the processes sel matches to out (never the calling process). Returns
 * how many matched, counting those already in out, or a negative errno. */
int target_match(const struct target_selector *sel, struct target_pids *out);

/* Add every live descendant of the processes in set. 0 or -errno. */
int target_add_descendants(struct target_pids *set);

/* Add pid to set unless present. 0 or -ENOMEM. */
int target_pids_add(struct target_pids *set, pid_t pid);
int target_pids_has(const struct target_pids *set, pid_t pid);
void target_pids_free(struct target_pids *set);

/* Whether pid is a live process: present and not a zombie. */
int target_alive(pid_t pid);

/* The executable of pid into buf (readlink of /proc/PID/exe, without a
 * " (deleted)" suffix). 0 or -errno (kernel threads give -ENOENT). */
int target_exe(pid_t pid, char *buf, size_t len);

#endif
