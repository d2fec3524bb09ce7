#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scan/scan.h"
#include "base/xalloc.h"
#include "unit.h"

/*
 * Every token below is split in the source ("sk-" "proj-...") so that this
 * file is not itself a finding when lotbackup scans its own repository.
 */
#define HEX64 "3f9a1c7e5b2d8f604a1e9c3b7d5f2a8e" "6c4b0d9f1e3a5c7b9d2f4e6a8c0b1d3e"
#define B62_36 "Zq7WmX2pLk9Rt4Vn" "8Hs3Jd6Fg1Cb5Ny0QwEe"

/* The rule of the one finding in TEXT, or "" (none) or "many". */
static const char *
only_rule(const char *text)
{
	static char buf[64];
	struct scan_result r;
	size_t n = scan_text(text, strlen(text), &r);

	snprintf(buf, sizeof(buf), "%s", n == 0 ? "" : n > 1 ? "many" : r.v[0].rule);
	scan_result_free(&r);
	return buf;
}

static void
expect(const char *name, const char *text, const char *rule)
{
	const char *got = only_rule(text);

	if (!UNIT_CHECK(name, strcmp(got, rule) == 0))
		printf("# got '%s', want '%s'\n", got, rule);
}

static void
rules_positive(void)
{
	expect("openssh private key", "x\n-----BEGIN OPENSSH " "PRIVATE KEY-----\n"
	    "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
	    "QyNTUxOQAAACBvb3Rfa2V5X2Zvcl90ZXN0c19vbmx5X25vdF9yZWFsAAAAAAAAAAAAAAAA\n"
	    "-----END OPENSSH PRIVATE KEY-----\n", "private-key");
	expect("pem rsa private key", "-----BEGIN RSA " "PRIVATE KEY-----\n"
	    "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0\n"
	    "-----END RSA PRIVATE KEY-----", "private-key");
	expect("url password", "DATABASE_URL=postgresql://doadmin:" "Xk29vLq8Rm3Tz7Wp@db.example.net:25060/app",
	    "url-password");
	expect("digitalocean pat", "token = \"dop_" "v1_" HEX64 "\"", "digitalocean-pat");
	expect("digitalocean oauth", "doo_" "v1_" HEX64, "digitalocean-access-token");
	expect("digitalocean db password", "host:25060:db:doadmin:AVN" "S_q8Zk2Lm4Wx7Rt9Bv3Nc", "digitalocean-database-password");
	expect("aws access key", "aws_access_key_id = AKI" "AQ7H2M4K9L3P5W6X8", "aws-access-key");
	expect("github pat", "GH=ghp_" B62_36, "github-pat");
	expect("github fine-grained pat", "github_" "pat_11AQZK7M20" "Zq7WmX2pLk9Rt4Vn8Hs3Jd_6Fg1Cb5Ny0QwEeZq7WmX2pLk9Rt4Vn8Hs3Jd6Fg1Cb5Ny0QwEe",
	    "github-fine-grained-pat");
	expect("openai project key", "OPENAI=sk-" "proj-Zq7WmX2pLk9Rt4Vn8Hs3Jd6Fg1Cb5Ny0QwEe_Ab-Cd9Ef8Gh7Ij6Kl5Mn4Op",
	    "openai-api-key");
	expect("openai legacy key", "sk-" "Zq7WmX2pLk9Rt4Vn8Hs3" "T3BlbkFJ" "Ab9Cd8Ef7Gh6Ij5Kl4Mn", "openai-api-key");
	expect("stripe live key", "stripe: sk_" "live_51HqZk2Lm4Wx7Rt9Bv3Nc8Pd", "stripe-access-token");
	expect("stripe restricted key", "rk_" "live_51HqZk2Lm4Wx7Rt9Bv3Nc8Pd", "stripe-access-token");
	expect("slack bot token", "xox" "b-730918265541-6082971453390-Zq7WmX2pLk9Rt4Vn8Hs3Jd6F", "slack-token");
	expect("resend key", "key: re_" "83sZk2Lm_Zq7WmX2pLk9Rt4Vn8Hs3Jd6F", "resend-api-key");
	expect("token as a KEY=VALUE value: the token's rule", "GITHUB_TOKEN=ghp_" B62_36, "github-pat");
	expect("token as a URL's password: the token's rule", "https://x:ghp_" B62_36 "@github.com/a/b.git", "github-pat");
	expect("secret assignment", "JWT_SECRET=13919320b2a8" "4c7e9f0d1a6b5e3c2f8a", "secret-assignment");
	expect("secret assignment quoted, export", "export API_KEY=\"Zk2Lm4Wx" "7Rt9Bv3N\"", "secret-assignment");
	expect("app spec key/value pair", "  - key: JWT_SECRET\n    scope: RUN_TIME\n    value: 9f8e7d6c5b4a" "3Z2Y1X0W\n",
	    "secret-assignment");
}

