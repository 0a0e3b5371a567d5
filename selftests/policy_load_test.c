// SPDX-License-Identifier: GPL-2.0-only
/*
 * Loading policies: bad blobs are refused with the right errno and leave
 * the old policy in force; audit mode; replacement under load; what the
 * policy, status and last_error files say.
 */
#define _GNU_SOURCE
#include "citadel_test_lib.h"

#include <linux/capability.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "../module/citadel_abi.h"

#define PORT_OK		6001
#define PORT_NO		6002
#define PORT_EXTRA	6003

static const char good_policy[] =
	"policy good version 7\n"
	"global {\n"
	"    exec /\n"
	"    connect udp 127.0.0.1 port 6001\n"
	"    connect udp ::1 port 6001\n"
	"}\n";

/* Drops CAP_MAC_ADMIN from this process: root as in a container. */
static int drop_mac_admin(void)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];
	int i = CAP_TO_INDEX(CAP_MAC_ADMIN);

	if (syscall(SYS_capget, &h, d))
		return -1;
	d[i].effective &= ~CAP_TO_MASK(CAP_MAC_ADMIN);
	d[i].permitted &= ~CAP_TO_MASK(CAP_MAC_ADMIN);
	return syscall(SYS_capset, &h, d);
}

FIXTURE(load) {
	unsigned char *blob;
	size_t len;
	char digest[256];
};

static size_t read_blob(const char *path, unsigned char **out)
{
	struct stat st;
	int fd = open(path, O_RDONLY);
	unsigned char *buf;

	if (fd < 0 || fstat(fd, &st))
		return 0;
	buf = malloc(st.st_size + 16);
	if (!buf || read(fd, buf, st.st_size) != st.st_size)
		return 0;
	close(fd);
	*out = buf;
	return st.st_size;
}

/* Writes @len bytes in one write(); returns 0 or the errno. */
static int write_policy(const void *buf, size_t len)
{
	int fd = open(CITADEL_FS "/policy", O_WRONLY);
	int ret;

	if (fd < 0)
		return errno;
	ret = write(fd, buf, len) == (ssize_t)len ? 0 : errno;
	close(fd);
	return ret;
}

FIXTURE_SETUP(load)
{
	ASSERT_EQ(0, unload_policy());
	ASSERT_EQ(0, compile_policy(good_policy, "/tmp/good.cpol"));
	self->len = read_blob("/tmp/good.cpol", &self->blob);
	ASSERT_LT(sizeof(struct cpol_header), self->len);
	ASSERT_EQ(0, write_policy(self->blob, self->len));
	ASSERT_LT(0, read_text(CITADEL_FS "/policy", self->digest,
			       sizeof(self->digest)));
	ASSERT_EQ(0, try_connect(SOCK_DGRAM, "127.0.0.1", PORT_OK));
	ASSERT_EQ(EPERM, try_connect(SOCK_DGRAM, "127.0.0.1", PORT_NO));
}

FIXTURE_TEARDOWN(load)
{
	unload_policy();
	free(self->blob);
}

/* The good policy is still the one in force, unchanged. */
static void assert_old_policy_in_force(struct __test_metadata *_metadata,
				       FIXTURE_DATA(load) *self)
{
	char now[256];

	ASSERT_LT(0, read_text(CITADEL_FS "/policy", now, sizeof(now)));
	ASSERT_STREQ(self->digest, now);
	ASSERT_EQ(0, try_connect(SOCK_DGRAM, "127.0.0.1", PORT_OK));
	ASSERT_EQ(EPERM, try_connect(SOCK_DGRAM, "127.0.0.1", PORT_NO));
	ASSERT_EQ(EPERM, try_connect(SOCK_DGRAM, "::1", PORT_NO));
}

static void assert_last_error(struct __test_metadata *_metadata,
			      const char *needle)
{
	char err[512];

	ASSERT_LT(0, read_text(CITADEL_FS "/last_error", err, sizeof(err)));
	TH_LOG("last_error: %s", err);
	ASSERT_NE(NULL, strstr(err, needle));
}

TEST_F(load, policy_file_names_the_policy)
{
	ASSERT_EQ(0, strncmp(self->digest, "name good\nversion 7\ndigest ",
			     strlen("name good\nversion 7\ndigest ")));
	ASSERT_EQ(1, status_value("rules_net4"));
	ASSERT_EQ(1, status_value("rules_net6"));
}

TEST_F(load, truncated_blob)
{
	ASSERT_EQ(EINVAL, write_policy(self->blob, self->len - 8));
	assert_last_error(_metadata, "total size");
	ASSERT_EQ(EINVAL, write_policy(self->blob, 40));
	assert_last_error(_metadata, "too short");
	assert_old_policy_in_force(_metadata, self);
}

