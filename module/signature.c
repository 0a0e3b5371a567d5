// SPDX-License-Identifier: GPL-2.0-only
/*
 * Signed policies. Ops enrol their X.509 certificate into a keyring the
 * module owns (.citadel); a signed policy carries a detached PKCS#7
 * signature and a trailer after the blob (citadel_abi.h), and the kernel
 * verifies it itself with verify_pkcs7_signature(). Signatures are
 * required when the module parameter require_signature is set (e.g. on
 * the kernel command line: citadel.require_signature=1) or when the
 * policy in force says `require signature`.
 */
#include "common.h"

#include <crypto/sha2.h>
#include <linux/cred.h>
#include <linux/key.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include <linux/verification.h>

#include "citadel_abi.h"
#include "events.h"
#include "policy_store.h"
#include "signature.h"

bool citadel_require_signature;
module_param_named(require_signature, citadel_require_signature, bool, 0444);
MODULE_PARM_DESC(require_signature, "Accept only policies signed by an enrolled key");

#define MAX_KEYS	16

struct enrolled {
	char fingerprint[2 * SHA256_DIGEST_SIZE + 1];
	char description[96];
};

static struct key *keyring;
static DEFINE_MUTEX(keys_lock);
static struct enrolled keys[MAX_KEYS];
static unsigned int nkeys;
static bool keys_closed;

int citadel_keys_init(void)
{
	keyring = keyring_alloc(".citadel", GLOBAL_ROOT_UID, GLOBAL_ROOT_GID,
				current_cred(),
				(KEY_POS_ALL & ~KEY_POS_SETATTR) |
				KEY_USR_VIEW | KEY_USR_READ | KEY_USR_SEARCH,
				KEY_ALLOC_NOT_IN_QUOTA, NULL, NULL);
	if (IS_ERR(keyring)) {
		int ret = PTR_ERR(keyring);

		keyring = NULL;
		return ret;
	}
	return 0;
}

void citadel_keys_exit(void)
{
	key_put(keyring);
	keyring = NULL;
}

/**
 * citadel_keys_enroll() - add an X.509 certificate to the .citadel keyring
 * @der: the certificate, DER
 * @len: its size
 * @err: receives the reason on failure
 * @errlen: size of @err
 *
 * Return: 0, -EPERM once sealed, -ENOSPC when MAX_KEYS are enrolled, or
 * the keyring's error (e.g. -EBADMSG for something that is not a
 * certificate).
 */
int citadel_keys_enroll(const void *der, size_t len, char *err, size_t errlen)
{
	u8 digest[SHA256_DIGEST_SIZE];
	key_ref_t kref;
	unsigned int i;
	int ret = 0;

	mutex_lock(&keys_lock);
	if (keys_closed) {
		snprintf(err, errlen, "sealed: enrolment is closed until reboot");
		rcu_read_lock();
		citadel_event(CITADEL_OP_KEYS, CITADEL_EV_DENIED,
			      citadel_active_policy(), NULL, err);
		rcu_read_unlock();
		ret = -EPERM;
		goto out;
	}
	if (nkeys == MAX_KEYS) {
		snprintf(err, errlen, "at most %u keys can be enrolled", MAX_KEYS);
		ret = -ENOSPC;
		goto out;
	}
	kref = key_create_or_update(make_key_ref(keyring, true), "asymmetric",
				    NULL, der, len,
				    (KEY_POS_ALL & ~KEY_POS_SETATTR) |
				    KEY_USR_VIEW | KEY_USR_READ,
				    KEY_ALLOC_NOT_IN_QUOTA);
	if (IS_ERR(kref)) {
		ret = PTR_ERR(kref);
		snprintf(err, errlen, "not an X.509 certificate the kernel accepts (error %d)",
			 ret);
		goto out;
	}
	sha256(der, len, digest);
	snprintf(keys[nkeys].fingerprint, sizeof(keys[nkeys].fingerprint),
		 "%*phN", SHA256_DIGEST_SIZE, digest);
	/* The keyring updates a key enrolled again; list it once. */
	for (i = 0; i < nkeys; i++)
		if (!strcmp(keys[i].fingerprint, keys[nkeys].fingerprint))
			goto put;
	strscpy(keys[nkeys].description, key_ref_to_ptr(kref)->description,
		sizeof(keys[nkeys].description));
	pr_info("key enrolled: %s (sha256 %s)\n", keys[nkeys].description,
		keys[nkeys].fingerprint);
	nkeys++;
put:
	key_ref_put(kref);
out:
	mutex_unlock(&keys_lock);
	return ret;
}

/* The seal: no key is enrolled from now on. */
void citadel_keys_close(void)
{
	mutex_lock(&keys_lock);
	keys_closed = true;
	mutex_unlock(&keys_lock);
}

void citadel_keys_show(struct seq_file *m)
{
	unsigned int i;

	mutex_lock(&keys_lock);
	for (i = 0; i < nkeys; i++)
		seq_printf(m, "%s %s\n", keys[i].fingerprint,
			   keys[i].description);
	mutex_unlock(&keys_lock);
}

unsigned int citadel_keys_count(void)
{
	unsigned int n;

	mutex_lock(&keys_lock);
	n = nkeys;
	mutex_unlock(&keys_lock);
	return n;
}

/**
 * citadel_signature_check() - find and verify a policy's signature
 * @data: what was written: a blob, or a blob + signature + trailer
 * @len: its size
 * @blob_len: receives the size of the blob itself
 * @is_signed: receives whether a valid signature was found
 * @err: receives the reason on failure
 * @errlen: size of @err
 *
 * Return: 0 (unsigned, or signed and verified), -EINVAL for a malformed
 * trailer, or verify_pkcs7_signature()'s error: -ENOKEY (signer not
 * enrolled), -EKEYREJECTED (signature does not match), -EBADMSG.
 */
int citadel_signature_check(const u8 *data, size_t len, size_t *blob_len,
			    bool *is_signed, char *err, size_t errlen)
{
	struct cpol_sig_trailer t;
	u32 sig_len;
	int ret;

	*blob_len = len;
	*is_signed = false;
	if (len < sizeof(t))
		return 0;
	memcpy(&t, data + len - sizeof(t), sizeof(t));
	if (memcmp(t.magic, CPOL_SIG_MAGIC, sizeof(t.magic)))
		return 0;
	sig_len = le32_to_cpu(t.sig_len);
	if (!sig_len || sig_len > CPOL_SIG_MAX || sig_len > len - sizeof(t)) {
		snprintf(err, errlen, "signature trailer: length %u out of range",
			 sig_len);
		return -EINVAL;
	}
	*blob_len = len - sizeof(t) - sig_len;
	ret = verify_pkcs7_signature(data, *blob_len, data + *blob_len, sig_len,
				     keyring, VERIFYING_UNSPECIFIED_SIGNATURE,
				     NULL, NULL);
	switch (ret) {
	case 0:
		*is_signed = true;
		return 0;
	case -ENOKEY:
		snprintf(err, errlen, "signed by a key that is not enrolled");
		break;
	case -EKEYREJECTED:
		snprintf(err, errlen, "the signature does not match the policy");
		break;
	case -EBADMSG:
		snprintf(err, errlen, "malformed signature");
		break;
	default:
		snprintf(err, errlen, "signature verification failed (error %d)",
			 ret);
		break;
	}
	return ret;
}