static void
rules_negative(void)
{
	expect("public key is not a private key", "-----BEGIN PUBLIC KEY-----\n"
	    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0t\n"
	    "-----END PUBLIC KEY-----\n", "");
	expect("code naming the key marker", "if (s.startsWith('-----BEGIN OPENSSH " "PRIVATE KEY-----')) return 1;\n", "");
	expect("url with a placeholder password", "DATABASE_URL=postgresql://DB_USER:<password>@DB_HOST:DB_PORT/DB_NAME", "");
	expect("url with a variable", "postgres://app:${DB_PASSWORD}@localhost/app", "");
	expect("url with a sample password", "postgresql://user:password@localhost:5432/db", "");
	expect("url without a password", "https://user@github.com/x/y.git git@github.com:x/y", "");
	expect("digitalocean pat too short", "dop_" "v1_3f9a1c7e5b2d", "");
	expect("AVNS placeholder", "DB_PASSWORD=AVN" "S_your_password_here_xx", "");
	expect("aws documentation key", "AKI" "AIOSFODNN7EXAMPLE", "");
	expect("github pat in a longer word", "xghp_" B62_36, "");
	expect("github pat of one character", "ghp_" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "");
	expect("openai placeholder", "OPENAI_API_KEY=sk-" "proj-your-openai-api-key-here", "");
	expect("openai-like without the marker", "sk-" "Zq7WmX2pLk9Rt4Vn8Hs3Ab9Cd8Ef7Gh6Ij5Kl4MnAAAAAAAA", "");
	expect("stripe documentation sample key", "sk_" "test_4eC39HqLyjWDarjtT1zdp7dc", "");
	expect("stripe key too short", "sk_" "test_51HqZk2L", "");
	expect("stripe placeholder", "STRIPE_KEY=sk_" "test_YourStripeTestKeyHere", "");
	expect("stripe publishable key", "pk_" "test_51HqZk2Lm4Wx7Rt9Bv3Nc8Pd", "");
	expect("stripe-like in a longer word", "xsk_" "test_51HqZk2Lm4Wx7Rt9Bv3Nc8Pd", "");
	expect("slack placeholder", "SLACK_TOKEN=xox" "b-your-slack-bot-token-here", "");
	expect("resend-like identifier", "re_compile_pattern_internal_function_name(x)", "");
	expect("secret assignment placeholder", "JWT_SECRET=your-jwt-secret\nDB_PASSWORD=changeme\nTOKEN=<token>\n"
	    "API_KEY=${API_KEY}\nSECRET=xxxxxxxx\nPASSWORD=\n", "");
	expect("secret key read from code", "  password: config.dbPassword,\n  const token = req.headers.authorization;\n"
	    "  secret: process.env.JWT_SECRET,\n", "");
	expect("secret path, not a secret", "SSL_KEY_PATH=/etc/ssl/private/x.key\nPRIVATE_KEY_FILE=./keys/a.pem\n", "");
	expect("non-secret key with a random value", "BUILD_ID=13919320b2a84c7e9f0d1a6b5e3c2f8a", "");
}

/*
 * Every token rule of scan.c's table: its prefix with a body of the
 * shortest length it takes is found; the near misses are not: one
 * character short, glued to a word before it, one character of the
 * body over and over, and (fixed lengths) one character too many.
 */
static const struct {
	const char *rule, *prefix, *body;
	int fixed;	/* the body has one length only */
} token_cases[] = {
	{ "digitalocean-pat", "dop_" "v1_", HEX64, 1 },
	{ "digitalocean-access-token", "doo_" "v1_", HEX64, 1 },
	{ "digitalocean-refresh-token", "dor_" "v1_", HEX64, 1 },
	{ "digitalocean-database-password", "AVN" "S_", "q8Zk2Lm4Wx7Rt9Bv", 0 },
	{ "aws-access-key", "AKI" "A", "Q7H2M4K9L3P5W6X8", 1 },
	{ "aws-access-key", "ASI" "A", "Q7H2M4K9L3P5W6X8", 1 },
	{ "github-pat", "gh" "p_", B62_36, 1 },
	{ "github-oauth-token", "gh" "o_", B62_36, 1 },
	{ "github-app-token", "gh" "u_", B62_36, 1 },
	{ "github-app-token", "gh" "s_", B62_36, 1 },
	{ "github-refresh-token", "gh" "r_", B62_36, 1 },
	{ "github-fine-grained-pat", "github_" "pat_", "11AQZK7M20" "Zq7WmX2pLk9Rt4Vn8Hs3Jd_6Fg1Cb5Ny0QwEeZq7WmX2pLk9Rt", 0 },
	{ "openai-api-key", "sk-" "proj-", "Zq7WmX2pLk9Rt4Vn8Hs3" "Jd6Fg1Cb5Ny0QwEe_Ab-", 0 },
	{ "openai-api-key", "sk-" "svcacct-", "Zq7WmX2pLk9Rt4Vn8Hs3" "Jd6Fg1Cb5Ny0QwEe_Ab-", 0 },
	{ "openai-api-key", "sk-" "admin-", "Zq7WmX2pLk9Rt4Vn8Hs3" "Jd6Fg1Cb5Ny0QwEe_Ab-", 0 },
	{ "openai-api-key", "sk-", "Zq7WmX2pLk9Rt4Vn8Hs3" "T3BlbkFJ" "Ab9Cd8Ef7Gh6Ij5Kl4Mn", 1 },
	{ "stripe-access-token", "sk_" "live_", "51HqZk2Lm4", 0 },
	{ "stripe-access-token", "rk_" "live_", "51HqZk2Lm4", 0 },
	{ "stripe-access-token", "sk_" "prod_", "51HqZk2Lm4", 0 },
	{ "stripe-access-token", "rk_" "prod_", "51HqZk2Lm4", 0 },
	{ "stripe-access-token", "sk_" "test_", "51HqZk2Lm4", 0 },
	{ "stripe-access-token", "rk_" "test_", "51HqZk2Lm4", 0 },
	{ "slack-token", "xox" "b-", "730918265541-Zq7WmX2", 0 },
	{ "slack-token", "xox" "p-", "730918265541-Zq7WmX2", 0 },
	{ "slack-token", "xox" "a-", "730918265541-Zq7WmX2", 0 },
	{ "slack-token", "xox" "r-", "730918265541-Zq7WmX2", 0 },
	{ "slack-token", "xox" "s-", "730918265541-Zq7WmX2", 0 },
	{ "slack-token", "xox" "e-", "730918265541-Zq7WmX2", 0 },
	{ "resend-api-key", "re" "_", "83sZk2Lm_Zq7WmX2pLk9Rt4Vn8Hs3Jd6F", 1 },
	{ "npm-access-token", "np" "m_", "zq7wmx2plk9rt4vn" "8hs3jd6fg1cb5ny0qwee", 1 },
	{ "sendgrid-api-token", "SG" ".", "Zq7WmX2pLk9Rt4Vn8Hs3Jd." "6Fg1Cb5Ny0QwEeZq7WmX2pLk9Rt4Vn8Hs3Jd6Fg1Cb5", 1 },
	{ "anthropic-api-key", "sk-" "ant-api03-", "Zq7WmX2pLk9Rt4Vn8Hs3Jd6Fg1Cb5Ny0QwEe_Ab-Cd9Ef8Gh7Ij6Kl5Mn4Op"
	    "Zq7WmX2pLk9Rt4Vn8Hs3Jd6Fg1Cb5Ny0QAA", 1 },
};

