/* SPDX-License-Identifier: MIT */
/*
 * sha256.h - SHA-256 (FIPS 180-4) of a buffer or a file, as the hex string
 * sha256sum prints: the sweep's provenance (a trace's and a manifest's hash).
 */
#ifndef FRAGREPLAY_REPLAY_SHA256_H
#define FRAGREPLAY_REPLAY_SHA256_H

#include <stdbool.h>
#include <stddef.h>

#define SHA256_HEX_LEN 65 /* 64 hex digits and the NUL */

void sha256_hex(const void *buf, size_t len, char hex[SHA256_HEX_LEN]);
/* 0, or a negative errno when @path cannot be read */
int sha256_file_hex(const char *path, char hex[SHA256_HEX_LEN]);
/* for tests: the portable C rounds even where the CPU has SHA extensions */
void sha256_force_portable(bool on);

#endif
