/*
 * How a dump must end to count as whole: lotbackup's completion marker as
 * the last line (dumps before the \restrict guard), or the marker and then
 * one "\unrestrict KEY" line; pg_dump's own marker, with what newer
 * versions write after it.
 */
#include <string.h>

#include "dump/dump-contents.h"
#include "unit.h"

#define MARKER "-- lotbackup: dump complete\n"
#define KEY "1oWwesCvW4ODnkceE5mlSD6MCR6IPDXixyW8IULxiycarAkVUyKegnKAxmQHkpE"

static struct dump_contents c;

static const struct dump_contents *
ending(const char *text)
{
	memset(&c, 0, sizeof(c));
	c.tail_len = strlen(text);
	memcpy(c.tail, text, c.tail_len);
	return &c;
}

int
main(void)
{
	UNIT_CHECK("old-marker-last", dump_contents_has_marker(ending("SELECT 1;\n" MARKER)));
	UNIT_CHECK("marker-only", dump_contents_has_marker(ending(MARKER)));
	UNIT_CHECK("marker-then-unrestrict",
	    dump_contents_has_marker(ending("-- rows\n" MARKER "\\unrestrict " KEY "\n")));
	UNIT_CHECK("unrestrict-cut", !dump_contents_has_marker(ending(MARKER "\\unrestrict " KEY)));
	UNIT_CHECK("unrestrict-cut-in-key", !dump_contents_has_marker(ending(MARKER "\\unrestrict 1oW")));
	UNIT_CHECK("unrestrict-no-key", !dump_contents_has_marker(ending(MARKER "\\unrestrict \n")));
	UNIT_CHECK("unrestrict-bad-key", !dump_contents_has_marker(ending(MARKER "\\unrestrict a;b\n")));
	UNIT_CHECK("unrestrict-without-marker", !dump_contents_has_marker(ending("SELECT 1;\n\\unrestrict " KEY "\n")));
	UNIT_CHECK("unrestrict-alone", !dump_contents_has_marker(ending("\\unrestrict " KEY "\n")));
	UNIT_CHECK("line-after-unrestrict",
	    !dump_contents_has_marker(ending(MARKER "\\unrestrict " KEY "\nSELECT 1;\n")));
	UNIT_CHECK("other-meta-after-marker", !dump_contents_has_marker(ending(MARKER "\\! id\n")));
	UNIT_CHECK("marker-cut", !dump_contents_has_marker(ending("-- lotbackup: dump compl")));
	UNIT_CHECK("marker-mid-line", !dump_contents_has_marker(ending("x" MARKER "\\unrestrict " KEY "\n")));
	UNIT_CHECK("pg-dump-marker",
	    dump_contents_has_pg_dump_marker(ending("-- PostgreSQL database dump complete\n--\n\n\\unrestrict " KEY "\n")));
	return unit_done();
}