static void
token_rules_each(void)
{
	char text[512], name[160];
	size_t i, bl;

	for (i = 0; i < sizeof(token_cases) / sizeof(token_cases[0]); i++) {
		const char *p = token_cases[i].prefix, *b = token_cases[i].body, *rule = token_cases[i].rule;

		bl = strlen(b);
		snprintf(text, sizeof(text), "x = %s%s\n", p, b);
		snprintf(name, sizeof(name), "%s (%s): found", rule, p);
		expect(name, text, rule);
		snprintf(text, sizeof(text), "x = %s%.*s\n", p, (int)bl - 1, b);
		snprintf(name, sizeof(name), "%s (%s): one character short", rule, p);
		expect(name, text, "");
		snprintf(text, sizeof(text), "x = w%s%s\n", p, b);
		snprintf(name, sizeof(name), "%s (%s): glued to a word", rule, p);
		expect(name, text, "");
		snprintf(text, sizeof(text), "x = %s%.*s\n", p, (int)bl,
		    "7777777777777777777777777777777777777777777777777777777777777777777777777777777777777777777777777777");
		snprintf(name, sizeof(name), "%s (%s): one character over and over", rule, p);
		expect(name, text, "");
		if (!token_cases[i].fixed)
			continue;
		snprintf(text, sizeof(text), "x = %s%s7\n", p, b);
		snprintf(name, sizeof(name), "%s (%s): one character too many", rule, p);
		expect(name, text, "");
	}
}

/* Values of the kinds that fill ordinary trees: none is a secret. */
static void
look_alikes(void)
{
	expect("lock file hashes", "  resolved \"https://registry.yarnpkg.com/a/-/a-1.0.0.tgz#" "3f9a1c7e5b2d8f604a1e9c3b7d5f2a8e6c4b0d9f\"\n"
	    "  integrity sha512-Zq7WmX2pLk9Rt4Vn8Hs3Jd6Fg1Cb5Ny0QwEeAb9Cd8Ef7Gh6Ij5Kl4Mn+/3f9a1c7e5b2d8f604a1e9c3b7d5f2a8e==\n"
	    "\"integrity\": \"sha512-Zq7WmX2pLk9Rt4Vn8Hs3Jd6Fg1Cb5Ny0QwEe==\",\n", "");
	expect("uuids", "id = 3f9a1c7e-5b2d-4f60-8a1e-9c3b7d5f2a8e\nsession_token_id: 6c4b0d9f-1e3a-4c7b-9d2f-4e6a8c0b1d3e\n", "");
	expect("base64 image", "<img src=\"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
	    "AKIAxoZ8AAKIAFakeAKIAdop_v1_skproj+AAAAASUVORK5CYII=\">", "");
	expect("test fixture key named as such", "const fake = 'sk_" "live_FAKEFAKEFAKEFAKE1234';\n"
	    "PASSWORD=dummy-password-for-tests\n", "");
	expect("git commit ids and sha256", "commit 3f9a1c7e5b2d8f604a1e9c3b7d5f2a8e6c4b0d9f\nsha256: " HEX64 "\n", "");
	expect("code in an object literal", "    'cancelToken': defaultToConfig2,\n    tokenChars: tokenChars$2\n"
	    "this.tokenType=next>>TYPE_SHIFT$1\n", "");
	expect("a header holding a UUID", "'Lock-Token': 'urn:uuid:a515cfa4-5da4-22e1-f5b5-00a0451e6bf7'\n", "");
	expect("documentation URL with a typed sequence", "dotenv://:key_7890@dotenvx.com/vault/.env.vault", "");
	expect("CVS pserver URL", "cvs://:pserver:anoncvs@sources.example.org:/cvs/src", "");
	expect("Pascal declarations", "  _d2i_AutoPrivateKey: Td2i_Key = nil;\n  PTOKEN_POLICY = ^TOKEN_POLICY;\n", "");
	expect("RFC 6749's sample tokens", "{\n  \"access_token\": \"2YotnFZFEjr1zCsicMWpAA\",\n"
	    "  \"refresh_token\": \"tGzv3JOkF0XG5Qx2TlKWIA\"\n}\n", "");
	expect("binary content is not scanned", "\0ghp_" B62_36, "");
}

#define AWS_ID "AKI" "AQ7H2M4K9L3P5W6X8"
#define AWS_SECRET "Zq7WmX2pLk9Rt4Vn8Hs3" "Jd6Fg1Cb5Ny0QwEe/b+K"

/* TEXT holds NPAIRS key IDs paired with a secret, first on line LINE with its secret on PAIR_LINE, then REDACTED. */
static void
expect_aws(const char *name, const char *text, size_t npairs, int line, int pair_line, const char *redacted)
{
	struct scan_result r;
	size_t n = scan_text(text, strlen(text), &r), len, i, paired = 0;
	char *out = scan_redact(text, strlen(text), &r, &len);

	for (i = 0; i < n; i++)
		paired += strcmp(r.v[i].rule, "aws-access-key") == 0 && r.v[i].pair_end > 0;
	if (!UNIT_CHECK(name, paired == npairs && (npairs == 0 || (r.v[0].line == line && r.v[0].pair_line == pair_line)) &&
	    (redacted == NULL || strcmp(out, redacted) == 0)))
		printf("# %zu findings, %zu paired, line %d pair line %d\n# %s\n", n, paired, n ? r.v[0].line : 0,
		    n ? r.v[0].pair_line : 0, out);
	free(out);
	scan_result_free(&r);
}

