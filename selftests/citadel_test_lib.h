/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by Citadel's kselftests. They run inside the test VM as
 * root, with citadelctl on PATH and citadel started.
 */
#ifndef CITADEL_TEST_LIB_H
#define CITADEL_TEST_LIB_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"

#define CITADEL_FS "/sys/kernel/security/citadel"

/* Runs a shell command; returns its exit status (or -1). */
static inline int run_cmd(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	if (st == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static inline int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

/* Compiles @text (a policy) to @out with citadelctl; 0 on success. */
static inline int compile_policy(const char *text, const char *out)
{
	if (write_file("/tmp/citadel-test.conf", text))
		return -1;
	/* Warnings (e.g. no libs) are expected in tests: show only errors. */
	if (run_cmd("citadelctl compile /tmp/citadel-test.conf -o %s 2>/tmp/citadel-compile.err",
		    out) == 0)
		return 0;
	run_cmd("cat /tmp/citadel-compile.err >&2");
	return -1;
}

/* Compiles and loads @text; 0 on success. */
static inline int load_policy(const char *text)
{
	if (compile_policy(text, "/tmp/citadel-test.cpol"))
		return -1;
	return run_cmd("citadelctl load /tmp/citadel-test.cpol");
}

static inline int unload_policy(void)
{
	int fd = open(CITADEL_FS "/unload", O_WRONLY);
	int ret;

	if (fd < 0)
		return -1;
	ret = write(fd, "1", 1) == 1 ? 0 : -1;
	close(fd);
	return ret;
}

/* Reads a whole securityfs file into @buf; returns its length or -1. */
static inline ssize_t read_text(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n, total = 0;

	if (fd < 0)
		return -1;
	while (total < (ssize_t)len - 1 &&
	       (n = read(fd, buf + total, len - 1 - total)) > 0)
		total += n;
	close(fd);
	buf[total] = '\0';
	return total;
}

/* Reads a whole file; returns a malloc()ed, NUL-terminated buffer or NULL. */
static inline char *slurp(const char *path, size_t *len)
{
	struct stat st;
	char *buf;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st)) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	buf = malloc(st.st_size + 1);
	if (buf && read(fd, buf, st.st_size) != st.st_size) {
		free(buf);
		buf = NULL;
	}
	close(fd);
	if (buf) {
		buf[st.st_size] = '\0';
		*len = st.st_size;
	}
	return buf;
}

/* One write() of @len bytes to a securityfs file: 0 or the errno. */
static inline int write_fs(const char *name, const void *data, size_t len)
{
	char path[256];
	ssize_t n;
	int fd, err;

	snprintf(path, sizeof(path), CITADEL_FS "/%s", name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return errno;
	n = write(fd, data, len);
	err = n < 0 ? errno : (size_t)n == len ? 0 : EIO;
	close(fd);
	return err;
}

/* Writes a blob file to ROOT/policy as citadelctl load does: 0 or errno. */
static inline int load_file(const char *name)
{
	size_t len;
	char *blob = slurp(name, &len);
	int err;

	if (!blob)
		return -1;
	err = write_fs("policy", blob, len);
	free(blob);
	return err;
}

/* Value of "key value" line @key in the status file, or -1. */
static inline long long status_value(const char *key)
{
	char buf[8192], *line, *save;
	size_t klen = strlen(key);

	if (read_text(CITADEL_FS "/status", buf, sizeof(buf)) < 0)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (!strncmp(line, key, klen) && line[klen] == ' ')
			return atoll(line + klen + 1);
	return -1;
}

static inline socklen_t make_addr(struct sockaddr_storage *ss, int family,
				  const char *ip, int port)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		if (inet_pton(AF_INET, ip, &sin->sin_addr) != 1)
			abort();
		return sizeof(*sin);
	}
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	if (inet_pton(AF_INET6, ip, &sin6->sin6_addr) != 1)
		abort();
	return sizeof(*sin6);
}

static inline int addr_family(const char *ip)
{
	return strchr(ip, ':') ? AF_INET6 : AF_INET;
}

/*
 * connect() from a new socket of @sock_family/@type to ip:port.
 * Returns 0 or the errno.
 */
static inline int try_connect_from(int sock_family, int type, const char *ip,
				   int port)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(&ss, addr_family(ip), ip, port);
	int fd = socket(sock_family, type | SOCK_CLOEXEC, 0);
	int ret;

	if (fd < 0)
		return errno;
	ret = connect(fd, (struct sockaddr *)&ss, len) ? errno : 0;
	close(fd);
	return ret;
}

static inline int try_connect(int type, const char *ip, int port)
{
	return try_connect_from(addr_family(ip), type, ip, port);
}

/* sendto() from a new unconnected socket; returns 0 or the errno. */
static inline int try_sendto_from(int sock_family, int type, int flags,
				  const char *ip, int port)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(&ss, addr_family(ip), ip, port);
	int fd = socket(sock_family, type | SOCK_CLOEXEC, 0);
	int ret;

	if (fd < 0)
		return errno;
	ret = sendto(fd, "x", 1, flags | MSG_NOSIGNAL,
		     (struct sockaddr *)&ss, len) < 0 ? errno : 0;
	close(fd);
	return ret;
}

