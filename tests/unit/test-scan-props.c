#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scan-props.h"
#include "unit.h"

/*
 * scan-props.h's properties on texts made of the pieces secrets and their
 * look-alikes are made of (every rule's prefix, KEY=, quotes, URLs, key
 * blocks, base64, comments, line ends, random bytes), joined at random
 * by a fixed-seed generator so every run checks the same texts. Pieces
 * are split ("sk_" "live_") so this file is itself no finding.
 */
static const char *const pieces[] = {
	"\n", "\n", " ", "\t", "=", ": ", "\"", "'", "`", "#", " # note", "//", ",", ";", "{", "}", "(", ")", "<", ">",
	"$", "${", "@", ":", "://", "/", "\\n", "-", "_", "+", "==", "export ", "- key: ", "value: ", "  ",
	"PASSWORD=", "DB_PASSWORD=", "JWT_SECRET=", "API_KEY=", "TOKEN: ", "\"password\": ", "aws_secret_access_key = ",
	"AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=", "AKI" "A", "ASI" "A", "Q7H2M4K9L3P5W6X8", "AKI" "AQ7H2M4K9L3P5W6X8",
	"Zq7WmX2pLk9Rt4Vn8Hs3" "Jd6Fg1Cb5Ny0QwEe/b+K", "3f9a1c7e5b2d8f604a1e9c3b7d5f2a8e6c4b0d9f",
	"dop_" "v1_", "doo_" "v1_", "dor_" "v1_", "3f9a1c7e5b2d8f604a1e9c3b7d5f2a8e" "6c4b0d9f1e3a5c7b9d2f4e6a8c0b1d3e",
	"AVN" "S_", "q8Zk2Lm4Wx7Rt9Bv3Nc", "ghp_", "gho_", "github_" "pat_", "Zq7WmX2pLk9Rt4Vn" "8Hs3Jd6Fg1Cb5Ny0QwEe",
	"sk-" "proj-", "sk-", "T3Blbk" "FJ", "sk_" "live_", "sk_" "test_", "rk_" "test_", "51HqZk2Lm4Wx7Rt9Bv3Nc8Pd",
	"xox" "b-", "730918265541-6082971453390-", "re_" "83sZk2Lm_", "Zq7WmX2pLk9Rt4Vn8Hs3Jd6F",
	"postgresql://", "doadmin", "Xk29vLq8Rm3Tz7Wp", "db.example.net:25060/app", "your-", "changeme", "xxxxxxxx",
	"-----BEGIN RSA " "PRIVATE KEY-----", "-----BEGIN OPENSSH " "PRIVATE KEY-----", "-----END RSA PRIVATE KEY-----",
	"-----END ", "PRIVATE KEY-----", "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0",
	"b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW", "<redacted:github-pat>",
	"3f9a1c7e-5b2d-4f60-8a1e-9c3b7d5f2a8e", "EXAMPLE", "dummy", "process.env.X", "0123",
	/* One-line objects, declarations, env defaults, compose and Dockerfile shapes, the newer tokens. */
	"{\"apiKey\":", "{ password: ", "\"token\":\"", "const JWT_SECRET = ", "const k: string = ", "export ",
	"process.env.JWT_SECRET || ", " ?? ", "- \"DB_PASSWORD=", "ENV JWT_SECRET ", "ARG NPM_TOKEN=", "SMTP_PASS=",
	"- name: JWT_SECRET", "\"value\": ", "[default]", "[prod]", "aws_secret_access_key = ", "\\\"", "]", "=>", "==",
	"np" "m_", "SG" ".", "sk-" "ant-api03-", "AA",
	/* JWTs, Bearer and Basic headers, .npmrc auth lines, YAML block scalars. */
	"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9", ".", "eyJzdWIiOiJzdmMtYmFja3VwIiwicm9sZSI6InNlcnZpY2UiLCJpYXQiOjE3MzMyMTI4MDB9",
	"Authorization: Bearer ", "bearer ", "Authorization: Basic ", "basic ", "//npm.acme.dev/:_authToken=", "_auth=", "//h/:_password=",
	"ZGVwbG95Ol" "F3M0VyNVR5N1VpOQ==", "password: |\n  ", "private_key: >-\n    ", "|-", "\n      ",
};

#define NPIECES (sizeof(pieces) / sizeof(pieces[0]))
#define CASES 20000

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t
next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* A text of N pieces (now and then a random byte) into BUF, its length returned. */
static size_t
make_text(char *buf, size_t cap, int n)
{
	size_t len = 0;
	int i;

	for (i = 0; i < n; i++) {
		const char *p;
		char one[2] = { 0, 0 };
		size_t pl;

		if (next() % 16 == 0) {
			one[0] = (char)(1 + next() % 255);
			p = one;
		} else {
			p = pieces[next() % NPIECES];
		}
		pl = strlen(p);
		if (len + pl >= cap)
			break;
		memcpy(buf + len, p, pl);
		len += pl;
	}
	return len;
}

int
main(void)
{
	static char buf[8192];
	const char *why = NULL;
	int i, failed = 0, found = 0;

	for (i = 0; i < CASES && !failed; i++) {
		size_t len = make_text(buf, sizeof(buf), 1 + (int)(next() % 40));
		struct scan_result r;

		if (scan_props_check(buf, len, &why) < 0) {
			failed = 1;
			printf("# case %d: %s\n# text: '%.*s'\n", i, why, (int)len, buf);
			break;
		}
		found += scan_text(buf, len, &r) > 0;
		scan_result_free(&r);
	}
	UNIT_CHECK("scan properties hold on 20000 generated texts", !failed);
	/* The texts must reach the rules, or the properties were checked on nothing. */
	if (!UNIT_CHECK("generated texts hold findings", found > CASES / 10))
		printf("# %d of %d texts held a finding\n", found, CASES);
	UNIT_CHECK("empty text", scan_props_check("", 0, &why) == 0);
	return unit_done();
}
