// SPDX-License-Identifier: GPL-2.0-only
/*
 * The example policies in examples/ load and mean what their
 * comments say. Checked from this process, which has no service label,
 * so it gets the global rules only: destinations on the device's
 * networks are reached only through the service that owns them. The VM
 * has no network device: an allowed connect() to such an address fails
 * with ENETUNREACH after the policy let it through, a refused one with
 * EPERM, and no packet is ever sent.
 */
#define _GNU_SOURCE
#include "citadel_test_lib.h"

FIXTURE(example) {
	int dummy;
};

FIXTURE_VARIANT(example) {
	const char *file;
	const char *allowed_udp;	/* global connect rule, port 53 */
	const char *service_tcp;	/* a service's destination */
	int service_port;
	int denied_family;		/* needs a service's socket rule */
};

FIXTURE_VARIANT_ADD(example, kiosk) {
	.file = "examples/kiosk.conf",
	.allowed_udp = "10.20.0.53",
	.service_tcp = "10.20.1.10",
	.service_port = 8883,
	.denied_family = AF_PACKET,
};

FIXTURE_VARIANT_ADD(example, camera) {
	.file = "examples/camera.conf",
	.allowed_udp = "10.30.0.53",
	.service_tcp = "10.30.8.20",
	.service_port = 443,
	.denied_family = AF_PACKET,
};

FIXTURE_VARIANT_ADD(example, gateway) {
	.file = "examples/gateway.conf",
	.allowed_udp = "10.40.0.53",
	.service_tcp = "10.40.2.10",
	.service_port = 8883,
	.denied_family = AF_CAN,
};

FIXTURE_SETUP(example)
{
	ASSERT_EQ(0, unload_policy());
	/* Controls: no policy, no route; the family exists or not. */
	ASSERT_EQ(ENETUNREACH, try_connect(SOCK_DGRAM, variant->allowed_udp, 53));
	ASSERT_EQ(ENETUNREACH, try_connect(SOCK_STREAM, variant->service_tcp,
					   variant->service_port));
	ASSERT_EQ(0, run_cmd("citadelctl check %s", variant->file));
	ASSERT_EQ(0, run_cmd("citadelctl compile %s -o /tmp/example.cpol && citadelctl load /tmp/example.cpol",
			     variant->file));
}

FIXTURE_TEARDOWN(example)
{
	unload_policy();
}

TEST_F(example, rules_mean_what_they_say)
{
	char buf[4096];
	int fd;

	ASSERT_LT(0, read_text(CITADEL_FS "/status", buf, sizeof(buf)));
	ASSERT_NE(NULL, strstr(buf, "state loaded\n"));
	/* Global name resolution is allowed; another resolver is not. */
	ASSERT_EQ(ENETUNREACH, try_connect(SOCK_DGRAM, variant->allowed_udp, 53));
	ASSERT_EQ(EPERM, try_connect(SOCK_DGRAM, "10.99.0.53", 53));
	/* A service's destination is not the unlabelled task's. */
	ASSERT_EQ(EPERM, try_connect(SOCK_STREAM, variant->service_tcp,
				     variant->service_port));
	/* Families a service needs are not given to everyone. */
	fd = socket(variant->denied_family, SOCK_RAW, 0);
	ASSERT_EQ(-1, fd);
	ASSERT_EQ(EPERM, errno);
	/* Nothing outside the policy runs: not even busybox. */
	ASSERT_EQ(-EPERM, RUN("/bin/busybox", "true"));
}

TEST_HARNESS_MAIN