TEST_F(load, wrong_magic)
{
	self->blob[0] ^= 0xff;
	ASSERT_EQ(EINVAL, write_policy(self->blob, self->len));
	assert_last_error(_metadata, "magic");
	assert_old_policy_in_force(_metadata, self);
}

TEST_F(load, text_instead_of_blob)
{
	ASSERT_EQ(EINVAL, write_policy(good_policy, strlen(good_policy)));
	assert_old_policy_in_force(_metadata, self);
}

TEST_F(load, section_count_past_end)
{
	struct cpol_header *h = (struct cpol_header *)self->blob;

	h->section_count = 15;
	ASSERT_EQ(EINVAL, write_policy(self->blob, self->len));
	assert_last_error(_metadata, "section");
	assert_old_policy_in_force(_metadata, self);
}

TEST_F(load, rule_count_past_end)
{
	struct cpol_section *s = (struct cpol_section *)
		(self->blob + sizeof(struct cpol_header));

	ASSERT_LE(1, ((struct cpol_header *)self->blob)->section_count);
	s->count += 1000;
	s->size = s->count * CPOL_NET4_SIZE;
	ASSERT_EQ(EINVAL, write_policy(self->blob, self->len));
	assert_last_error(_metadata, "past the end");
	s->count = 0xffffffff;
	ASSERT_EQ(EINVAL, write_policy(self->blob, self->len));
	assert_old_policy_in_force(_metadata, self);
}

TEST_F(load, bad_rule_fields)
{
	struct cpol_section *s = (struct cpol_section *)
		(self->blob + sizeof(struct cpol_header));
	struct cpol_net4 *r = (struct cpol_net4 *)(self->blob + s->offset);

	ASSERT_EQ(CPOL_SEC_NET4, s->type);
	r->prefix = 33;
	ASSERT_EQ(EINVAL, write_policy(self->blob, self->len));
	assert_last_error(_metadata, "prefix length 33");
	r->prefix = 24;		/* 127.0.0.1/24 has host bits */
	ASSERT_EQ(EINVAL, write_policy(self->blob, self->len));
	assert_last_error(_metadata, "host bits");
	r->prefix = 32;
	r->port_lo = 9;
	r->port_hi = 8;
	ASSERT_EQ(EINVAL, write_policy(self->blob, self->len));
	assert_last_error(_metadata, "reversed");
	assert_old_policy_in_force(_metadata, self);
}

TEST_F(load, oversized_blob)
{
	size_t big = CPOL_MAX_BLOB + 4096;
	void *buf = mmap(NULL, big, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, buf);
	memcpy(buf, self->blob, self->len);
	ASSERT_EQ(E2BIG, write_policy(buf, big));
	munmap(buf, big);
	assert_last_error(_metadata, "exceeds");
	assert_old_policy_in_force(_metadata, self);
}

TEST_F(load, write_at_offset_refused)
{
	int fd = open(CITADEL_FS "/policy", O_WRONLY);

	ASSERT_LE(0, fd);
	ASSERT_EQ(-1, pwrite(fd, self->blob, self->len, 1));
	ASSERT_EQ(EINVAL, errno);
	close(fd);
	assert_old_policy_in_force(_metadata, self);
}

TEST_F(load, blob_split_over_two_writes_refused)
{
	int fd = open(CITADEL_FS "/policy", O_WRONLY);
	size_t half = self->len / 2;

	ASSERT_LE(0, fd);
	ASSERT_EQ(-1, write(fd, self->blob, half));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, write(fd, self->blob + half, self->len - half));
	ASSERT_EQ(EINVAL, errno);
	close(fd);
	assert_old_policy_in_force(_metadata, self);
}

TEST_F(load, concurrent_writers)
{
	int i, k, st, all_ok = 1;
	pid_t pid[4];

	for (i = 0; i < 4; i++) {
		pid[i] = fork();
		ASSERT_LE(0, pid[i]);
		if (pid[i] == 0) {
			for (k = 0; k < 25; k++)
				if (write_policy(self->blob, self->len))
					_exit(1);
			_exit(0);
		}
	}
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(pid[i], waitpid(pid[i], &st, 0));
		all_ok &= WIFEXITED(st) && !WEXITSTATUS(st);
	}
	ASSERT_TRUE(all_ok);
	assert_old_policy_in_force(_metadata, self);
}