static void
aws_pairs(void)
{
	expect_aws("aws pair in .env: one finding, both halves redacted",
	    "AWS_ACCESS_KEY_ID=" AWS_ID "\nAWS_SECRET_ACCESS_KEY=" AWS_SECRET "\nAWS_REGION=nyc3\n", 1, 1, 2,
	    "AWS_ACCESS_KEY_ID=<redacted:aws-access-key>\nAWS_SECRET_ACCESS_KEY=<redacted:aws-access-key>\nAWS_REGION=nyc3\n");
	UNIT_CHECK("aws pair in .env is one finding", strcmp(only_rule("AWS_ACCESS_KEY_ID=" AWS_ID "\n"
	    "AWS_SECRET_ACCESS_KEY=" AWS_SECRET "\n"), "aws-access-key") == 0);
	expect_aws("aws pair, secret first (credentials file)", "[default]\naws_secret_access_key = " AWS_SECRET
	    "\naws_access_key_id = " AWS_ID "\n", 1, 3, 2, NULL);
	expect_aws("aws pair in JSON under names no rule knows", "{\n  \"Id\": \"" AWS_ID "\",\n  \"Key\": \"" AWS_SECRET
	    "\"\n}\n", 1, 2, 3, "{\n  \"Id\": \"<redacted:aws-access-key>\",\n  \"Key\": \"<redacted:aws-access-key>\"\n}\n");
	expect_aws("aws key beside a hex digest: no pair", AWS_ID " 3f9a1c7e5b2d8f604a1e9c3b7d5f2a8e6c4b0d9f\n", 0, 0, 0,
	    "<redacted:aws-access-key> 3f9a1c7e5b2d8f604a1e9c3b7d5f2a8e6c4b0d9f\n");
	expect_aws("aws secret six lines away: no pair", AWS_ID "\n1\n2\n3\n4\n5\nx = " AWS_SECRET "\n", 0, 0, 0, NULL);
	expect_aws("aws key beside a longer base64 run: no pair", AWS_ID "\nsha512-" AWS_SECRET "Ab9Cd8Ef==\n", 0, 0, 0, NULL);
	expect_aws("aws key beside padded base64: no pair", AWS_ID "\ndata: " AWS_SECRET "==\n", 0, 0, 0, NULL);
	expect("aws documentation pair", "AKI" "AIOSFODNN7EXAMPLE\nwJalrXUtnFEMI/K7MDENG/bPxRfi" "CYEXAMPLEKEY\n", "");
	expect_aws(".env: the secret further than five lines, its key naming it",
	    "AWS_ACCESS_KEY_ID=" AWS_ID "\nAWS_REGION=nyc3\nAWS_BUCKET=lot-backups\nAWS_ENDPOINT=https://nyc3.example.com\n"
	    "S3_PREFIX=prod\nNODE_ENV=production\nPORT=8080\nAWS_SECRET_ACCESS_KEY=" AWS_SECRET "\n", 1, 1, 8,
	    "AWS_ACCESS_KEY_ID=<redacted:aws-access-key>\nAWS_REGION=nyc3\nAWS_BUCKET=lot-backups\n"
	    "AWS_ENDPOINT=https://nyc3.example.com\nS3_PREFIX=prod\nNODE_ENV=production\nPORT=8080\n"
	    "AWS_SECRET_ACCESS_KEY=<redacted:aws-access-key>\n");
	expect_aws("YAML: other keys between the ID and the secret", "storage:\n  aws:\n    access_key_id: " AWS_ID
	    "\n    region: nyc3\n    bucket: lot-backups\n    endpoint: https://nyc3.example.com\n    path_style: true\n"
	    "    retries: 5\n    timeout: 30\n    secret_access_key: " AWS_SECRET "\n", 1, 3, 10, NULL);
	expect_aws("credentials file: each profile's ID takes its own section's secret",
	    "[default]\naws_access_key_id = " AWS_ID "\nregion = nyc3\noutput = json\ncli_pager =\nretry_mode = standard\n"
	    "max_attempts = 3\naws_secret_access_key = " AWS_SECRET "\n[prod]\naws_access_key_id = AKI" "AZ3N8R5T1V7X9B2D4\n"
	    "aws_secret_access_key = Yq8Kd3Pw5Ns7Hv2M" "Zq7WmX2pLk9Rt4Vn8Hs3Jd6F\n", 2, 2, 8, NULL);
	expect_aws("a secret in another section: no pair", "[dev]\naws_access_key_id = " AWS_ID "\n[ops]\nregion = nyc3\n"
	    "output = json\nretry_mode = standard\nmax_attempts = 3\naws_secret_access_key = " AWS_SECRET "\n", 0, 0, 0, NULL);
	expect_aws("a secret near but in another section: no pair", "[dev]\naws_access_key_id = " AWS_ID "\n[ops]\n"
	    "aws_secret_access_key = " AWS_SECRET "\n", 0, 0, 0, NULL);
	expect_aws("far 40-byte run not named a secret: no pair", AWS_ID "\n1\n2\n3\n4\n5\n6\n7\nchecksum: " AWS_SECRET "\n",
	    0, 0, 0, NULL);
	/* The second ID is a real one (AKIA and 16), so both are found: one paired, one alone. */
	expect_aws("two key IDs, one secret: the first takes it, the other stands alone", "A=" AWS_ID "\nB=AKI" "AZ3N8R5T1V7X9B2D4\nS=" AWS_SECRET "\n",
	    1, 1, 3, NULL);
	{
		static const char two[] = "A=" AWS_ID "\nB=AKI" "AZ3N8R5T1V7X9B2D4\nS=" AWS_SECRET "\n";
		struct scan_result r;
		size_t n = scan_text(two, strlen(two), &r), i, ids = 0, alone = 0;

		for (i = 0; i < n; i++)
			if (strcmp(r.v[i].rule, "aws-access-key") == 0) {
				ids++;
				alone += r.v[i].pair_end == 0 && r.v[i].line == 2;
			}
		UNIT_CHECK("two key IDs, one secret: the second is found, unpaired", ids == 2 && alone == 1);
		scan_result_free(&r);
	}
}

