// SPDX-License-Identifier: GPL-2.0-only
/*
 * Signed policies: enrolment through securityfs 'keys', PKCS#7 signatures
 * verified by the kernel, and 'require signature'. The keys and blobs are
 * made on the host by selftests/signing-keys.sh (the VM has no openssl)
 * into ./signing/. Assumes the module was loaded without
 * require_signature=1.
 */
#define _GNU_SOURCE
#include "citadel_test_lib.h"

#include <endian.h>

#include "citadel_abi.h"

#define SIGDIR	"signing/"
#define PORT	6201	/* allowed by every test policy but p-after */
#define PORT_AFTER 6202	/* allowed by p-after only */

static int status_has(const char *line)
{
	char buf[8192];

	if (read_text(CITADEL_FS "/status", buf, sizeof(buf)) < 0)
		return 0;
	return strstr(buf, line) != NULL;
}

static int last_error_has(const char *s)
{
	char buf[512];

	if (read_text(CITADEL_FS "/last_error", buf, sizeof(buf)) < 0)
		return 0;
	return strstr(buf, s) != NULL;
}

/* Whether the fingerprint of c1.der is listed in ROOT/keys. */
static int c1_listed(void)
{
	char keys[4096], fp[80];
	size_t len;
	char *f = slurp(SIGDIR "c1.sha256", &len);

	if (!f)
		return 0;
	snprintf(fp, sizeof(fp), "%.64s ", f);
	free(f);
	if (read_text(CITADEL_FS "/keys", keys, sizeof(keys)) < 0)
		return 0;
	return strstr(keys, fp) != NULL;
}

/* Enrols c1 once: the keyring outlives the tests (no way to remove a key). */
static int enroll_c1(void)
{
	if (c1_listed())
		return 0;
	if (run_cmd("citadelctl enroll " SIGDIR "c1.der >/dev/null"))
		return -1;
	return c1_listed() ? 0 : -1;
}

FIXTURE(signing) {
	int dummy;
};

FIXTURE_SETUP(signing)
{
	ASSERT_EQ(0, unload_policy());
	ASSERT_TRUE(status_has("require_signature no\n")) {
		TH_LOG("load the module without require_signature=1");
	}
	ASSERT_EQ(0, enroll_c1());
}

FIXTURE_TEARDOWN(signing)
{
	/* Works with a require-signature policy in force (no seal yet). */
	EXPECT_EQ(0, unload_policy());
	EXPECT_TRUE(status_has("state none\n"));
}

TEST_F(signing, enrolled_key_is_listed)
{
	char fp[128];

	ASSERT_TRUE(c1_listed());
	ASSERT_GE(status_value("keys"), 1);
	ASSERT_EQ(0, run_cmd("citadelctl keys | grep -q citadel-selftest-1"));
	ASSERT_GE(read_text(SIGDIR "c1.sha256", fp, sizeof(fp)), 64);
	fp[64] = '\0';
	ASSERT_EQ(0, run_cmd("citadelctl -j keys | grep -q '\"fingerprint\":\"%s\"'",
			     fp));
}

TEST_F(signing, garbage_is_not_enrolled)
{
	long long before = status_value("keys");
	int err = write_fs("keys", "not a certificate", 17);

	ASSERT_NE(0, err);
	ASSERT_EQ(before, status_value("keys"));
	ASSERT_NE(0, run_cmd("citadelctl enroll " SIGDIR "p-unsigned.cpol 2>/dev/null"));
}

TEST_F(signing, signed_by_enrolled_key_loads)
{
	ASSERT_EQ(0, load_file(SIGDIR "p-signed1.cpol"));
	ASSERT_TRUE(status_has("name signed1\n"));
	ASSERT_TRUE(status_has("signature signed\n"));
	ASSERT_EQ(0, try_connect(SOCK_DGRAM, "127.0.0.1", PORT));
	ASSERT_EQ(EPERM, try_connect(SOCK_DGRAM, "127.0.0.1", PORT_AFTER));
	/* And through citadelctl, which hands the whole file over. */
	ASSERT_EQ(0, run_cmd("citadelctl load " SIGDIR "p-signed1.cpol"));
	ASSERT_TRUE(status_has("signature signed\n"));
}

TEST_F(signing, unsigned_loads_without_requirement)
{
	ASSERT_EQ(0, load_file(SIGDIR "p-unsigned.cpol"));
	ASSERT_TRUE(status_has("name unsigned\n"));
	ASSERT_TRUE(status_has("signature unsigned\n"));
	ASSERT_TRUE(status_has("policy_requires_signature no\n"));
}

