/* SPDX-License-Identifier: GPL-2.0-only */
/* Signed policies: the module's keyring and PKCS#7 verification. */
#ifndef CITADEL_SIGNATURE_H
#define CITADEL_SIGNATURE_H

#include <linux/seq_file.h>
#include <linux/types.h>

extern bool citadel_require_signature;

int citadel_keys_init(void);
void citadel_keys_exit(void);
int citadel_keys_enroll(const void *der, size_t len, char *err, size_t errlen);
void citadel_keys_close(void);
void citadel_keys_show(struct seq_file *m);
unsigned int citadel_keys_count(void);

int citadel_signature_check(const u8 *data, size_t len, size_t *blob_len,
			    bool *is_signed, char *err, size_t errlen);

#endif /* CITADEL_SIGNATURE_H */