TEST_F(load, reads_at_odd_offsets)
{
	char whole[8192], bytewise[8192], c;
	ssize_t len, i = 0;
	int fd;

	len = read_text(CITADEL_FS "/status", whole, sizeof(whole));
	ASSERT_LT(100, len);
	fd = open(CITADEL_FS "/status", O_RDONLY);
	ASSERT_LE(0, fd);
	while (i < (ssize_t)sizeof(bytewise) - 1 && read(fd, &c, 1) == 1)
		bytewise[i++] = c;
	bytewise[i] = '\0';
	/* Counters may move between the reads; the head may not. */
	ASSERT_EQ(0, strncmp(whole, bytewise, 40));
	ASSERT_EQ(1, pread(fd, &c, 1, 5));
	ASSERT_EQ(whole[5], c);
	ASSERT_EQ(0, pread(fd, &c, 1, 1 << 20));
	close(fd);
}

TEST_F(load, rejects_are_counted)
{
	long long before = status_value("policy_rejects");

	self->blob[0] ^= 0xff;
	ASSERT_EQ(EINVAL, write_policy(self->blob, self->len));
	ASSERT_EQ(before + 1, status_value("policy_rejects"));
}

TEST_F(load, audit_mode_allows_and_counts)
{
	long long audited = status_value("connect_audited");
	long long denied = status_value("connect_denied");
	char buf[4096];

	ASSERT_EQ(0, load_policy("policy aud version 1\nmode audit\nglobal {\nexec /\n"
				 "connect udp 127.0.0.1 port 6001\n}\n"));
	ASSERT_LT(0, read_text(CITADEL_FS "/status", buf, sizeof(buf)));
	ASSERT_NE(NULL, strstr(buf, "mode audit\n"));
	ASSERT_EQ(0, try_connect(SOCK_DGRAM, "127.0.0.1", PORT_NO));
	ASSERT_EQ(0, try_sendto(SOCK_DGRAM, 0, "::1", PORT_NO));
	ASSERT_EQ(0, try_connect(SOCK_DGRAM, "127.0.0.1", PORT_OK));
	ASSERT_EQ(audited + 1, status_value("connect_audited"));
	ASSERT_EQ(denied, status_value("connect_denied"));
	ASSERT_LE(1, status_value("send_audited"));
}

TEST_F(load, needs_cap_mac_admin)
{
	pid_t pid = fork();
	int st;

	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* Root without CAP_MAC_ADMIN (e.g. in a container). */
		if (drop_mac_admin())
			_exit(3);
		_exit(write_policy(self->blob, self->len) == EPERM &&
		      unload_policy() != 0 ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_EQ(0, WEXITSTATUS(st));
	assert_old_policy_in_force(_metadata, self);
}

/*
 * Policies swapped while another process connects in a loop: each
 * destination gets the outcome both policies agree on, every time.
 */
TEST_F(load, replace_under_load)
{
	char a[65536], b[65536];
	volatile int *shared;
	int i, n = 0, st;
	pid_t pid;

	/* Both allow PORT_OK and deny PORT_NO; they differ elsewhere. */
	n = snprintf(a, sizeof(a), "policy a version 1\nglobal {\nexec /\n"
		     "connect udp 127.0.0.1 port %d\n"
		     "connect udp 127.0.0.1 port %d\n", PORT_OK, PORT_EXTRA);
	for (i = 0; i < 1000; i++)
		n += snprintf(a + n, sizeof(a) - n,
			      "connect udp 10.%d.%d.0/24 port 53\n",
			      i / 250, i % 250);
	snprintf(a + n, sizeof(a) - n, "}\n");
	snprintf(b, sizeof(b), "policy b version 2\nglobal {\nexec /\n"
		 "connect udp 127.0.0.0/8 port %d-%d\n"
		 "connect udp 127.0.0.1 port 1-%d\n}\n",
		 PORT_OK, PORT_OK, PORT_NO - 1);
	ASSERT_EQ(0, compile_policy(a, "/tmp/a.cpol"));
	ASSERT_EQ(0, compile_policy(b, "/tmp/b.cpol"));

	/* Shared with the child: [0] stop flag, [1] rounds, [2] wrong. */
	shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, shared);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		while (!__atomic_load_n(&shared[0], __ATOMIC_ACQUIRE)) {
			shared[2] += try_connect(SOCK_DGRAM, "127.0.0.1",
						 PORT_OK) != 0;
			shared[2] += try_connect(SOCK_DGRAM, "127.0.0.1",
						 PORT_NO) != EPERM;
			shared[1]++;
		}
		_exit(0);
	}
	for (i = 0; i < 40; i++)
		ASSERT_EQ(0, run_cmd("citadelctl load /tmp/%s.cpol",
				     i % 2 ? "a" : "b"));
	__atomic_store_n(&shared[0], 1, __ATOMIC_RELEASE);
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_EQ(0, WEXITSTATUS(st));
	TH_LOG("%d rounds during 40 reloads, %d wrong", shared[1], shared[2]);
	ASSERT_LT(100, shared[1]);
	ASSERT_EQ(0, shared[2]);
	munmap((void *)shared, 4096);
}

TEST_HARNESS_MAIN