TEST_F(signing, tampered_is_refused_and_old_policy_stays)
{
	int err;

	ASSERT_EQ(0, load_file(SIGDIR "p-signed1.cpol"));
	err = load_file(SIGDIR "p-tampered.cpol");
	ASSERT_TRUE(err == EKEYREJECTED || err == EBADMSG) {
		TH_LOG("tampered policy: %s", strerror(err));
	}
	ASSERT_TRUE(status_has("name signed1\n"));
	ASSERT_TRUE(status_has("signature signed\n"));
	ASSERT_EQ(0, try_connect(SOCK_DGRAM, "127.0.0.1", PORT));
	/* citadelctl explains the refusal with last_error. */
	ASSERT_EQ(0, run_cmd("citadelctl load " SIGDIR "p-tampered.cpol 2>&1 | grep -q '^Error: policy rejected: '"));
}

TEST_F(signing, signer_not_enrolled_is_enokey)
{
	ASSERT_EQ(0, load_file(SIGDIR "p-signed1.cpol"));
	ASSERT_EQ(ENOKEY, load_file(SIGDIR "p-signed2.cpol"));
	ASSERT_TRUE(last_error_has("not enrolled"));
	ASSERT_TRUE(status_has("name signed1\n"));
}

TEST_F(signing, trailer_length_out_of_range_is_einval)
{
	struct cpol_sig_trailer t;
	size_t len;
	char *blob = slurp(SIGDIR "p-unsigned.cpol", &len), *msg;
	uint32_t lens[] = { 0, CPOL_SIG_MAX + 1, 1u << 30 };
	unsigned int i;

	ASSERT_NE(NULL, blob);
	ASSERT_EQ(0, load_file(SIGDIR "p-signed1.cpol"));
	msg = malloc(len + sizeof(t));
	ASSERT_NE(NULL, msg);
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		memset(&t, 0, sizeof(t));
		t.sig_len = htole32(lens[i]);
		memcpy(t.magic, CPOL_SIG_MAGIC, sizeof(CPOL_SIG_MAGIC));
		memcpy(msg, blob, len);
		memcpy(msg + len, &t, sizeof(t));
		EXPECT_EQ(EINVAL, write_fs("policy", msg, len + sizeof(t))) {
			TH_LOG("sig_len %u", lens[i]);
		}
	}
	free(msg);
	free(blob);
	ASSERT_TRUE(status_has("name signed1\n"));
}

TEST_F(signing, require_signature_policy)
{
	ASSERT_EQ(0, load_file(SIGDIR "p-require.cpol"));
	ASSERT_TRUE(status_has("name require\n"));
	ASSERT_TRUE(status_has("policy_requires_signature yes\n"));
	ASSERT_TRUE(status_has("signature signed\n"));

	ASSERT_EQ(EKEYREJECTED, load_file(SIGDIR "p-unsigned.cpol"));
	ASSERT_TRUE(last_error_has("signature is required"));
	ASSERT_TRUE(status_has("name require\n"));
	ASSERT_EQ(ENOKEY, load_file(SIGDIR "p-signed2.cpol"));
	ASSERT_TRUE(status_has("name require\n"));

	ASSERT_EQ(0, load_file(SIGDIR "p-after.cpol"));
	ASSERT_TRUE(status_has("name after\n"));
	ASSERT_TRUE(status_has("signature signed\n"));
	ASSERT_TRUE(status_has("policy_requires_signature no\n"));
	ASSERT_EQ(0, try_connect(SOCK_DGRAM, "127.0.0.1", PORT_AFTER));
	ASSERT_EQ(EPERM, try_connect(SOCK_DGRAM, "127.0.0.1", PORT));
	/* p-after does not require signatures: an unsigned one loads again. */
	ASSERT_EQ(0, load_file(SIGDIR "p-unsigned.cpol"));
	ASSERT_TRUE(status_has("signature unsigned\n"));
}

TEST_F(signing, require_signature_survives_until_unload)
{
	ASSERT_EQ(0, load_file(SIGDIR "p-require.cpol"));
	ASSERT_EQ(EKEYREJECTED, load_file(SIGDIR "p-unsigned.cpol"));
	/* Unloading is still allowed (no seal yet); then unsigned loads. */
	ASSERT_EQ(0, unload_policy());
	ASSERT_EQ(0, load_file(SIGDIR "p-unsigned.cpol"));
}

TEST_HARNESS_MAIN