/* The one finding in TEXT has rule RULE, environment ENV and severity SEV. */
static void
expect_env(const char *name, const char *text, const char *rule, const char *env, enum scan_severity sev)
{
	struct scan_result r;
	size_t n = scan_text(text, strlen(text), &r);

	if (!UNIT_CHECK(name, n == 1 && strcmp(r.v[0].rule, rule) == 0 && r.v[0].env && strcmp(r.v[0].env, env) == 0 &&
	    r.v[0].severity == sev))
		printf("# %zu findings; first %s env %s severity %d\n", n, n ? r.v[0].rule : "-",
		    n && r.v[0].env ? r.v[0].env : "-", n ? (int)r.v[0].severity : -1);
	scan_result_free(&r);
}

static void
stripe_environments(void)
{
	expect_env("stripe live key: prod, high", "sk_" "live_51HqZk2Lm4Wx7Rt9Bv3Nc8Pd", "stripe-access-token", "prod",
	    SCAN_HIGH);
	expect_env("stripe restricted live key: prod, high", "rk_" "live_51HqZk2Lm4Wx7Rt9Bv3Nc8Pd", "stripe-access-token",
	    "prod", SCAN_HIGH);
	expect_env("stripe prod key: prod, high", "sk_" "prod_51HqZk2Lm4Wx7Rt9Bv3Nc8Pd", "stripe-access-token", "prod",
	    SCAN_HIGH);
	expect_env("stripe test key: test, low", "STRIPE_SECRET_KEY=sk_" "test_51HqZk2Lm4Wx7Rt9Bv3Nc8Pd", "stripe-access-token",
	    "test", SCAN_LOW);
	expect_env("stripe restricted test key: test, low", "rk_" "test_51HqZk2Lm4Wx7Rt9Bv3Nc8Pd", "stripe-access-token",
	    "test", SCAN_LOW);
}

static void
redaction(void)
{
	const char *text = "DB_PASSWORD=AVN" "S_q8Zk2Lm4Wx7Rt9Bv3Nc\nPORT=25060\nOPENAI=sk-" "proj-Zq7WmX2pLk9Rt4Vn8Hs3Jd6Fg1Cb5Ny0QwEe_Ab4Kd\n";
	struct scan_result r, again;
	size_t n, len;
	char *out;

	n = scan_text(text, strlen(text), &r);
	UNIT_CHECK("two findings", n == 2);
	UNIT_CHECK("lines named", n == 2 && r.v[0].line == 1 && r.v[1].line == 3);
	out = scan_redact(text, strlen(text), &r, &len);
	UNIT_CHECK("redacted text keeps the keys", strcmp(out, "DB_PASSWORD=<redacted:digitalocean-database-password>\n"
	    "PORT=25060\nOPENAI=<redacted:openai-api-key>\n") == 0);
	UNIT_CHECK("redacted text is clean", scan_text(out, len, &again) == 0);
	scan_result_free(&again);
	scan_result_free(&r);
	free(out);
}

/* TEXT redacted is WANT: the bytes around each secret are kept as they were. */
static void
expect_redacted(const char *name, const char *text, const char *want)
{
	struct scan_result r;
	size_t len;
	char *out;

	scan_text(text, strlen(text), &r);
	out = scan_redact(text, strlen(text), &r, &len);
	if (!UNIT_CHECK(name, len == strlen(want) && strcmp(out, want) == 0))
		printf("# got '%s'\n# want '%s'\n", out, want);
	free(out);
	scan_result_free(&r);
}

#define PEM_BODY "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0"

static void
redaction_neighbours(void)
{
	expect_redacted("key block: the rest of its END line stays", "-----BEGIN RSA " "PRIVATE KEY-----\n" PEM_BODY
	    "\n-----END RSA PRIVATE KEY----- # deploy key\nnext line\n",
	    "<redacted:private-key> # deploy key\nnext line\n");
	expect_redacted("key block in a quoted string: escapes and the rest stay", "{\"key\": \"-----BEGIN RSA " "PRIVATE KEY-----\\n"
	    PEM_BODY "\\n-----END RSA PRIVATE KEY-----\\n\", \"next\": 1}\n",
	    "{\"key\": \"<redacted:private-key>\\n\", \"next\": 1}\n");
	expect_redacted("key block in single quotes, code after it", "k = '-----BEGIN OPENSSH " "PRIVATE KEY-----\\n" PEM_BODY
	    "\\n-----END OPENSSH PRIVATE KEY-----' + rest;\n", "k = '<redacted:private-key>' + rest;\n");
	expect_redacted("quoted assignment: quotes and comment stay", "PASSWORD='Zk2Lm4Wx" "7Rt9' # keep\n",
	    "PASSWORD='<redacted:secret-assignment>' # keep\n");
	expect_redacted("quoted URL: the rest of the URL and line stay", "x = \"postgres://app:Zk2Lm4Wx" "7Rt9@db/x\"; // note\n",
	    "x = \"postgres://app:<redacted:url-password>@db/x\"; // note\n");
	expect_redacted("token in quotes, a comment after", "T = \"ghp_" B62_36 "\" # gh\n", "T = \"<redacted:github-pat>\" # gh\n");
}

#define VAL16 "Zk2Lm4Wx" "7Rt9Bv3N"

/*
 * One-line JSON and JS objects and arrays: each pair is scanned as on a
 * line of its own, the value alone redacted (quotes, braces and the pairs
 * around it kept).
 */
