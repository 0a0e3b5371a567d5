// SPDX-License-Identifier: GPL-2.0-only
/*
 * Exec allowlist and executable mappings: exec by path, directory prefix
 * and sha256; copies, links, bind mounts and replaced files; the hash
 * cache; scripts and their interpreters; fileless exec (memfd, O_TMPFILE,
 * deleted files); the dynamic loader and LD_PRELOAD; PROT_EXEC file
 * mappings from mmap() and mprotect().
 *
 * Every denial is checked against a control: the same exec or mapping
 * works with no policy loaded, so EPERM can only come from Citadel. The
 * programs executed are copies of citadel_probe ("exit 42" makes them
 * exit with 42) and of busybox.
 */
#define _GNU_SOURCE
#include "citadel_test_lib.h"

#include <limits.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>

#ifndef MFD_EXEC
#define MFD_EXEC	0x0010U
#endif

#define RAN		42	/* what "citadel_probe exit 42" returns */
#define TREE		"/opt/ct"	/* on the root file system */
#define TMP		"/tmp/ct"	/* on the tmpfs of /tmp */

#if defined(__x86_64__)
#define LOADER		"/lib64/ld-linux-x86-64.so.2"
#elif defined(__aarch64__)
#define LOADER		"/lib/ld-linux-aarch64.so.1"
#endif

/*
 * The lines every test policy starts with: system() runs /bin/sh, and
 * citadelctl, the tests and their helpers are in CITADEL_DIR.
 */
#define BASE_RULES \
	"    exec /bin/busybox\n" \
	"    exec " CITADEL_DIR "/\n" \
	"    libs /lib/ /lib64/ /usr/lib/\n"

/* Runs "@path exit 42" (a copy of citadel_probe). */
static int run_probe(const char *path)
{
	return RUN((char *)path, "exit", "42");
}

/* execveat(@fd, "", AT_EMPTY_PATH) of a citadel_probe copy. */
static int run_probe_fd(int fd)
{
	char *argv[] = { "probe", "exit", "42", NULL };

	return run_execveat(fd, "", argv, NULL, AT_EMPTY_PATH, NULL);
}

/* execve("/proc/self/fd/@fd") of a citadel_probe copy. */
static int run_probe_proc_fd(int fd)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return RUN(path, "exit", "42");
}

/*
 * Runs run_probe(@path) in a child that first made a mount namespace of
 * its own (with @unpriv: as nobody, in a user namespace too) and
 * bind-mounted @src over @dst there, or (with @jail) chroot()ed into
 * @jail. Returns 0 when the probe ran, 1 when the exec was refused with
 * EPERM, 2 for another outcome, 20x when a setup step failed.
 */
