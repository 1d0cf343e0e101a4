/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <nettle/sha2.h>

G_BEGIN_DECLS

#define LIFEBOAT_SHA256_HEX_SIZE (2 * SHA256_DIGEST_SIZE + 1)   /* LifeboatArchiveInfo.sha256 is 65 */
G_STATIC_ASSERT (LIFEBOAT_SHA256_HEX_SIZE == 65);

/* Ends @ctx (nettle: SHA instructions where the CPU has them) into lowercase hex. */
static inline void
_lifeboat_sha256_finish_hex (struct sha256_ctx *ctx,
                             char               hex[LIFEBOAT_SHA256_HEX_SIZE])
{
  static const char digits[] = "0123456789abcdef";
  guint8 digest[SHA256_DIGEST_SIZE];

  sha256_digest (ctx, sizeof digest, digest);
  for (guint i = 0; i < SHA256_DIGEST_SIZE; i++)
    {
      hex[2 * i] = digits[digest[i] >> 4];
      hex[2 * i + 1] = digits[digest[i] & 0xf];
    }
  hex[2 * SHA256_DIGEST_SIZE] = '\0';
}

G_END_DECLS