static void
one_line_objects(void)
{
	expect_redacted("json object on one line", "{\"password\": \"hunter2-Long-" "Secret\"}\n",
	    "{\"password\": \"<redacted:secret-assignment>\"}\n");
	expect_redacted("json pair before the closing brace", "  \"password\": \"" VAL16 "\"}\n",
	    "  \"password\": \"<redacted:secret-assignment>\"}\n");
	expect_redacted("json pair without a blank after the colon", "  \"apiKey\":\"" VAL16 "\",\n",
	    "  \"apiKey\":\"<redacted:secret-assignment>\",\n");
	expect_redacted("compact json, the secret between other pairs", "{\"region\":\"nyc3\",\"apiKey\":\"" VAL16
	    "\",\"debug\":false}\n", "{\"region\":\"nyc3\",\"apiKey\":\"<redacted:secret-assignment>\",\"debug\":false}\n");
	expect_redacted("js object in a call", "const c = new Client({ apiKey: '" VAL16 "', retries: 3 });\n",
	    "const c = new Client({ apiKey: '<redacted:secret-assignment>', retries: 3 });\n");
	expect_redacted("array of objects, two secrets", "[{\"name\":\"a\",\"token\":\"" VAL16 "\"},{\"name\":\"b\","
	    "\"token\":\"Yq8Kd3Pw" "5Ns7Hv2M\"}]\n", "[{\"name\":\"a\",\"token\":\"<redacted:secret-assignment>\"},"
	    "{\"name\":\"b\",\"token\":\"<redacted:secret-assignment>\"}]\n");
	expect_redacted("escaped quote inside the value", "{\"secret\": \"Zk2\\\"Lm4Wx" "7Rt9Bv\"}\n",
	    "{\"secret\": \"<redacted:secret-assignment>\"}\n");
	expect_redacted("JSON in a string, its quotes escaped", "FIREBASE_CONFIG=\"{\\\"apiKey\\\":\\\"" VAL16
	    "\\\",\\\"projectId\\\":\\\"lot\\\"}\"\n",
	    "FIREBASE_CONFIG=\"{\\\"apiKey\\\":\\\"<redacted:secret-assignment>\\\",\\\"projectId\\\":\\\"lot\\\"}\"\n");
	expect("escaped JSON: a message", "\"{\\\"password\\\":\\\"Password must hold 12 characters\\\"}\"\n", "");
	expect("one-line object: a message, not a secret", "{\"password\": \"Password must hold 12 characters\"}\n", "");
	expect("one-line object: a placeholder", "{\"apiKey\":\"${API_KEY}\",\"token\":\"<token>\"}\n", "");
	expect("one-line object: a non-secret key", "{\"buildId\":\"" VAL16 "\",\"tokenType\":\"Bearer\"}\n", "");
	expect("comparison, not a pair", "if (password === \"" VAL16 "\") {}\nok = token == '" VAL16 "' ? 1 : 0;\n", "");
	expect("string concatenated after the pair is code", "{ token: 'Bearer ' + " VAL16 " }\n", "");
	expect("ternary branch is no key", "x = ok ? \"token\" : \"" VAL16 "\";\n", "");
}

/* Shapes Node/TypeScript projects and their deployment files hold (lot-systems' among them). */
static void
node_shapes(void)
{
	expect_redacted("TS const", "const JWT_SECRET = '" VAL16 "';\n", "const JWT_SECRET = '<redacted:secret-assignment>';\n");
	expect_redacted("exported const, double quotes", "export const API_KEY = \"" VAL16 "\";\n",
	    "export const API_KEY = \"<redacted:secret-assignment>\";\n");
	expect_redacted("TS const with a type", "const jwtSecret: string = '" VAL16 "';\n",
	    "const jwtSecret: string = '<redacted:secret-assignment>';\n");
	expect("let with a template literal", "let apiKey = `" VAL16 "`;\n", "secret-assignment");
	expect("class field", "  private readonly apiKey = '" VAL16 "';\n  static SECRET = 'Yq8Kd3Pw" "5Ns7Hv2M';\n", "many");
	expect_redacted("env fallback literal", "  secret: process.env.JWT_SECRET || '" VAL16 "',\n",
	    "  secret: process.env.JWT_SECRET || '<redacted:secret-assignment>',\n");
	expect("env fallback under a plain name, ??", "const s = process.env.SESSION_SECRET ?? \"" VAL16 "\";\n",
	    "secret-assignment");
	expect_redacted("compose list item, quoted", "      - \"DB_PASSWORD=" VAL16 "\"\n",
	    "      - \"DB_PASSWORD=<redacted:secret-assignment>\"\n");
	expect_redacted("compose list in flow style", "    environment: [\"NODE_ENV=production\", 'JWT_SECRET=" VAL16 "']\n",
	    "    environment: [\"NODE_ENV=production\", 'JWT_SECRET=<redacted:secret-assignment>']\n");
	expect_redacted("Dockerfile ENV", "ENV JWT_SECRET=" VAL16 "\n", "ENV JWT_SECRET=<redacted:secret-assignment>\n");
	expect_redacted("Dockerfile ENV, the old form", "ENV JWT_SECRET " VAL16 "\n", "ENV JWT_SECRET <redacted:secret-assignment>\n");
	expect("Dockerfile ARG", "ARG NPM_TOKEN=" VAL16 "\n", "secret-assignment");
	expect("SMTP_PASS and DB_PASS", "SMTP_PASS=" VAL16 "\nDB_PASS=Yq8Kd3Pw" "5Ns7Hv2M\n", "many");
	expect("npm token", "//registry.npmjs.org/:_authToken=npm" "_Zq7WmX2pLk9Rt4Vn8Hs3Jd6Fg1Cb5Ny0QwEe\n", "npm-access-token");
	expect("declarations that read code", "const JWT_SECRET = process.env.JWT_SECRET;\nconst apiKey: string = getKey();\n"
	    "const secret = process.env.JWT_SECRET || '';\nENV JWT_SECRET=${JWT_SECRET}\n", "");
	expect("env fallback that is a placeholder", "  secret: process.env.JWT_SECRET || 'your-jwt-secret',\n", "");
	expect("a name, not a password", "BYPASS=Zk2Lm4Wx" "7Rt9Bv3N\nCOMPASS_ID=Yq8Kd3Pw" "5Ns7Hv2M\n", "");
	expect_redacted("Kubernetes env list: name, then value", "env:\n  - name: JWT_SECRET\n    value: " VAL16 "\n"
	    "  - name: PORT\n    value: \"8080\"\n", "env:\n  - name: JWT_SECRET\n    value: <redacted:secret-assignment>\n"
	    "  - name: PORT\n    value: \"8080\"\n");
	expect("ECS task definition: name, then value", "{\n  \"environment\": [\n    {\n      \"name\": \"DB_PASSWORD\",\n"
	    "      \"value\": \"" VAL16 "\"\n    }\n  ]\n}\n", "secret-assignment");
	expect("name of a non-secret, then value", "  - name: BUILD_ID\n    value: " VAL16 "\n", "");
	expect("SendGrid key", "SENDGRID_API_KEY=SG." "Zq7WmX2pLk9Rt4Vn8Hs3Jd.6Fg1Cb5Ny0QwEeZq7WmX2pLk9Rt4Vn8Hs3Jd6Fg1Cb5\n",
	    "sendgrid-api-token");
	expect("labels that name themselves", "const X_AWS_EC2_METADATA_TOKEN = \"x-aws-ec2-metadata-token\";\n"
	    "  const secret1 = 'my-secret-1'\n", "");
	expect("a C type naming a token, in a Go table", "\tt.IDTokenReader: \"wuffs_base__token_buffer*\",\n", "");
	expect("a declaration of a non-secret", "const BUILD_ID = '" VAL16 "';\nENV NODE_VERSION 22.11.0\n", "");
}