static inline int try_sendto(int type, int flags, const char *ip, int port)
{
	return try_sendto_from(addr_family(ip), type, flags, ip, port);
}

/* A listening TCP socket on ip:0; returns the fd, the port in *port. */
static inline int tcp_listener(const char *ip, int *port)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(&ss, addr_family(ip), ip, 0);
	int fd = socket(addr_family(ip), SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len) ||
	    listen(fd, 1024) || getsockname(fd, (struct sockaddr *)&ss, &len))
		return -1;
	*port = ntohs(addr_family(ip) == AF_INET ?
		      ((struct sockaddr_in *)&ss)->sin_port :
		      ((struct sockaddr_in6 *)&ss)->sin6_port);
	return fd;
}

/*
 * Exec and file helpers for the service-minimization tests (exec_test,
 * service_test).
 */

/* Where vm_suite.sh runs the tests from: citadelctl, the tests, helpers. */
#define CITADEL_DIR	"/citadel"
/* The static helper of selftests/citadel_probe.c. */
#define CITADEL_PROBE	CITADEL_DIR "/citadel_probe"

/* run_exec*() result for a child killed by signal @sig. */
#define EXEC_KILLED(sig)	(256 + (sig))

extern char **environ;

/*
 * Runs execveat(@dirfd, @path, @argv, @envp, @flags) in a child process,
 * with stdout and stderr going to @outfile (created) unless it is NULL.
 * Returns -errno when the exec itself failed, the child's exit status
 * (0-255) when it ran, or EXEC_KILLED(sig). A close-on-exec pipe tells
 * an exec failure apart from a program exiting with some status.
 */
static inline int run_execveat(int dirfd, const char *path,
			       char *const argv[], char *const envp[],
			       int flags, const char *outfile)
{
	int pfd[2], err = 0, st, fd;
	ssize_t n;
	pid_t pid;

	if (pipe(pfd) || fcntl(pfd[0], F_SETFD, FD_CLOEXEC) ||
	    fcntl(pfd[1], F_SETFD, FD_CLOEXEC))
		return -EPIPE;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -EAGAIN;
	if (pid == 0) {
		close(pfd[0]);
		if (outfile) {
			fd = open(outfile, O_WRONLY | O_CREAT | O_TRUNC, 0644);
			if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
				_exit(255);
		}
		syscall(__NR_execveat, dirfd, path, argv,
			envp ? envp : environ, flags);
		err = errno;
		if (write(pfd[1], &err, sizeof(err)) != sizeof(err))
			_exit(254);
		_exit(255);
	}
	close(pfd[1]);
	do
		n = read(pfd[0], &err, sizeof(err));
	while (n < 0 && errno == EINTR);
	close(pfd[0]);
	if (waitpid(pid, &st, 0) != pid)
		return -ECHILD;
	if (n == sizeof(err))
		return -err;
	if (WIFSIGNALED(st))
		return EXEC_KILLED(WTERMSIG(st));
	return WEXITSTATUS(st);
}

/* execve(argv[0], argv) in a child: see run_execveat(). */
static inline int run_argv(char *const argv[])
{
	return run_execveat(AT_FDCWD, argv[0], argv, NULL, 0, NULL);
}

/* RUN("/path", "arg", ...): execve of the path with these arguments. */
#define RUN(...)	run_argv((char *[]){ __VA_ARGS__, NULL })

/* Copies @src to @dst (replaced, not renamed over) with @mode; 0 or -1. */
static inline int copy_file(const char *src, const char *dst, mode_t mode)
{
	int in = open(src, O_RDONLY | O_CLOEXEC), out;
	char buf[65536];
	ssize_t n = 0;

	if (in < 0)
		return -1;
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (out < 0) {
		close(in);
		return -1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n) {
			n = -1;
			break;
		}
	close(in);
	if (fchmod(out, mode) || close(out) || n < 0)
		return -1;
	return 0;
}

/* Writes @text to @path with @mode (e.g. a script); 0 or -1. */
static inline int write_file_mode(const char *path, const char *text,
				  mode_t mode)
{
	if (write_file(path, text))
		return -1;
	return chmod(path, mode);
}

/* Appends @len bytes of @data to @path; 0 or -1. */
static inline int append_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -1;
	ret = write(fd, data, len) == (ssize_t)len ? 0 : -1;
	return close(fd) || ret ? -1 : 0;
}

/*
 * The sha256 of @path as 64 lower-case hex digits in @hex (with busybox
 * sha256sum, so run it while /bin/busybox may execute); 0 or -1.
 */
static inline int file_sha256(const char *path, char hex[65])
{
	char cmd[4200];
	FILE *p;
	int ok;

	snprintf(cmd, sizeof(cmd), "sha256sum '%s'", path);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	ok = fscanf(p, "%64[0-9a-f]", hex) == 1 && strlen(hex) == 64;
	return pclose(p) == 0 && ok ? 0 : -1;
}

#endif /* CITADEL_TEST_LIB_H */
