/* SPDX-License-Identifier: MIT */
/*
 * check.h - the unit tests' harness: CHECK() records a failure with its line
 * and goes on; RUN() runs one named test; main ends with the plain line
 * "N passed, N failed" and exits non-zero on any failure.
 */
#ifndef FRT_TEST_CHECK_H
#define FRT_TEST_CHECK_H

#include <stdio.h>

static int check_failures;

#define CHECK(cond, ...)                                                         \
	do {                                                                     \
		if (!(cond)) {                                                   \
			check_failures++;                                        \
			fprintf(stderr, "%s:%d: CHECK(%s) failed: ", __FILE__,   \
				__LINE__, #cond);                                \
			fprintf(stderr, "" __VA_ARGS__);                         \
			fputc('\n', stderr);                                     \
		}                                                                \
	} while (0)

static int tests_passed, tests_failed;

#define RUN(fn)                                                                  \
	do {                                                                     \
		int before = check_failures;                                     \
		fn();                                                            \
		if (check_failures == before) {                                  \
			tests_passed++;                                          \
			printf("PASS %s\n", #fn);                                \
		} else {                                                         \
			tests_failed++;                                          \
			printf("FAIL %s\n", #fn);                                \
		}                                                                \
	} while (0)

#define CHECK_DONE()                                                             \
	(printf("%d passed, %d failed\n", tests_passed, tests_failed), tests_failed ? 1 : 0)

/* xorshift64*: the tests' only randomness, always from a printed seed */
static inline unsigned long long rnd_next(unsigned long long *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

#endif