/* A JWT's three parts, split so that this file is no finding. */
#define JWT_HEAD "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
#define JWT_BODY "eyJzdWIiOiJzdmMtYmFja3VwIiwicm9sZSI6InNlcnZpY2UiLCJpYXQiOjE3MzMyMTI4MDB9"
#define JWT_SIG "Qw3Er5Ty7Ui9Op1AZk2Lm4Wx" "7Rt9Bv3N_Hs3Jd6Fg1Cb5"
#define JWT JWT_HEAD "." JWT_BODY "." JWT_SIG

/* JWTs where no name says secret: in a command line, a header, a URL. */
static void
jwts(void)
{
	expect_redacted("JWT in a package.json script", "  \"scripts\": {\"start\": \"API_TOKEN=" JWT " node server.js\"}\n",
	    "  \"scripts\": {\"start\": \"API_TOKEN=<redacted:jwt> node server.js\"}\n");
	expect_redacted("JWT in a curl header", "curl -H \"Authorization: Bearer " JWT "\" https://api.example.net/v1\n",
	    "curl -H \"Authorization: Bearer <redacted:jwt>\" https://api.example.net/v1\n");
	expect("JWT in a URL's query", "https://app.example.net/login?t=" JWT "&next=/\n", "jwt");
	expect("JWT in prose, a dot after it", "The token is " JWT ".\n", "jwt");
	expect("PyJWT's README token", "    eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzb21lIjoicGF5bG9hZCJ9." "4twFt5NiznN84AWoo1d7KO1T_yoc0Z6XOpOVswacPZg\n",
	    "");
	expect("JWT without a signature", "x = '" JWT_HEAD "." JWT_BODY ".'\n", "");
	expect("eyJ words, no JWT header", "eyJustAWordInACamelCaseName.eyJumpedOverTheLazyDogAgain.SomeMethodCallHere2()\n", "");
	expect("jwt.io's published sample", "Bearer " JWT_HEAD ".eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ."
	    "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c\n", "");
}

/* Bearer tokens written out; headers built from a variable and docs' placeholders are not. */
static void
bearer_tokens(void)
{
	expect_redacted(".http file header", "GET https://api.example.net/me\nAuthorization: Bearer " VAL16 "Qw3Er5Ty\n\n",
	    "GET https://api.example.net/me\nAuthorization: Bearer <redacted:bearer-token>\n\n");
	expect_redacted("curl header, single quotes", "curl -H 'Authorization: Bearer " VAL16 "' https://x.example\n",
	    "curl -H 'Authorization: Bearer <redacted:bearer-token>' https://x.example\n");
	expect_redacted("header in a JS object", "fetch(u, { headers: { Authorization: 'Bearer " VAL16 "' } });\n",
	    "fetch(u, { headers: { Authorization: 'Bearer <redacted:bearer-token>' } });\n");
	expect("lower-case bearer in JSON", "{\"authorization\": \"bearer " VAL16 "\"}\n", "bearer-token");
	expect("header built from a variable", "headers.Authorization = `Bearer ${token}`;\nh = 'Bearer ' + token;\n"
	    "h = \"Bearer \" + cfg.apiToken;\nsprintf(b, \"Bearer %s\", t);\ncurl -H \"Authorization: Bearer $TOKEN\" u\n", "");
	expect("docs placeholders", "Authorization: Bearer <token>\nAuthorization: Bearer YOUR_TOKEN\nBearer xxx\n"
	    "Authorization: Bearer {{token}}\nAuthorization: Bearer your-api-key\nBearer token\n", "");
	expect("the OAuth specs' sample tokens", "Authorization: Bearer mF_9.B5f-4.1JqM\n    Authorization: Bearer h480djs93hd8\n"
	    "        Authorization: Bearer SlAV32hkKG\n", "");
	expect("prose about bearer tokens", "Send the Bearer authentication header; a Bearer token expires.\n", "");
}

/* Basic credentials written out (base64 of user:password); placeholders, the RFC's sample and prose are not. */
static void
basic_auth(void)
{
	expect_redacted(".http file header", "GET https://api.example.net/me\nAuthorization: Basic ZGVwbG95Ol" "F3M0VyNVR5N1VpOQ==\n",
	    "GET https://api.example.net/me\nAuthorization: Basic <redacted:basic-auth>\n");
	expect_redacted("curl header", "curl -H 'Authorization: Basic Y2ktYm90Okh" "zM0pkNkZnMUNiNQ==' https://x.example\n",
	    "curl -H 'Authorization: Basic <redacted:basic-auth>' https://x.example\n");
	expect("lower-case basic in JSON", "{\"authorization\": \"basic Y2ktYm90Okh" "zM0pkNkZnMUNiNQ==\"}\n", "basic-auth");
	expect("placeholder passwords", "Authorization: Basic dXNlcjpwYXNzd29yZA==\nAuthorization: Basic YWRtaW46Y2hhbmdlbWU=\n"
	    "Authorization: Basic ZGVwbG95OiRQQVNT\nAuthorization: Basic dXNlcjo=\n", "");
	expect("RFC 7617's sample", "Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\n", "");
	expect("not user:password", "Authorization: Basic AAEC//4DBAUGBwgJ\nBasic ${creds}\nh = 'Basic ' + btoa(u + ':' + p);\n", "");
	expect("prose about basic auth", "Basic authentication sends credentials; basic configuration comes first.\n", "");
}

