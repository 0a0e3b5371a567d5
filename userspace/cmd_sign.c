// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * citadelctl sign --key KEY.pem --cert CERT IN.cpol -o OUT.cpol
 * citadelctl verify --cert CERT IN.cpol
 * citadelctl enroll CERT
 * citadelctl keys
 *
 * A signed policy is the blob, a detached PKCS#7 signedData (DER, SHA-256,
 * no signed attributes, no certificates: what scripts/sign-file writes
 * for kernel modules) over exactly the blob's bytes, then a struct
 * cpol_sig_trailer (citadel_abi.h). The kernel verifies it against the
 * certificates enrolled through securityfs 'keys'; `verify` here is only
 * a courtesy check against a certificate file.
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include "blob_read.h"
#include "citadelctl.h"
#include "fileio.h"
#include "json.h"
#include "sha256.h"
#include "sysfs.h"

/* A signed blob at most: the blob, the largest signature, the trailer. */
#define SIGNED_MAX	(CPOL_MAX_BLOB + CPOL_SIG_MAX + \
			 sizeof(struct cpol_sig_trailer))
/* A certificate file. */
#define CERT_FILE_MAX	(1u << 20)

/* OpenSSL's reason for the last failure, and the error queue cleared. */
static const char *ossl_reason(void)
{
	static char buf[256];
	unsigned long e, last = 0;

	while ((e = ERR_get_error()))
		last = e;
	if (!last)
		return "unknown OpenSSL error";
	if (ERR_reason_error_string(last))
		snprintf(buf, sizeof(buf), "%s", ERR_reason_error_string(last));
	else
		ERR_error_string_n(last, buf, sizeof(buf));
	return buf;
}

/* A certificate, PEM or DER. */
static X509 *load_cert(const char *path)
{
	X509 *x = NULL;
	char *data;
	size_t len;
	BIO *b;
	int err = read_file(path, CERT_FILE_MAX, &data, &len);

	if (err) {
		p_err("cannot read certificate %s: %s", path,
		      err == -EFBIG ? "too large for a certificate" :
				      strerror(-err));
		return NULL;
	}
	b = BIO_new_mem_buf(data, (int)len);
	if (b)
		x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	if (!x && b) {
		ERR_clear_error();
		BIO_free(b);
		b = BIO_new_mem_buf(data, (int)len);
		if (b)
			x = d2i_X509_bio(b, NULL);
	}
	if (!x)
		p_err("%s is not an X.509 certificate (PEM or DER): %s", path,
		      ossl_reason());
	BIO_free(b);
	free(data);
	return x;
}

static EVP_PKEY *load_key(const char *path)
{
	EVP_PKEY *k = NULL;
	BIO *b = BIO_new_file(path, "rb");

	if (!b) {
		p_err("cannot read key %s: %s", path, ossl_reason());
		return NULL;
	}
	k = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
	if (!k) {
		ERR_clear_error();
		BIO_free(b);
		b = BIO_new_file(path, "rb");
		if (b)
			k = d2i_PrivateKey_bio(b, NULL);
	}
	if (!k)
		p_err("%s is not a private key (PEM or DER, unencrypted): %s",
		      path, ossl_reason());
	BIO_free(b);
	return k;
}

/* "issuer CN=..., serial 0x..." or "subject key id ..." into @out. */
static void describe_signer(PKCS7_SIGNER_INFO *si, char *out, size_t outlen)
{
	PKCS7_ISSUER_AND_SERIAL *ias = si->issuer_and_serial;
	char name[256] = "?", serial[80] = "?";
	BIGNUM *bn;
	char *hex;

	if (!ias || !ias->issuer || !ias->serial) {
		snprintf(out, outlen, "signer not identified by issuer and serial");
		return;
	}
	X509_NAME_oneline(ias->issuer, name, sizeof(name));
	bn = ASN1_INTEGER_to_BN(ias->serial, NULL);
	hex = bn ? BN_bn2hex(bn) : NULL;
	if (hex)
		snprintf(serial, sizeof(serial), "%s", hex);
	OPENSSL_free(hex);
	BN_free(bn);
	snprintf(out, outlen, "issuer %s, serial %s", name, serial);
}

