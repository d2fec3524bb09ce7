#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "s3/s3-internal.h"
#include "s3/s3.h"
#include "unit.h"

/* The pure parts of the S3 client: URLs, the canonical query, XML replies. */

static void
test_url(void)
{
	char *b = NULL, *p = NULL, err[128];

	UNIT_CHECK("url-bucket-prefix", s3_url_parse("s3://bk/a/b", &b, &p, err, sizeof(err)) == 0 &&
	    strcmp(b, "bk") == 0 && strcmp(p, "a/b/") == 0);
	free(b), free(p);
	UNIT_CHECK("url-bucket-only", s3_url_parse("s3://bk", &b, &p, err, sizeof(err)) == 0 &&
	    strcmp(b, "bk") == 0 && strcmp(p, "") == 0);
	free(b), free(p);
	UNIT_CHECK("url-empty-segments", s3_url_parse("s3://bk//a///b/", &b, &p, err, sizeof(err)) == 0 &&
	    strcmp(p, "a/b/") == 0);
	free(b), free(p);
	UNIT_CHECK("url-no-scheme", s3_url_parse("https://bk/a", &b, &p, err, sizeof(err)) < 0);
	UNIT_CHECK("url-no-bucket", s3_url_parse("s3:///a", &b, &p, err, sizeof(err)) < 0);
}

static void
test_query(void)
{
	struct strbuf q = STRBUF_INIT;

	s3_query_add(&q, "list-type", "2");
	s3_query_add(&q, "prefix", "a/b c+~");
	s3_query_add(&q, "uploads", NULL);
	UNIT_CHECK("query-sigv4-encoding", strcmp(strbuf_str(&q), "list-type=2&prefix=a%2Fb%20c%2B~&uploads=") == 0);
	strbuf_free(&q);
}

/* Which endpoints keep their bytes on this machine (no warning for plain http there). */
static void
test_local(void)
{
	UNIT_CHECK("local-127", s3_endpoint_local("http://127.0.0.1:9000"));
	UNIT_CHECK("local-127-other", s3_endpoint_local("http://127.3.4.5/path"));
	UNIT_CHECK("local-127-short", s3_endpoint_local("http://127.1:9000"));
	UNIT_CHECK("local-localhost", s3_endpoint_local("http://LocalHost:9000/"));
	UNIT_CHECK("local-sub-localhost", s3_endpoint_local("http://s3.localhost:9000"));
	UNIT_CHECK("local-v6", s3_endpoint_local("http://[::1]:9000"));
	UNIT_CHECK("local-v6-mapped", s3_endpoint_local("http://[::ffff:127.0.0.1]:9000"));
	UNIT_CHECK("local-userinfo", s3_endpoint_local("http://u@127.0.0.1:9000"));
	UNIT_CHECK("remote-lan", !s3_endpoint_local("http://192.168.1.5:9000"));
	UNIT_CHECK("remote-name", !s3_endpoint_local("http://minio.internal:9000"));
	UNIT_CHECK("remote-fake-localhost", !s3_endpoint_local("http://localhost.example.com"));
	UNIT_CHECK("remote-128", !s3_endpoint_local("http://128.0.0.1"));
	UNIT_CHECK("remote-v6", !s3_endpoint_local("http://[2001:db8::1]:9000"));
	UNIT_CHECK("remote-userinfo", !s3_endpoint_local("http://127.0.0.1@evil.example:9000"));
	UNIT_CHECK("remote-empty", !s3_endpoint_local("http://"));
}

struct seen {
	int keys;
	char last_key[64];
	char code[64];
};

static void
on_field(void *arg, const char *parent, const char *name, const char *text)
{
	struct seen *s = arg;

	if (strcmp(parent, "Contents") == 0 && strcmp(name, "Key") == 0) {
		s->keys++;
		snprintf(s->last_key, sizeof(s->last_key), "%s", text);
	}
	if (strcmp(parent, "Error") == 0 && strcmp(name, "Code") == 0)
		snprintf(s->code, sizeof(s->code), "%s", text);
}

static void
test_xml(void)
{
	static const char list[] = "<?xml version=\"1.0\"?><ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
	    "<Contents><Key>a/x&amp;y</Key><Size>3</Size></Contents><Contents><Key>a/z</Key></Contents></ListBucketResult>";
	static const char error[] = "<Error><Code>SignatureDoesNotMatch</Code><Message>no</Message></Error>";
	struct seen s;
	char root[64], err[128];

	memset(&s, 0, sizeof(s));
	UNIT_CHECK("xml-list", s3_xml_parse(list, strlen(list), on_field, &s, root, sizeof(root), err, sizeof(err)) == 0 &&
	    s.keys == 2 && strcmp(root, "ListBucketResult") == 0);
	memset(&s, 0, sizeof(s));
	UNIT_CHECK("xml-truncated", s3_xml_parse(list, 140, on_field, &s, root, sizeof(root), err, sizeof(err)) < 0);
	memset(&s, 0, sizeof(s));
	UNIT_CHECK("xml-error", s3_xml_parse(error, strlen(error), on_field, &s, root, sizeof(root), err, sizeof(err)) == 0 &&
	    strcmp(root, "Error") == 0 && strcmp(s.code, "SignatureDoesNotMatch") == 0);
	UNIT_CHECK("xml-bad", s3_xml_parse("<a><b></a>", 10, on_field, &s, root, sizeof(root), err, sizeof(err)) < 0 &&
	    strstr(err, "not valid XML") != NULL);
	UNIT_CHECK("time", s3_time_parse("2024-01-02T03:04:05.000Z") == 1704164645);
}

int
main(void)
{
	test_url();
	test_query();
	test_local();
	test_xml();
	return unit_done();
}