/* .npmrc and .yarnrc auth lines. */
static void
npm_auth(void)
{
	expect("npmrc npm token", "//registry.npmjs.org/:_authToken=npm" "_Zq7WmX2pLk9Rt4Vn8Hs3Jd6Fg1Cb5Ny0QwEe\n",
	    "npm-access-token");
	expect_redacted("npmrc opaque token for a host", "@acme:registry=https://npm.acme.dev/\n//npm.acme.dev/:_authToken="
	    VAL16 "Qw3Er5Ty\nalways-auth=true\n", "@acme:registry=https://npm.acme.dev/\n"
	    "//npm.acme.dev/:_authToken=<redacted:secret-assignment>\nalways-auth=true\n");
	expect_redacted("npmrc legacy _auth", "registry=https://npm.acme.dev/\n_auth=ZGVwbG95Ol" "F3M0VyNVR5N1VpOQ==\n",
	    "registry=https://npm.acme.dev/\n_auth=<redacted:npm-legacy-auth>\n");
	expect_redacted("npmrc _password for a host", "//npm.acme.dev/:username=deploy\n//npm.acme.dev/:_password=SHMzSmQ2" "RmcxQ2I1\n",
	    "//npm.acme.dev/:username=deploy\n//npm.acme.dev/:_password=<redacted:npm-legacy-auth>\n");
	expect("npmrc _password, no digit", "_password=\"YWJjZGVm" "Z2hpamts\"\n", "npm-legacy-auth");
	expect("yarnrc.yml npmAuthToken", "npmScopes:\n  acme:\n    npmAuthToken: " VAL16 "Qw3Er5Ty\n", "secret-assignment");
	expect_redacted("yarn 1 .yarnrc: key and value quoted, a blank between", "\"@acme:registry\" \"https://npm.acme.dev/\"\n"
	    "\"//npm.acme.dev/:_authToken\" \"" VAL16 "Qw3Er5Ty\"\n", "\"@acme:registry\" \"https://npm.acme.dev/\"\n"
	    "\"//npm.acme.dev/:_authToken\" \"<redacted:secret-assignment>\"\n");
	expect("yarn 1 .yarnrc: token from the environment", "\"//npm.acme.dev/:_authToken\" \"${NPM_TOKEN}\"\n", "");
	expect("npmrc tokens from the environment", "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n_auth=${NPM_AUTH}\n"
	    "//npm.acme.dev/:_password=${ACME_PW}\nnpmAuthToken: \"${NPM_TOKEN}\"\n_auth=\n", "");
	expect("npm's manual: stand-ins for a token", "; would apply only to @myorg\n//somewhere-else.com/myorg/:_authToken=MYTOKEN1\n"
	    "//somewhere-else.com/another/:_authToken=MYTOKEN2\nAPI_TOKEN=MY_TOKEN_2\n", "");
	expect("npmrc _auth that is no base64 user:pass", "_auth=true\n_auth = ZGVwbG95\n", "");
}

/* YAML block scalars: the value is the indented lines after the key. */
static void
yaml_blocks(void)
{
	expect_redacted("password: | in compose", "services:\n  db:\n    environment:\n      password: |\n        " VAL16
	    "\n    ports:\n      - 5432\n", "services:\n  db:\n    environment:\n      password: |\n        "
	    "<redacted:secret-assignment>\n    ports:\n      - 5432\n");
	expect_redacted("private_key: >- over lines, a blank line inside", "auth:\n  private_key: >-\n    Zk2Lm4Wx7Rt9\n\n"
	    "    Bv3NQw3Er5Ty\n  user: app\n", "auth:\n  private_key: >-\n    <redacted:secret-assignment>\n  user: app\n");
	expect_redacted("k8s stringData block, then the file goes on", "stringData:\n  api-token: |-\n    " VAL16 "\n"
	    "  other: x\n---\nkind: Service\n", "stringData:\n  api-token: |-\n    <redacted:secret-assignment>\n"
	    "  other: x\n---\nkind: Service\n");
	expect("block as a list item's key, at the end of the file", "- secret: |\n    " VAL16, "secret-assignment");
	expect("a secret-named block of prose or code", "secret_note: |\n  Rotate it every month with the script.\n"
	    "jwt_secret_docs: >\n  See docs/secrets.md for how.\n", "");
	expect("a block of a non-secret", "script: |\n  " VAL16 "\n", "");
	expect("a block placeholder", "password: |\n  ${DB_PASSWORD}\n", "");
	expect_redacted("a key block as a block", "deploy:\n  private_key: |\n    -----BEGIN RSA " "PRIVATE KEY-----\n    " PEM_BODY
	    "\n    -----END RSA PRIVATE KEY-----\n  host: x\n", "deploy:\n  private_key: |\n    <redacted:private-key>\n  host: x\n");
	expect("a block added in a diff", "@@ -1,2 +1,4 @@\n env:\n+  password: |\n+    " VAL16 "\n   user: app\n",
	    "secret-assignment");
	expect("an empty block, the next key less indented", "password: |\nuser: " VAL16 "\n", "");
}

int
main(void)
{
	rules_positive();
	rules_negative();
	token_rules_each();
	look_alikes();
	stripe_environments();
	aws_pairs();
	redaction();
	redaction_neighbours();
	one_line_objects();
	node_shapes();
	jwts();
	bearer_tokens();
	basic_auth();
	npm_auth();
	yaml_blocks();
	UNIT_CHECK("placeholder: variable name", scan_is_placeholder("DB_PASSWORD", 11));
	UNIT_CHECK("placeholder: empty", scan_is_placeholder("", 0));
	UNIT_CHECK("not a placeholder: random", !scan_is_placeholder("Zk2Lm4Wx7Rt9", 12));
	return unit_done();
}