int sig_describe(const uint8_t *sig, size_t len, char *out, size_t outlen)
{
	const unsigned char *p = sig;
	STACK_OF(PKCS7_SIGNER_INFO) *sis;
	PKCS7 *p7 = d2i_PKCS7(NULL, &p, (long)len);
	PKCS7_SIGNER_INFO *si;
	int ret = -1;

	if (!p7 || p != sig + len) {
		snprintf(out, outlen, "not a DER PKCS#7 structure%s%s",
			 p7 ? "" : ": ", p7 ? " (trailing bytes)" : ossl_reason());
		goto out;
	}
	if (!PKCS7_type_is_signed(p7)) {
		snprintf(out, outlen, "PKCS#7 but not signedData");
		goto out;
	}
	sis = PKCS7_get_signer_info(p7);
	if (!sis || sk_PKCS7_SIGNER_INFO_num(sis) != 1) {
		snprintf(out, outlen, "%d signers, expected 1",
			 sis ? sk_PKCS7_SIGNER_INFO_num(sis) : 0);
		goto out;
	}
	si = sk_PKCS7_SIGNER_INFO_value(sis, 0);
	describe_signer(si, out, outlen);
	ret = 0;
out:
	PKCS7_free(p7);
	ERR_clear_error();
	return ret;
}

static int read_policy(const char *path, char **data, size_t *len)
{
	int err = read_file(path, SIGNED_MAX, data, len);

	if (err == -EFBIG)
		p_err("%s is too large: %zu bytes, a signed policy is at most %zu",
		      path, *len, (size_t)SIGNED_MAX);
	else if (err)
		p_err("cannot read %s: %s", path, strerror(-err));
	return err;
}

/* Signs @blob with @key and @cert: a detached PKCS#7 in DER into @der. */
static int pkcs7_sign_der(const uint8_t *blob, size_t len, X509 *cert,
			  EVP_PKEY *key, unsigned char **der, int *der_len)
{
	const int flags = PKCS7_DETACHED | PKCS7_BINARY | PKCS7_NOATTR |
			  PKCS7_NOCERTS;
	BIO *in = BIO_new_mem_buf(blob, (int)len);
	PKCS7 *p7 = NULL;
	int ret = -1;

	*der = NULL;
	if (!in)
		goto out;
	/* Partial, so that the digest is SHA-256 whatever the key's default. */
	p7 = PKCS7_sign(NULL, NULL, NULL, NULL, flags | PKCS7_PARTIAL);
	if (!p7 || !PKCS7_sign_add_signer(p7, cert, key, EVP_sha256(), flags) ||
	    !PKCS7_final(p7, in, flags))
		goto out;
	*der_len = i2d_PKCS7(p7, der);
	if (*der_len <= 0) {
		*der = NULL;
		goto out;
	}
	ret = 0;
out:
	PKCS7_free(p7);
	BIO_free(in);
	return ret;
}