static int probe_in_namespace(const char *src, const char *dst,
			      const char *jail, int unpriv, const char *path)
{
	int st, r;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (unpriv) {
			/* A uid change makes the task undumpable: /proc/self
			 * would stay root's, uid_map unwritable. */
			if (setgid(65534) || setuid(65534) ||
			    prctl(PR_SET_DUMPABLE, 1))
				_exit(201);
			if (unshare(CLONE_NEWUSER | CLONE_NEWNS))
				_exit(202);
			if (write_file("/proc/self/setgroups", "deny") ||
			    write_file("/proc/self/uid_map", "0 65534 1") ||
			    write_file("/proc/self/gid_map", "0 65534 1"))
				_exit(203);
		} else if (src && unshare(CLONE_NEWNS)) {
			_exit(202);
		}
		if (src && (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
			    mount(src, dst, NULL, MS_BIND, NULL)))
			_exit(204);
		if (jail && (chroot(jail) || chdir("/")))
			_exit(205);
		r = run_probe(path);
		_exit(r == RAN ? 0 : r == -EPERM ? 1 : 2);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static void make_dirs(struct __test_metadata *_metadata)
{
	/* Leftovers of an aborted run: bind mounts first. */
	run_cmd("umount " TMP "/bm " TREE "/hashed 2>/dev/null; "
		"rm -rf " TREE " " TMP " /usr/lib/citadel-test");
	ASSERT_EQ(0, run_cmd("mkdir -p " TREE "/bin " TREE "/dir/sub "
			     TREE "/dirx " TREE "/libs " TMP "/allowed "
			     "/usr/lib/citadel-test"));
}

static void remove_dirs(void)
{
	run_cmd("umount " TMP "/bm " TREE "/hashed 2>/dev/null; "
		"rm -rf " TREE " " TMP " /usr/lib/citadel-test");
}

static void put_probe(struct __test_metadata *_metadata, const char *dst)
{
	ASSERT_EQ(0, copy_file(CITADEL_PROBE, dst, 0755))
		TH_LOG("cannot copy %s to %s: %s", CITADEL_PROBE, dst,
		       strerror(errno));
}

static void put_script(struct __test_metadata *_metadata, const char *path,
		       const char *text)
{
	ASSERT_EQ(0, write_file_mode(path, text, 0755));
}

/* Loads "policy NAME version 1" with BASE_RULES and @rules in global. */
static int load_global(const char *name, const char *rules)
{
	char text[8192];

	snprintf(text, sizeof(text), "policy %s version 1\nglobal {\n"
		 BASE_RULES "%s}\n", name, rules);
	return load_policy(text);
}

/* ---- Exec by path: exact, prefix, symlinks, copies, scripts ---------- */

FIXTURE(paths) {
	int dummy;
};

FIXTURE_SETUP(paths)
{
	ASSERT_EQ(0, unload_policy());
	make_dirs(_metadata);
	put_probe(_metadata, TREE "/bin/tool");
	put_probe(_metadata, TREE "/bin/toolx");
	put_probe(_metadata, TREE "/dir/a");
	put_probe(_metadata, TREE "/dir/sub/b");
	put_probe(_metadata, TREE "/dirx/a");
	put_probe(_metadata, TMP "/probe");
	/* Named busybox and sh so that busybox picks the applet. */
	ASSERT_EQ(0, copy_file("/bin/busybox", TMP "/busybox", 0755));
	ASSERT_EQ(0, copy_file("/bin/busybox", TMP "/sh", 0755));
	ASSERT_EQ(0, link("/bin/busybox", TREE "/busybox"));
	ASSERT_EQ(0, symlink(TREE "/bin/tool", TMP "/link-to-tool"));
	ASSERT_EQ(0, symlink(TMP "/probe", TREE "/dir/link-to-tmp"));
	put_script(_metadata, TMP "/s.sh", "#!/bin/sh\nexit 42\n");
	put_script(_metadata, TREE "/dir/s.sh", "#!/bin/sh\nexit 42\n");
	put_script(_metadata, TREE "/dir/tmp-interp.sh",
		   "#!" TMP "/sh\nexit 42\n");
	put_script(_metadata, TMP "/inner.sh", "#!/bin/sh\nexit 42\n");
	put_script(_metadata, TREE "/dir/inner.sh", "#!" TMP "/sh\nexit 42\n");
	put_script(_metadata, TREE "/dir/outer-tmp.sh",
		   "#!" TMP "/inner.sh\nexit 1\n");
	put_script(_metadata, TREE "/dir/outer-deep.sh",
		   "#!" TREE "/dir/inner.sh\nexit 1\n");

	/* Controls: everything runs when no policy is loaded. */
	ASSERT_EQ(RAN, run_probe(TREE "/bin/toolx"));
	ASSERT_EQ(RAN, run_probe(TREE "/dirx/a"));
	ASSERT_EQ(RAN, run_probe(TMP "/probe"));
	ASSERT_EQ(RAN, run_probe(TREE "/dir/link-to-tmp"));
	ASSERT_EQ(0, RUN(TMP "/busybox", "true"));
	ASSERT_EQ(0, RUN(TREE "/busybox", "true"));
	ASSERT_EQ(RAN, RUN(TMP "/s.sh"));
	ASSERT_EQ(RAN, RUN(TREE "/dir/tmp-interp.sh"));
	ASSERT_EQ(RAN, RUN(TREE "/dir/outer-tmp.sh"));
	ASSERT_EQ(RAN, RUN(TREE "/dir/outer-deep.sh"));

	ASSERT_EQ(0, load_global("paths", "    exec " TREE "/bin/tool\n"
				 "    exec " TREE "/dir/\n"));
}

FIXTURE_TEARDOWN(paths)
{
	unload_policy();
	remove_dirs();
}

TEST_F(paths, exact_path)
{
	ASSERT_EQ(RAN, run_probe(TREE "/bin/tool"));
	/* An exact rule is no prefix of longer names. */
	ASSERT_EQ(-EPERM, run_probe(TREE "/bin/toolx"));
	ASSERT_EQ(-EPERM, run_probe(TMP "/probe"));
	/* The global rules of every test policy. */
	ASSERT_EQ(0, RUN("/bin/busybox", "true"));
	ASSERT_EQ(RAN, run_probe(CITADEL_PROBE));
}

TEST_F(paths, directory_prefix)
{
	ASSERT_EQ(RAN, run_probe(TREE "/dir/a"));
	ASSERT_EQ(RAN, run_probe(TREE "/dir/sub/b"));
	/* "/opt/ct/dir/" does not cover "/opt/ct/dirx/". */
	ASSERT_EQ(-EPERM, run_probe(TREE "/dirx/a"));
}

TEST_F(paths, copied_busybox_denied)
{
	ASSERT_EQ(-EPERM, RUN(TMP "/busybox", "true"));
	ASSERT_EQ(-EPERM, RUN(TMP "/sh", "-c", "exit 0"));
	/* The applet symlinks resolve to the allowed /bin/busybox. */
	ASSERT_EQ(0, RUN("/bin/true"));
	ASSERT_EQ(0, RUN("/bin/sh", "-c", "exit 0"));
}

TEST_F(paths, hard_link_of_allowed_binary_denied)
{
	/* Same inode as /bin/busybox, but another path. */
	ASSERT_EQ(-EPERM, RUN(TREE "/busybox", "true"));
}

TEST_F(paths, symlinks_are_resolved)
{
	/* A symlink in /tmp to an allowed binary: the target is checked. */
	ASSERT_EQ(RAN, run_probe(TMP "/link-to-tool"));
	/* A symlink inside an allowed directory to a binary in /tmp. */
	ASSERT_EQ(-EPERM, run_probe(TREE "/dir/link-to-tmp"));
}

TEST_F(paths, dot_dot_and_relative_paths)
{
	ASSERT_EQ(-EPERM, run_probe(TREE "/dir/../../../tmp/ct/probe"));
	ASSERT_EQ(RAN, run_probe(TREE "/dirx/../dir/a"));
	ASSERT_EQ(0, chdir(TREE "/dir"));
	ASSERT_EQ(RAN, run_probe("./a"));
	ASSERT_EQ(RAN, run_probe("sub/b"));
	ASSERT_EQ(-EPERM, run_probe("../dirx/a"));
	ASSERT_EQ(0, chdir("/"));
}

TEST_F(paths, execveat_with_directory_and_file_fds)
{
	char *argv[] = { "probe", "exit", "42", NULL };
	int dir = open(TREE "/dir", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int tmp = open(TMP, O_PATH | O_DIRECTORY | O_CLOEXEC);
	int ok = open(TREE "/bin/tool", O_RDONLY | O_CLOEXEC);
	int no = open(TMP "/probe", O_RDONLY | O_CLOEXEC);

	ASSERT_LE(0, dir);
	ASSERT_LE(0, tmp);
	ASSERT_LE(0, ok);
	ASSERT_LE(0, no);
	ASSERT_EQ(RAN, run_execveat(dir, "a", argv, NULL, 0, NULL));
	ASSERT_EQ(-EPERM, run_execveat(tmp, "probe", argv, NULL, 0, NULL));
	/* fexecve() of a file that has a path is judged by that path. */
	ASSERT_EQ(RAN, run_probe_fd(ok));
	ASSERT_EQ(-EPERM, run_probe_fd(no));
	close(dir);
	close(tmp);
	close(ok);
	close(no);
}

TEST_F(paths, bind_mounted_copy_denied)
{
	/* The allowed binary, mounted at a path no rule names. */
	ASSERT_EQ(0, write_file(TMP "/bm", ""));
	ASSERT_EQ(0, mount(TREE "/bin/tool", TMP "/bm", NULL, MS_BIND, NULL));
	ASSERT_EQ(-EPERM, run_probe(TMP "/bm"));
	ASSERT_EQ(RAN, run_probe(TREE "/bin/tool"));
	ASSERT_EQ(0, umount(TMP "/bm"));
}

/*
 * A path is decided as the initial mount namespace resolves it: neither
 * a bind mount in a namespace of one's own (an unprivileged user can
 * make one) nor a chroot makes a refused binary run as an allowed one.
 */
TEST_F(paths, bind_mount_in_own_namespace_does_not_lie)
{
	/* The control: an allowed path runs there as everywhere. */
	ASSERT_EQ(0, probe_in_namespace(NULL, NULL, NULL, 1, TREE "/bin/tool"));
	ASSERT_EQ(1, probe_in_namespace(TMP "/probe", TREE "/bin/tool", NULL,
					1, TREE "/bin/tool"));
	ASSERT_EQ(1, probe_in_namespace(TMP "/probe", TREE "/bin/tool", NULL,
					0, TREE "/bin/tool"));
	/* A prefix rule too. */
	ASSERT_EQ(1, probe_in_namespace(TMP "/probe", TREE "/dir/a", NULL, 1,
					TREE "/dir/a"));
	ASSERT_EQ(0, run_cmd("citadelctl -j events | grep -q 'not the file at this path in the initial mount namespace'"));
	/* Nothing changed outside: the allowed binary runs, others do not. */
	ASSERT_EQ(RAN, run_probe(TREE "/bin/tool"));
	ASSERT_EQ(-EPERM, run_probe(TMP "/probe"));
}

TEST_F(paths, chroot_does_not_lie)
{
	ASSERT_EQ(0, run_cmd("mkdir -p " TMP "/jail" TREE "/bin"));
	put_probe(_metadata, TMP "/jail" TREE "/bin/tool");
	ASSERT_EQ(1, probe_in_namespace(NULL, NULL, TMP "/jail", 0,
					TREE "/bin/tool"));
	/* The jail's copy is refused under its real path too. */
	ASSERT_EQ(-EPERM, run_probe(TMP "/jail" TREE "/bin/tool"));
	ASSERT_EQ(RAN, run_probe(TREE "/bin/tool"));
}

/*
 * In the initial namespace the mount table is the truth: root bind-
 * mounting one allowed file over another path rule runs it (sha256 rules
 * pin the content; the seal protects Citadel's own files).
 */
TEST_F(paths, bind_mount_in_initial_namespace_is_the_path)
{
	ASSERT_EQ(0, mount(TREE "/dir/a", TREE "/bin/tool", NULL, MS_BIND,
			   NULL));
	ASSERT_EQ(RAN, run_probe(TREE "/bin/tool"));
	ASSERT_EQ(0, umount(TREE "/bin/tool"));
}

TEST_F(paths, script_in_tmp_denied)
{
	ASSERT_EQ(-EPERM, RUN(TMP "/s.sh"));
	/* The same script in an allowed directory runs: /bin/sh is allowed. */
	ASSERT_EQ(RAN, RUN(TREE "/dir/s.sh"));
}

TEST_F(paths, script_interpreter_checked)
{
	/* The script is allowed, its interpreter (a busybox copy) is not. */
	ASSERT_EQ(-EPERM, RUN(TREE "/dir/tmp-interp.sh"));
}

TEST_F(paths, every_level_of_nested_interpreters_checked)
{
	/* outer (allowed) -> /tmp/ct/inner.sh (not allowed) -> /bin/sh */
	ASSERT_EQ(-EPERM, RUN(TREE "/dir/outer-tmp.sh"));
	/* outer (allowed) -> inner (allowed) -> /tmp/ct/sh (not allowed) */
	ASSERT_EQ(-EPERM, RUN(TREE "/dir/outer-deep.sh"));
}

TEST_F(paths, exec_counters)
{
	long long denied = status_value("exec_denied");
	long long allowed = status_value("exec_allowed");

	ASSERT_LE(0, denied);
	ASSERT_LE(0, allowed);
	ASSERT_EQ(-EPERM, run_probe(TMP "/probe"));
	ASSERT_EQ(denied + 1, status_value("exec_denied"));
	ASSERT_EQ(RAN, run_probe(TREE "/bin/tool"));
	ASSERT_LT(allowed, status_value("exec_allowed"));
}

TEST_F(paths, unload_lifts_restrictions)
{
	ASSERT_EQ(-EPERM, run_probe(TMP "/probe"));
	ASSERT_EQ(0, unload_policy());
	ASSERT_EQ(RAN, run_probe(TMP "/probe"));
	ASSERT_EQ(RAN, RUN(TMP "/s.sh"));
}

/* ---- Hash rules and the hash cache ----------------------------------- */

/*
 * The hashed binary is citadel_probe followed by PAD: bytes after the
 * ELF image that can be changed without breaking it, so a denial after a
 * change can only mean that the hash was computed again.
 */
#define PAD		"CITADEL-PADDING!"
#define PADLEN		(sizeof(PAD) - 1)

FIXTURE(hash) {
	char policy[4096];
	off_t size;		/* of TREE/hashed */
};

/* @dst: citadel_probe + PAD (+ @extra); 0 on success. */
static void put_padded(struct __test_metadata *_metadata, const char *dst,
		       const char *extra)
{
	put_probe(_metadata, dst);
	ASSERT_EQ(0, append_file(dst, PAD, PADLEN));
	if (extra)
		ASSERT_EQ(0, append_file(dst, extra, strlen(extra)));
}

FIXTURE_SETUP(hash)
{
	char h_probe[65], h_busybox[65];
	struct stat st;

	ASSERT_EQ(0, unload_policy());
	make_dirs(_metadata);
	put_padded(_metadata, TREE "/hashed", NULL);
	put_padded(_metadata, TREE "/plain", NULL);
	put_padded(_metadata, TREE "/wronghash", NULL);
	put_padded(_metadata, TMP "/same", NULL);	/* same content */
	put_padded(_metadata, TMP "/v2", "v2");		/* an "upgrade" */
	ASSERT_EQ(0, stat(TREE "/hashed", &st));
	self->size = st.st_size;
	ASSERT_EQ(0, file_sha256(TREE "/hashed", h_probe));
	ASSERT_EQ(0, file_sha256("/bin/busybox", h_busybox));

	ASSERT_EQ(RAN, run_probe(TREE "/wronghash"));
	ASSERT_EQ(RAN, run_probe(TMP "/v2"));

	snprintf(self->policy, sizeof(self->policy),
		 "policy hash version 1\nglobal {\n" BASE_RULES
		 "    exec " TREE "/hashed sha256:%s\n"
		 "    exec " TREE "/plain\n"
		 "    exec " TREE "/wronghash sha256:%s\n"
		 "}\n", h_probe, h_busybox);
	ASSERT_EQ(0, load_policy(self->policy));
}

FIXTURE_TEARDOWN(hash)
{
	unload_policy();
	remove_dirs();
}

TEST_F(hash, match)
{
	ASSERT_EQ(RAN, run_probe(TREE "/hashed"));
	/* Again, now from the cache. */
	ASSERT_EQ(RAN, run_probe(TREE "/hashed"));
}

TEST_F(hash, mismatch)
{
	ASSERT_EQ(-EPERM, run_probe(TREE "/wronghash"));
	ASSERT_EQ(-EPERM, run_probe(TREE "/wronghash"));
}

TEST_F(hash, copy_with_right_content_at_other_path_denied)
{
	ASSERT_EQ(-EPERM, run_probe(TMP "/same"));
	ASSERT_EQ(0, copy_file(TREE "/hashed", TREE "/copy", 0755));
	ASSERT_EQ(-EPERM, run_probe(TREE "/copy"));
}

TEST_F(hash, hard_link_denied)
{
	ASSERT_EQ(RAN, run_probe(TREE "/hashed"));
	ASSERT_EQ(0, link(TREE "/hashed", TREE "/hl"));
	ASSERT_EQ(-EPERM, run_probe(TREE "/hl"));
	ASSERT_EQ(RAN, run_probe(TREE "/hashed"));
}

TEST_F(hash, renamed_denied)
{
	ASSERT_EQ(RAN, run_probe(TREE "/hashed"));
	ASSERT_EQ(0, rename(TREE "/hashed", TREE "/renamed"));
	ASSERT_EQ(-EPERM, run_probe(TREE "/renamed"));
	ASSERT_EQ(0, rename(TREE "/renamed", TREE "/hashed"));
	ASSERT_EQ(RAN, run_probe(TREE "/hashed"));
}

TEST_F(hash, bind_mounts_denied)
{
	/* The hashed binary mounted elsewhere: wrong path. */
	ASSERT_EQ(0, write_file(TMP "/bm", ""));
	ASSERT_EQ(0, mount(TREE "/hashed", TMP "/bm", NULL, MS_BIND, NULL));
	ASSERT_EQ(-EPERM, run_probe(TMP "/bm"));
	ASSERT_EQ(0, umount(TMP "/bm"));
	/* Another binary mounted over the hashed path: wrong content. */
	ASSERT_EQ(RAN, run_probe(TREE "/hashed"));
	ASSERT_EQ(0, mount(TMP "/v2", TREE "/hashed", NULL, MS_BIND, NULL));
	ASSERT_EQ(-EPERM, run_probe(TREE "/hashed"));
	ASSERT_EQ(0, umount(TREE "/hashed"));
	ASSERT_EQ(RAN, run_probe(TREE "/hashed"));
}

TEST_F(hash, write_invalidates_cache)
{
	int fd;

	ASSERT_EQ(RAN, run_probe(TREE "/hashed"));
	fd = open(TREE "/hashed", O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(1, pwrite(fd, "X", 1, self->size - 1));
	ASSERT_EQ(0, close(fd));
	ASSERT_EQ(-EPERM, run_probe(TREE "/hashed"));
	/* The old content back: allowed again (no stale denial either). */
	fd = open(TREE "/hashed", O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(1, pwrite(fd, "!", 1, self->size - 1));
	ASSERT_EQ(0, close(fd));
	ASSERT_EQ(RAN, run_probe(TREE "/hashed"));
}

TEST_F(hash, write_through_hard_link_invalidates_cache)
{
	ASSERT_EQ(0, link(TREE "/hashed", TREE "/hl"));
	ASSERT_EQ(RAN, run_probe(TREE "/hashed"));
	ASSERT_EQ(0, append_file(TREE "/hl", "x", 1));
	ASSERT_EQ(-EPERM, run_probe(TREE "/hashed"));
}

TEST_F(hash, shared_mapping_write_invalidates_cache)
{
	long page = sysconf(_SC_PAGESIZE);
	off_t off = (self->size - 1) & ~(off_t)(page - 1);
	char *map;
	int fd;

	ASSERT_EQ(RAN, run_probe(TREE "/hashed"));
	fd = open(TREE "/hashed", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	map = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, close(fd));
	ASSERT_EQ('!', map[self->size - 1 - off]);
	map[self->size - 1 - off] = 'X';
	ASSERT_EQ(0, munmap(map, page));
	ASSERT_EQ(-EPERM, run_probe(TREE "/hashed"));
}

TEST_F(hash, truncate_invalidates_cache)
{
	ASSERT_EQ(RAN, run_probe(TREE "/hashed"));
	/* truncate(2) by path opens nothing for writing. */
	ASSERT_EQ(0, truncate(TREE "/hashed", self->size + 1));
	ASSERT_EQ(-EPERM, run_probe(TREE "/hashed"));
	/* Back to the old content: allowed again. */
	ASSERT_EQ(0, truncate(TREE "/hashed", self->size));
	ASSERT_EQ(RAN, run_probe(TREE "/hashed"));
	/* Shorter: the padding cut off. */
	ASSERT_EQ(0, truncate(TREE "/hashed", self->size - PADLEN));
	ASSERT_EQ(-EPERM, run_probe(TREE "/hashed"));
}

TEST_F(hash, ftruncate_invalidates_cache)
{
	int fd;

	ASSERT_EQ(RAN, run_probe(TREE "/hashed"));
	fd = open(TREE "/hashed", O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, self->size - 1));
	ASSERT_EQ(0, close(fd));
	ASSERT_EQ(-EPERM, run_probe(TREE "/hashed"));
}

TEST_F(hash, rename_over_rehashes)
{
	ASSERT_EQ(RAN, run_probe(TREE "/hashed"));
	/* An "upgrade" with other content: a new inode, hashed afresh. */
	ASSERT_EQ(0, copy_file(TMP "/v2", TREE "/hashed.new", 0755));
	ASSERT_EQ(0, rename(TREE "/hashed.new", TREE "/hashed"));
	ASSERT_EQ(-EPERM, run_probe(TREE "/hashed"));
	/* The right content renamed over it: allowed again. */
	ASSERT_EQ(0, copy_file(TMP "/same", TREE "/hashed.new", 0755));
	ASSERT_EQ(0, rename(TREE "/hashed.new", TREE "/hashed"));
	ASSERT_EQ(RAN, run_probe(TREE "/hashed"));
}

TEST_F(hash, path_rule_allows_upgraded_binary)
{
	struct stat before, after;

	ASSERT_EQ(0, stat(TREE "/plain", &before));
	ASSERT_EQ(RAN, run_probe(TREE "/plain"));
	/* A package upgrade: write the new file, rename it over the old. */
	ASSERT_EQ(0, copy_file(TMP "/v2", TREE "/plain.new", 0755));
	ASSERT_EQ(0, rename(TREE "/plain.new", TREE "/plain"));
	ASSERT_EQ(0, stat(TREE "/plain", &after));
	ASSERT_NE(before.st_ino, after.st_ino);
	ASSERT_EQ(RAN, run_probe(TREE "/plain"));
	/* Rewritten in place: still allowed, a path rule has no hash. */
	ASSERT_EQ(0, append_file(TREE "/plain", "v3", 2));
	ASSERT_EQ(RAN, run_probe(TREE "/plain"));
}

TEST_F(hash, new_policy_applies_new_hash)
{
	char h[65], text[4096];

	ASSERT_EQ(RAN, run_probe(TREE "/hashed"));
	ASSERT_EQ(0, unload_policy());
	ASSERT_EQ(0, file_sha256(TMP "/v2", h));
	snprintf(text, sizeof(text), "policy hash2 version 2\nglobal {\n"
		 BASE_RULES "    exec " TREE "/hashed sha256:%s\n}\n", h);
	ASSERT_EQ(0, load_policy(text));
	/* The cached "matches" was for the old policy's hash. */
	ASSERT_EQ(-EPERM, run_probe(TREE "/hashed"));
}

/* ---- Fileless exec ---------------------------------------------------- */

FIXTURE(fileless) {
	char policy[1024];
};

FIXTURE_VARIANT(fileless) {
	bool allow;		/* the policy says "exec fileless" */
	int expect;		/* what a fileless exec gives */
};

FIXTURE_VARIANT_ADD(fileless, denied) {
	.allow = false,
	.expect = -EPERM,
};

FIXTURE_VARIANT_ADD(fileless, allowed) {
	.allow = true,
	.expect = RAN,
};

FIXTURE_SETUP(fileless)
{
	ASSERT_EQ(0, unload_policy());
	make_dirs(_metadata);
	put_probe(_metadata, TMP "/probe");
	snprintf(self->policy, sizeof(self->policy),
		 "policy fileless version 1\nglobal {\n" BASE_RULES
		 "    exec " TMP "/allowed/\n%s}\n",
		 variant->allow ? "    exec fileless\n" : "");
}

FIXTURE_TEARDOWN(fileless)
{
	unload_policy();
	remove_dirs();
}

/* Copies citadel_probe into the writable @fd. */
static void fill_fd(struct __test_metadata *_metadata, int fd)
{
	int in = open(CITADEL_PROBE, O_RDONLY | O_CLOEXEC);
	char buf[65536];
	ssize_t n;

	ASSERT_LE(0, in);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		ASSERT_EQ(n, write(fd, buf, n));
	ASSERT_EQ(0, n);
	close(in);
}

/*
 * A read-only fd for the file behind the writable @wfd, which is closed:
 * exec refuses (ETXTBSY) files open for writing.
 */
static int reopen_read_only(struct __test_metadata *_metadata, int wfd)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", wfd);
	fd = open(path, O_RDONLY);
	EXPECT_LE(0, fd);
	close(wfd);
	return fd;
}

static int make_memfd(struct __test_metadata *_metadata)
{
	/* Kernels since 6.3 want MFD_EXEC said; 6.1 rejects the flag. */
	int fd = memfd_create("citadel-fileless", MFD_EXEC);

	if (fd < 0 && errno == EINVAL)
		fd = memfd_create("citadel-fileless", 0);
	EXPECT_LE(0, fd);
	if (fd < 0)
		return -1;
	fill_fd(_metadata, fd);
	return reopen_read_only(_metadata, fd);
}

static int make_tmpfile(struct __test_metadata *_metadata, const char *dir)
{
	int fd = open(dir, O_TMPFILE | O_RDWR, 0755);

	EXPECT_LE(0, fd) TH_LOG("O_TMPFILE in %s: %s", dir, strerror(errno));
	if (fd < 0)
		return -1;
	fill_fd(_metadata, fd);
	return reopen_read_only(_metadata, fd);
}

/* Runs the fd with no policy (control), then under the policy. */
static void check_fd(struct __test_metadata *_metadata,
		     FIXTURE_DATA(fileless) *self,
		     const FIXTURE_VARIANT(fileless) *variant, int fd)
{
	ASSERT_LE(0, fd);
	ASSERT_EQ(RAN, run_probe_fd(fd));
	ASSERT_EQ(RAN, run_probe_proc_fd(fd));
	ASSERT_EQ(0, load_policy(self->policy));
	ASSERT_EQ(variant->expect, run_probe_fd(fd));
	ASSERT_EQ(variant->expect, run_probe_proc_fd(fd));
}

TEST_F(fileless, memfd)
{
	int fd = make_memfd(_metadata);

	check_fd(_metadata, self, variant, fd);
	close(fd);
}

TEST_F(fileless, o_tmpfile)
{
	int fd = make_tmpfile(_metadata, TMP);

	check_fd(_metadata, self, variant, fd);
	close(fd);
}

TEST_F(fileless, o_tmpfile_in_allowed_directory)
{
	/* Its directory is allowed, but the file has no path. */
	int fd = make_tmpfile(_metadata, TMP "/allowed");

	check_fd(_metadata, self, variant, fd);
	close(fd);
}

TEST_F(fileless, deleted_file)
{
	int fd;

	put_probe(_metadata, TMP "/deleted");
	fd = open(TMP "/deleted", O_RDONLY);
	ASSERT_EQ(0, unlink(TMP "/deleted"));
	check_fd(_metadata, self, variant, fd);
	close(fd);
}

TEST_F(fileless, deleted_file_of_allowed_directory)
{
	/* Allowed while it has its path; once deleted it is fileless. */
	int fd;

	put_probe(_metadata, TMP "/allowed/deleted");
	fd = open(TMP "/allowed/deleted", O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, load_policy(self->policy));
	ASSERT_EQ(RAN, run_probe(TMP "/allowed/deleted"));
	ASSERT_EQ(RAN, run_probe_fd(fd));
	ASSERT_EQ(0, unlink(TMP "/allowed/deleted"));
	ASSERT_EQ(variant->expect, run_probe_fd(fd));
	ASSERT_EQ(variant->expect, run_probe_proc_fd(fd));
	close(fd);
}

TEST_F(fileless, files_with_a_path_still_checked)
{
	/* "exec fileless" allows no file that has a path. */
	ASSERT_EQ(RAN, run_probe(TMP "/probe"));
	ASSERT_EQ(0, load_policy(self->policy));
	ASSERT_EQ(-EPERM, run_probe(TMP "/probe"));
}

/* ---- PROT_EXEC file mappings ------------------------------------------ */

FIXTURE(mmap) {
	int dummy;
};

/*
 * mmap() @len bytes of @path (NULL: anonymous) with @prot and @flags;
 * then, if @mprot is not -1, mprotect() the mapping to it. Returns 0 or
 * the errno of the call that failed. With @maps, also copies the mapping's
 * permissions from /proc/self/maps ("r-xp") into @maps.
 */
static int try_map(const char *path, int prot, int flags, int mprot,
		   char maps[5])
{
	int fd = -1, ret = 0;
	size_t len = 4096;
	void *p;

	if (path) {
		/* Read-only unless a shared writable mapping needs more. */
		int want = prot | (mprot != -1 ? mprot : 0);

		fd = open(path, ((flags & MAP_SHARED) && (want & PROT_WRITE) ?
				 O_RDWR : O_RDONLY) | O_CLOEXEC);
		if (fd < 0)
			return errno + 1000;
	} else {
		flags |= MAP_ANONYMOUS;
	}
	p = mmap(NULL, len, prot, flags, fd, 0);
	if (p == MAP_FAILED) {
		ret = errno;
		goto out;
	}
	if (mprot != -1 && mprotect(p, len, mprot))
		ret = errno;
	if (maps) {
		char line[512];
		FILE *f = fopen("/proc/self/maps", "r");
		unsigned long lo;

		strcpy(maps, "????");
		while (f && fgets(line, sizeof(line), f))
			if (sscanf(line, "%lx-%*x %4s", &lo, maps) == 2 &&
			    lo == (unsigned long)p)
				break;
		if (f)
			fclose(f);
	}
	munmap(p, len);
out:
	if (fd >= 0)
		close(fd);
	return ret;
}

#define RX	(PROT_READ | PROT_EXEC)
#define RW	(PROT_READ | PROT_WRITE)

FIXTURE_SETUP(mmap)
{
	ASSERT_EQ(0, unload_policy());
	make_dirs(_metadata);
	put_probe(_metadata, TMP "/blob");
	put_probe(_metadata, "/usr/lib/citadel-test/lib.so");
	put_probe(_metadata, TREE "/libs/one.so");
	put_probe(_metadata, TREE "/libs/two.so");
	ASSERT_EQ(0, symlink(TMP "/blob", "/usr/lib/citadel-test/evil.so"));

	/* Controls. */
	ASSERT_EQ(0, try_map(TMP "/blob", RX, MAP_PRIVATE, -1, NULL));
	ASSERT_EQ(0, try_map(TMP "/blob", RX, MAP_SHARED, -1, NULL));
	ASSERT_EQ(0, try_map(TMP "/blob", PROT_READ, MAP_PRIVATE, RX, NULL));
	ASSERT_EQ(0, try_map(TREE "/libs/two.so", RX, MAP_PRIVATE, -1, NULL));
	ASSERT_EQ(0, try_map("/usr/lib/citadel-test/evil.so", RX, MAP_PRIVATE,
			     -1, NULL));

	ASSERT_EQ(0, load_global("mmap", "    libs " TREE "/libs/one.so\n"));
}

FIXTURE_TEARDOWN(mmap)
{
	unload_policy();
	remove_dirs();
}

TEST_F(mmap, exec_mapping_of_tmp_file_denied)
{
	ASSERT_EQ(EPERM, try_map(TMP "/blob", RX, MAP_PRIVATE, -1, NULL));
	ASSERT_EQ(EPERM, try_map(TMP "/blob", RX, MAP_SHARED, -1, NULL));
	ASSERT_EQ(EPERM, try_map(TMP "/blob", RX | PROT_WRITE, MAP_PRIVATE,
				 -1, NULL));
	/* Mappings without PROT_EXEC are not restricted. */
	ASSERT_EQ(0, try_map(TMP "/blob", PROT_READ, MAP_PRIVATE, -1, NULL));
	ASSERT_EQ(0, try_map(TMP "/blob", RW, MAP_PRIVATE, -1, NULL));
	ASSERT_EQ(0, try_map(TMP "/blob", RW, MAP_SHARED, -1, NULL));
}

TEST_F(mmap, mprotect_to_exec_denied)
{
	ASSERT_EQ(EPERM, try_map(TMP "/blob", PROT_READ, MAP_PRIVATE, RX,
				 NULL));
	ASSERT_EQ(EPERM, try_map(TMP "/blob", PROT_NONE, MAP_PRIVATE,
				 PROT_EXEC, NULL));
	ASSERT_EQ(0, try_map(TMP "/blob", PROT_READ, MAP_PRIVATE, RW, NULL));
}

TEST_F(mmap, libs_locations_allowed)
{
	ASSERT_EQ(0, try_map("/usr/lib/citadel-test/lib.so", RX, MAP_PRIVATE,
			     -1, NULL));
	ASSERT_EQ(0, try_map("/usr/lib/citadel-test/lib.so", PROT_READ,
			     MAP_PRIVATE, RX, NULL));
	/* A libs rule naming one file. */
	ASSERT_EQ(0, try_map(TREE "/libs/one.so", RX, MAP_PRIVATE, -1, NULL));
	ASSERT_EQ(EPERM, try_map(TREE "/libs/two.so", RX, MAP_PRIVATE, -1,
				 NULL));
}

TEST_F(mmap, symlink_into_libs_directory_resolved)
{
	ASSERT_EQ(EPERM, try_map("/usr/lib/citadel-test/evil.so", RX,
				 MAP_PRIVATE, -1, NULL));
}

TEST_F(mmap, exec_rule_files_allowed)
{
	ASSERT_EQ(0, try_map(CITADEL_PROBE, RX, MAP_PRIVATE, -1, NULL));
	ASSERT_EQ(0, try_map("/bin/busybox", RX, MAP_PRIVATE, -1, NULL));
	ASSERT_EQ(0, try_map("/bin/busybox", PROT_READ, MAP_PRIVATE, RX,
			     NULL));
}

TEST_F(mmap, anonymous_exec_mappings_allowed)
{
	ASSERT_EQ(0, try_map(NULL, RX | PROT_WRITE, MAP_PRIVATE, -1, NULL));
	ASSERT_EQ(0, try_map(NULL, RW, MAP_PRIVATE, RX, NULL));
	/* Shared anonymous memory is backed by a shmem file internally. */
	ASSERT_EQ(0, try_map(NULL, RX, MAP_SHARED, -1, NULL));
	ASSERT_EQ(0, try_map(NULL, RW, MAP_SHARED, RX, NULL));
}

TEST_F(mmap, read_implies_exec_personality)
{
	char maps[5];

	/* With READ_IMPLIES_EXEC, PROT_READ file mappings are executable. */
	ASSERT_EQ(0, unload_policy());
	ASSERT_LE(0, personality(READ_IMPLIES_EXEC));
	ASSERT_EQ(0, try_map(TMP "/blob", PROT_READ, MAP_PRIVATE, -1, maps));
	ASSERT_EQ('x', maps[2]) TH_LOG("mapping is %s", maps);
	ASSERT_EQ(0, load_global("mmap", ""));
	ASSERT_EQ(EPERM, try_map(TMP "/blob", PROT_READ, MAP_PRIVATE, -1,
				 NULL));
	ASSERT_EQ(EPERM, try_map(TMP "/blob", PROT_NONE, MAP_PRIVATE,
				 PROT_READ, NULL));
	ASSERT_EQ(0, try_map(NULL, PROT_READ, MAP_PRIVATE, -1, NULL));
}

TEST_F(mmap, mmap_counters)
{
	long long denied = status_value("mmap_denied");
	long long allowed = status_value("mmap_allowed");

	ASSERT_LE(0, denied);
	ASSERT_LE(0, allowed);
	ASSERT_EQ(EPERM, try_map(TMP "/blob", RX, MAP_PRIVATE, -1, NULL));
	ASSERT_EQ(denied + 1, status_value("mmap_denied"));
	ASSERT_EQ(0, try_map(TREE "/libs/one.so", RX, MAP_PRIVATE, -1, NULL));
	ASSERT_LT(allowed, status_value("mmap_allowed"));
}

/* ---- The dynamic loader and LD_PRELOAD -------------------------------- */

/*
 * selftests/vm-sysroot.sh puts a dynamic loader and libc under
 * CITADEL_DIR/sysroot, and dyn_hello (a dynamic program that exits 42)
 * and preload_probe.so (its constructor creates $CITADEL_MARKER) next to
 * the tests.
 */
#define SYSROOT		CITADEL_DIR "/sysroot"
#define DYN_HELLO	CITADEL_DIR "/dyn_hello"
#define PRELOAD		CITADEL_DIR "/preload_probe.so"
#define MARKER		TMP "/preload-marker"
#define OUT		TMP "/out"

FIXTURE(dynamic) {
	char loader[PATH_MAX];	/* the loader's path as the kernel sees it */
};

/* Runs @argv with LD_PRELOAD=@preload; 0 or the errno-ish result. */
static int run_preloaded(char *const argv[], const char *preload)
{
	char env_preload[PATH_MAX + 16];
	char *envp[] = { env_preload, "CITADEL_MARKER=" MARKER, NULL };

	snprintf(env_preload, sizeof(env_preload), "LD_PRELOAD=%s", preload);
	unlink(MARKER);
	return run_execveat(AT_FDCWD, argv[0], argv, envp, 0, OUT);
}

static bool output_has(const char *needle)
{
	char buf[4096];

	if (read_text(OUT, buf, sizeof(buf)) < 0)
		return false;
	return strstr(buf, needle);
}

FIXTURE_SETUP(dynamic)
{
	char *hello[] = { DYN_HELLO, NULL };
	struct stat st;

	ASSERT_EQ(0, unload_policy());
	ASSERT_EQ(0, stat(SYSROOT, &st))
		TH_LOG(SYSROOT " missing: the VM files need selftests/vm-sysroot.sh");
	ASSERT_EQ(0, run_cmd("cp -a " SYSROOT "/. /"));
	ASSERT_NE(NULL, realpath(LOADER, self->loader));
	make_dirs(_metadata);
	ASSERT_EQ(0, copy_file(DYN_HELLO, TMP "/dyn_hello", 0755));
	ASSERT_EQ(0, copy_file(PRELOAD, TMP "/preload.so", 0755));
	ASSERT_EQ(0, copy_file(PRELOAD, "/usr/lib/citadel-test/preload.so",
			       0755));

	/* Controls. */
	ASSERT_EQ(RAN, RUN(DYN_HELLO));
	ASSERT_EQ(RAN, RUN(TMP "/dyn_hello"));
	ASSERT_EQ(RAN, RUN(self->loader, TMP "/dyn_hello"));
	ASSERT_EQ(RAN, run_preloaded(hello, TMP "/preload.so"));
	ASSERT_EQ(0, access(MARKER, F_OK));

	ASSERT_EQ(0, load_global("dynamic", ""));
}

FIXTURE_TEARDOWN(dynamic)
{
	unload_policy();
	remove_dirs();
}

TEST_F(dynamic, allowed_dynamic_binary_runs)
{
	/* The kernel maps the loader, the loader maps libc: both libs. */
	ASSERT_EQ(RAN, RUN(DYN_HELLO));
	ASSERT_EQ(-EPERM, RUN(TMP "/dyn_hello"));
}

TEST_F(dynamic, loader_is_not_an_exec_path)
{
	TH_LOG("loader: %s", self->loader);
	ASSERT_EQ(-EPERM, RUN(self->loader, TMP "/dyn_hello"));
	ASSERT_EQ(-EPERM, RUN(LOADER, TMP "/dyn_hello"));
	ASSERT_EQ(-EPERM, RUN(self->loader, DYN_HELLO));
}

TEST_F(dynamic, allowed_loader_cannot_map_tmp_program)
{
	char rules[PATH_MAX + 128];
	char *argv[] = { self->loader, TMP "/dyn_hello", NULL };

	snprintf(rules, sizeof(rules), "    exec %s\n", self->loader);
	ASSERT_EQ(0, load_global("dynamic2", rules));
	ASSERT_EQ(RAN, RUN(self->loader, DYN_HELLO));
	/* ld.so opens and maps the program itself: the mapping is denied. */
	ASSERT_EQ(127, run_execveat(AT_FDCWD, argv[0], argv, NULL, 0, OUT));
	ASSERT_TRUE(output_has("error while loading shared libraries"));
}

TEST_F(dynamic, ld_preload_from_tmp_has_no_effect)
{
	char *hello[] = { DYN_HELLO, NULL };

	ASSERT_EQ(RAN, run_preloaded(hello, TMP "/preload.so"));
	ASSERT_NE(0, access(MARKER, F_OK));
	ASSERT_TRUE(output_has("cannot be preloaded"));
}

TEST_F(dynamic, ld_preload_from_allowed_locations)
{
	char *hello[] = { DYN_HELLO, NULL };

	/* From a libs directory. */
	ASSERT_EQ(RAN, run_preloaded(hello, "/usr/lib/citadel-test/preload.so"));
	ASSERT_EQ(0, access(MARKER, F_OK));
	/* A file that an exec rule allows. */
	ASSERT_EQ(RAN, run_preloaded(hello, PRELOAD));
	ASSERT_EQ(0, access(MARKER, F_OK));
}

TEST_HARNESS_MAIN
