// SPDX-License-Identifier: GPL-2.0-only
/*
 * Trial loads (citadelctl load --confirm-within): confirm keeps the new
 * policy; no confirm brings the previous one back, from the kernel, with
 * no userspace help; other loads wait for the trial to end.
 */
#define _GNU_SOURCE
#include "citadel_test_lib.h"

#define PORT_A	6101	/* allowed by policy A only */
#define PORT_B	6102	/* allowed by policy B only */

static const char policy_a[] =
	"policy a version 1\nglobal {\nexec /\nconnect udp 127.0.0.1 port 6101\n}\n";
static const char policy_b[] =
	"policy b version 2\nglobal {\nexec /\nconnect udp 127.0.0.1 port 6102\n}\n";

static int in_force(const char *name)
{
	if (!strcmp(name, "a"))
		return try_connect(SOCK_DGRAM, "127.0.0.1", PORT_A) == 0 &&
		       try_connect(SOCK_DGRAM, "127.0.0.1", PORT_B) == EPERM;
	if (!strcmp(name, "b"))
		return try_connect(SOCK_DGRAM, "127.0.0.1", PORT_B) == 0 &&
		       try_connect(SOCK_DGRAM, "127.0.0.1", PORT_A) == EPERM;
	/* none */
	return try_connect(SOCK_DGRAM, "127.0.0.1", PORT_A) == 0 &&
	       try_connect(SOCK_DGRAM, "127.0.0.1", PORT_B) == 0;
}

static int status_has(const char *line)
{
	char buf[8192];

	if (read_text(CITADEL_FS "/status", buf, sizeof(buf)) < 0)
		return 0;
	return strstr(buf, line) != NULL;
}

FIXTURE(trial) {
	int dummy;
};

FIXTURE_SETUP(trial)
{
	ASSERT_EQ(0, unload_policy());
	ASSERT_EQ(0, compile_policy(policy_b, "/tmp/trial-b.cpol"));
	ASSERT_EQ(0, load_policy(policy_a));
	ASSERT_TRUE(in_force("a"));
}

FIXTURE_TEARDOWN(trial)
{
	unload_policy();
}

TEST_F(trial, confirm_keeps_the_new_policy)
{
	ASSERT_EQ(0, run_cmd("citadelctl load --confirm-within 3 /tmp/trial-b.cpol"));
	ASSERT_TRUE(in_force("b"));
	ASSERT_TRUE(status_has("trial pending\n"));
	ASSERT_TRUE(status_has("trial_restores a version 1\n"));
	ASSERT_EQ(0, run_cmd("citadelctl confirm"));
	ASSERT_TRUE(status_has("trial none\n"));
	sleep(4);
	ASSERT_TRUE(in_force("b"));
	/* Nothing left to confirm. */
	ASSERT_NE(0, run_cmd("citadelctl confirm 2>/dev/null"));
}

TEST_F(trial, no_confirm_reverts)
{
	long long before = status_value("policy_rollbacks");

	ASSERT_EQ(0, run_cmd("citadelctl load --confirm-within 1 /tmp/trial-b.cpol"));
	ASSERT_TRUE(in_force("b"));
	sleep(3);
	ASSERT_TRUE(in_force("a"));
	ASSERT_TRUE(status_has("trial none\n"));
	ASSERT_TRUE(status_has("name a\n"));
	ASSERT_EQ(before + 1, status_value("policy_rollbacks"));
	ASSERT_EQ(0, run_cmd("dmesg | grep -q 'citadel: rollback: trial of policy b version 2 was not confirmed in time; restored a version 1'"));
	/* The rollback is an event too, naming what came back. */
	ASSERT_EQ(0, run_cmd("citadelctl events | grep -q ' rollback policy trial=b version 2 .* policy=a version=1$'"));
}

TEST_F(trial, other_loads_wait_for_the_trial)
{
	char err[512];

	ASSERT_EQ(0, run_cmd("citadelctl load --confirm-within 30 /tmp/trial-b.cpol"));
	/* A plain load and a second trial are both refused, EBUSY. */
	ASSERT_NE(0, run_cmd("citadelctl load /tmp/citadel-test.cpol 2>/dev/null"));
	ASSERT_LT(0, read_text(CITADEL_FS "/last_error", err, sizeof(err)));
	ASSERT_NE(NULL, strstr(err, "trial load is pending"));
	ASSERT_NE(0, run_cmd("citadelctl load --confirm-within 5 /tmp/trial-b.cpol 2>/dev/null"));
	ASSERT_TRUE(in_force("b"));
	ASSERT_EQ(0, run_cmd("citadelctl confirm"));
	ASSERT_EQ(0, run_cmd("citadelctl load /tmp/citadel-test.cpol"));
	ASSERT_TRUE(in_force("a"));
}

TEST_F(trial, unload_ends_the_trial)
{
	ASSERT_EQ(0, run_cmd("citadelctl load --confirm-within 1 /tmp/trial-b.cpol"));
	ASSERT_EQ(0, unload_policy());
	sleep(2);
	ASSERT_TRUE(in_force("none"));
	ASSERT_TRUE(status_has("state none\n"));
}

TEST_F(trial, trial_from_no_policy_reverts_to_none)
{
	ASSERT_EQ(0, unload_policy());
	ASSERT_EQ(0, run_cmd("citadelctl load --confirm-within 1 /tmp/trial-b.cpol"));
	ASSERT_TRUE(in_force("b"));
	sleep(3);
	ASSERT_TRUE(in_force("none"));
	ASSERT_TRUE(status_has("state none\n"));
}

TEST_F(trial, bad_trial_header_refused)
{
	int fd = open(CITADEL_FS "/trial", O_WRONLY);
	unsigned int hdr[2] = { 0x4c525443u, 0 };	/* zero seconds */

	ASSERT_LE(0, fd);
	ASSERT_EQ(-1, write(fd, hdr, sizeof(hdr)));
	ASSERT_EQ(EINVAL, errno);
	close(fd);
	ASSERT_NE(0, run_cmd("citadelctl load --confirm-within 0 /tmp/trial-b.cpol 2>/dev/null"));
	ASSERT_TRUE(in_force("a"));
}

TEST_HARNESS_MAIN