int cmd_sign(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_LONG_OPTS,
		{ "key", required_argument, NULL, 'k' },
		{ "cert", required_argument, NULL, 'c' },
		{ "output", required_argument, NULL, 'o' },
		{ 0 }
	};
	const char *keyp = NULL, *certp = NULL, *out = NULL, *in;
	struct cpol_sig_trailer t;
	unsigned char *der = NULL;
	size_t len, blen, slen, k;
	struct blob_info bi;
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	char *data = NULL, *res = NULL;
	int opt, err, der_len = 0, ret = EXIT_ERR;

	optind = 0;
	while ((opt = getopt_long(argc, argv, COMMON_OPTS_SHORT "k:c:o:", opts,
				  NULL)) != -1) {
		if (common_opt(opt))
			continue;
		if (opt == 'k') {
			keyp = optarg;
		} else if (opt == 'c') {
			certp = optarg;
		} else if (opt == 'o') {
			out = optarg;
		} else {
			usage_cmd("sign", opt == 'h');
			return opt == 'h' ? EXIT_OK : EXIT_USAGE;
		}
	}
	if (optind != argc - 1 || !keyp || !certp || !out) {
		p_err("sign takes --key KEY.pem --cert CERT, one IN.cpol and -o OUT.cpol");
		usage_cmd("sign", false);
		return EXIT_USAGE;
	}
	in = argv[optind];
	if (read_policy(in, &data, &len))
		return EXIT_ERR;
	err = blob_sig_split((uint8_t *)data, len, &blen, &slen);
	if (err) {
		p_err("%s is already signed: sign the unsigned blob that 'citadelctl compile' writes",
		      in);
		goto out;
	}
	if (len > CPOL_MAX_BLOB) {
		p_err("%s is too large: %zu bytes, a policy blob is at most %u",
		      in, len, CPOL_MAX_BLOB);
		goto out;
	}
	if (blob_decode((uint8_t *)data, len, &bi)) {
		p_err("out of memory");
		blob_info_free(&bi);
		goto out;
	}
	if (!bi.header_ok || bi.errors) {
		for (k = 0; k < bi.nissues && !bi.issues[k].error; k++)
			;
		p_err("%s is not a valid compiled policy%s%s", in,
		      k < bi.nissues ? ": " : "",
		      k < bi.nissues ? bi.issues[k].msg : "");
		blob_info_free(&bi);
		goto out;
	}
	blob_info_free(&bi);

	key = load_key(keyp);
	if (!key)
		goto out;
	cert = load_cert(certp);
	if (!cert)
		goto out;
	if (X509_check_private_key(cert, key) != 1) {
		p_err("the key %s does not belong to the certificate %s: %s",
		      keyp, certp, ossl_reason());
		goto out;
	}
	if (pkcs7_sign_der((uint8_t *)data, len, cert, key, &der, &der_len)) {
		p_err("cannot sign %s: %s", in, ossl_reason());
		goto out;
	}
	if ((size_t)der_len > CPOL_SIG_MAX) {
		p_err("the signature is %d bytes, at most %u are allowed",
		      der_len, CPOL_SIG_MAX);
		goto out;
	}
	res = malloc(len + der_len + sizeof(t));
	if (!res) {
		p_err("out of memory");
		goto out;
	}
	memset(&t, 0, sizeof(t));
	t.sig_len = htole32((uint32_t)der_len);
	memcpy(t.magic, CPOL_SIG_MAGIC, sizeof(CPOL_SIG_MAGIC));
	memcpy(res, data, len);
	memcpy(res + len, der, der_len);
	memcpy(res + len + der_len, &t, sizeof(t));
	err = write_file_atomic(out, res, len + der_len + sizeof(t));
	if (err) {
		p_err("cannot write %s: %s", out, strerror(-err));
		goto out;
	}
	if (verbose)
		printf("signed %s: %zu bytes of policy, %d bytes of signature\n",
		       out, len, der_len);
	ret = EXIT_OK;
out:
	OPENSSL_free(der);
	X509_free(cert);
	EVP_PKEY_free(key);
	free(res);
	free(data);
	return ret;
}

int cmd_verify(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_LONG_OPTS,
		{ "cert", required_argument, NULL, 'c' },
		{ 0 }
	};
	const int flags = PKCS7_DETACHED | PKCS7_BINARY | PKCS7_NOVERIFY |
			  PKCS7_NOINTERN;
	const char *certp = NULL, *in;
	STACK_OF(X509) *certs = NULL;
	const unsigned char *p;
	size_t len, blen, slen;
	PKCS7 *p7 = NULL;
	X509 *cert = NULL;
	BIO *content = NULL;
	char *data = NULL, who[400];
	int opt, err, ret = EXIT_ERR;

	optind = 0;
	while ((opt = getopt_long(argc, argv, COMMON_OPTS_SHORT "c:", opts,
				  NULL)) != -1) {
		if (common_opt(opt))
			continue;
		if (opt == 'c') {
			certp = optarg;
			continue;
		}
		usage_cmd("verify", opt == 'h');
		return opt == 'h' ? EXIT_OK : EXIT_USAGE;
	}
	if (optind != argc - 1 || !certp) {
		p_err("verify takes --cert CERT and one signed FILE.cpol");
		usage_cmd("verify", false);
		return EXIT_USAGE;
	}
	in = argv[optind];
	if (read_policy(in, &data, &len))
		return EXIT_ERR;
	err = blob_sig_split((uint8_t *)data, len, &blen, &slen);
	if (err == 0) {
		p_err("%s is not signed", in);
		goto out;
	}
	if (err < 0) {
		p_err("%s: bad signature trailer (length out of range)", in);
		goto out;
	}
	cert = load_cert(certp);
	if (!cert)
		goto out;
	p = (unsigned char *)data + blen;
	p7 = d2i_PKCS7(NULL, &p, (long)slen);
	if (!p7) {
		p_err("%s: the signature is not DER PKCS#7: %s", in,
		      ossl_reason());
		goto out;
	}
	certs = sk_X509_new_null();
	content = BIO_new_mem_buf(data, (int)blen);
	if (!certs || !content || !sk_X509_push(certs, cert)) {
		p_err("out of memory");
		goto out;
	}
	if (PKCS7_verify(p7, certs, NULL, content, NULL, flags) != 1) {
		p_err("%s: signature does not verify with %s: %s", in, certp,
		      ossl_reason());
		goto out;
	}
	sig_describe((uint8_t *)data + blen, slen, who, sizeof(who));
	if (json_output) {
		struct json j;

		json_init(&j, stdout, pretty_output);
		json_begin_object(&j);
		json_kv_bool(&j, "verified", true);
		json_kv_uint(&j, "signature_size", slen);
		json_kv_string(&j, "signer", who);
		json_end_object(&j);
		json_finish(&j);
	} else {
		printf("%s: signature OK (%s)\n", in, who);
	}
	ret = EXIT_OK;
out:
	sk_X509_free(certs);	/* not the cert: freed below */
	BIO_free(content);
	PKCS7_free(p7);
	X509_free(cert);
	free(data);
	return ret;
}

/* The module's reason for the last refusal, without its newline. */
static int no_opts(const char *cmd, int argc, char **argv)
{
	static const struct option opts[] = { COMMON_LONG_OPTS, { 0 } };
	int opt;

	optind = 0;
	while ((opt = getopt_long(argc, argv, COMMON_OPTS_SHORT, opts,
				  NULL)) != -1) {
		if (common_opt(opt))
			continue;
		usage_cmd(cmd, opt == 'h');
		return opt == 'h' ? EXIT_OK : EXIT_USAGE;
	}
	return -1;
}

int cmd_enroll(int argc, char **argv)
{
	char digest[SHA256_HEX_LEN], *why;
	unsigned char *der = NULL;
	const char *path;
	X509 *cert;
	int len, err, ret = EXIT_ERR;

	err = no_opts("enroll", argc, argv);
	if (err >= 0)
		return err;
	if (optind != argc - 1) {
		p_err("enroll takes one CERT.pem or CERT.der");
		usage_cmd("enroll", false);
		return EXIT_USAGE;
	}
	path = argv[optind];
	cert = load_cert(path);
	if (!cert)
		return EXIT_ERR;
	len = i2d_X509(cert, &der);
	if (len <= 0) {
		p_err("cannot encode %s as DER: %s", path, ossl_reason());
		goto out;
	}
	if (citadel_require_root())
		goto out;
	err = citadel_write("keys", der, (size_t)len);
	if (err == -ENOENT) {
		p_err("%s/keys does not exist: this citadel module does not take signed policies",
		      citadel_root());
		goto out;
	}
	if (err) {
		why = citadel_last_error();
		p_err("cannot enrol %s: %s%s", path,
		      why ? why : strerror(-err),
		      !why && (err == -EPERM || err == -EACCES) ?
		      " (enrolling a key needs root, CAP_MAC_ADMIN)" : "");
		free(why);
		goto out;
	}
	sha256_hex(der, (size_t)len, digest);
	if (json_output) {
		struct json j;

		json_init(&j, stdout, pretty_output);
		json_begin_object(&j);
		json_kv_string(&j, "enrolled", digest);
		json_end_object(&j);
		json_finish(&j);
	} else {
		printf("enrolled %s (sha256 %s)\n", path, digest);
	}
	ret = EXIT_OK;
out:
	OPENSSL_free(der);
	X509_free(cert);
	return ret;
}

int cmd_keys(int argc, char **argv)
{
	char *buf, *line, *next, *sp;
	struct json j;
	size_t len;
	int err = no_opts("keys", argc, argv);

	if (err >= 0)
		return err;
	if (optind != argc) {
		p_err("keys takes no arguments");
		usage_cmd("keys", false);
		return EXIT_USAGE;
	}
	if (citadel_require_root())
		return EXIT_ERR;
	err = citadel_read("keys", &buf, &len);
	if (err) {
		p_err("cannot read %s/keys: %s", citadel_root(), strerror(-err));
		return EXIT_ERR;
	}
	if (!json_output) {
		fwrite(buf, 1, len, stdout);
		free(buf);
		return EXIT_OK;
	}
	json_init(&j, stdout, pretty_output);
	json_begin_array(&j);
	for (line = buf; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!*line)
			continue;
		sp = strchr(line, ' ');
		if (sp)
			*sp++ = '\0';
		json_begin_object(&j);
		json_kv_string(&j, "fingerprint", line);
		json_kv_string(&j, "description", sp ? sp : "");
		json_end_object(&j);
	}
	json_end_array(&j);
	json_finish(&j);
	free(buf);
	return EXIT_OK;
}
