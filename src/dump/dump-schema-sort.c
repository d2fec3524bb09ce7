/*
 * Creation order of the pre-data objects: a topological sort of
 * pg_depend, with pg_dump's kind order and then (schema, name) as the
 * tie-break so the output is deterministic. Sub-objects (defaults, CHECK
 * constraints, view rules, row types, array types, extension members)
 * are mapped to the node that creates them. The members of a dependency
 * loop fall back to kind order, with a warning.
 */
#include <stdlib.h>
#include <string.h>

#include "dump/dump-schema-internal.h"
#include "base/log.h"
#include "pg/pgsql.h"
#include "base/strbuf.h"
#include "base/xalloc.h"

/* How far a sub-object is from its node: array of a table's row type is 2. */
#define MAX_HOPS 8

struct mapping {
	unsigned int classid;
	unsigned int objid;
	unsigned int mclass;	/* the object that creates it */
	unsigned int mobj;
};

/*
 * Sub-objects and what creates them. Only validated CHECKs (and PG17's
 * domain NOT NULL) are part of their table or domain; other constraints
 * are post-data and must not pull their references before the table,
 * nor a CHECK on the table's own row type (CHECK_ON_OWN_ROW).
 */
static const char mapping_head[] =
    "SELECT 'pg_attrdef'::regclass::oid, ad.oid, 'pg_class'::regclass::oid, ad.adrelid FROM pg_attrdef ad"
    " UNION ALL"
    " SELECT 'pg_constraint'::regclass::oid, co.oid,"
    "   CASE WHEN co.conrelid <> 0 THEN 'pg_class'::regclass::oid ELSE 'pg_type'::regclass::oid END,"
    "   CASE WHEN co.conrelid <> 0 THEN co.conrelid ELSE co.contypid END"
    "   FROM pg_constraint co WHERE co.contype IN ('c', 'n') AND co.oid >= 16384"
    "   AND NOT (co.contype = 'c' AND " CHECK_ON_OWN_ROW("co") ")"
    " UNION ALL"
    " SELECT 'pg_rewrite'::regclass::oid, r.oid, 'pg_class'::regclass::oid, r.ev_class"
    "   FROM pg_rewrite r WHERE r.rulename = '_RETURN' AND r.oid >= 16384"
    " UNION ALL"
    " SELECT 'pg_type'::regclass::oid, t.oid, 'pg_class'::regclass::oid, t.typrelid"
    "   FROM pg_type t JOIN pg_class c ON c.oid = t.typrelid WHERE c.relkind <> 'c' AND t.oid >= 16384"
    " UNION ALL"
    " SELECT 'pg_class'::regclass::oid, c.oid, 'pg_type'::regclass::oid, c.reltype"
    "   FROM pg_class c WHERE c.relkind = 'c' AND c.oid >= 16384"
    " UNION ALL"
    " SELECT 'pg_type'::regclass::oid, t.oid, 'pg_type'::regclass::oid, t.typelem"
    "   FROM pg_type t JOIN pg_type e ON e.oid = t.typelem AND e.typarray = t.oid WHERE t.oid >= 16384"
    " UNION ALL"
    /* Identity sequences are created by their table. */
    " SELECT d.classid, d.objid, d.refclassid, d.refobjid FROM pg_depend d"
    "   WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass"
    "   AND d.deptype = 'i' AND d.objid >= 16384"
    " UNION ALL"
    " SELECT d.classid, d.objid, 'pg_extension'::regclass::oid, d.refobjid FROM pg_depend d"
    "   WHERE d.deptype = 'e'"
    " UNION ALL"
    /* An operator class's members (internal) or a family's loose ones (automatic). */
    " SELECT d.classid, d.objid, d.refclassid, d.refobjid FROM pg_depend d"
    "   WHERE d.classid IN ('pg_amop'::regclass, 'pg_amproc'::regclass) AND d.deptype IN ('i', 'a')"
    "   AND d.refclassid IN ('pg_opclass'::regclass, 'pg_opfamily'::regclass) AND d.objid >= 16384";
static const char mapping_multirange[] =
    " UNION ALL"
    " SELECT 'pg_type'::regclass::oid, r.rngmultitypid, 'pg_type'::regclass::oid, r.rngtypid"
    "   FROM pg_range r WHERE r.rngtypid >= 16384";

/*
 * Dependencies among user objects. A serial sequence's OWNED BY ('a' on
 * a column) is written after the tables, so it is no dependency; a
 * partition or inheritance child follows its parents.
 */
static const char depends_sql[] =
    "SELECT d.classid, d.objid, d.refclassid, d.refobjid FROM pg_depend d"
    " WHERE d.deptype IN ('n', 'a') AND d.objid >= 16384 AND d.refobjid >= 16384"
    " AND NOT (d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass"
    "   AND d.deptype = 'a' AND d.refobjsubid <> 0)"
    " UNION ALL"
    " SELECT 'pg_class'::regclass::oid, i.inhrelid, 'pg_class'::regclass::oid, i.inhparent"
    "   FROM pg_inherits i";

/* The place of a node_prio in pg_dump's kind order. */
static int
kind_rank(int prio)
{
	/* pg_dump 15's dbObjectTypePriority, for the kinds there are. */
	switch (prio) {
	case PRIO_SCHEMA:
		return 1;
	case PRIO_LANGUAGE:
		return 2;
	case PRIO_COLLATION:
	case PRIO_TRANSFORM:
		return 3;
	case PRIO_EXTENSION:
		return 4;
	case PRIO_TYPE:
	case PRIO_SHELL_TYPE:
		return 5;
	case PRIO_FUNCTION:
		return 6;
	case PRIO_AGGREGATE:
		return 7;
	case PRIO_OPERATOR:
	case PRIO_ACCESS_METHOD:
		return 8;
	case PRIO_OPFAMILY:
	case PRIO_OPCLASS:
		return 9;
	case PRIO_CAST:
		return 10;
	case PRIO_CONVERSION:
		return 11;
	case PRIO_TS_PARSER:
		return 12;
	case PRIO_TS_TEMPLATE:
		return 13;
	case PRIO_TS_DICT:
		return 14;
	case PRIO_TS_CONFIG:
		return 15;
	case PRIO_FDW:
		return 16;
	case PRIO_SERVER:
		return 17;
	case PRIO_SEQUENCE:
		return 18;
	case PRIO_TABLE:
		return 19;
	case PRIO_VIEW:
		return 20;
	default:
		return 100 + prio;
	}
}

static int
cmp_node(const void *a, const void *b)
{
	const struct node *x = a, *y = b;
	int c;

	if (kind_rank(x->prio) != kind_rank(y->prio))
		return kind_rank(x->prio) < kind_rank(y->prio) ? -1 : 1;
	if ((c = strcmp(x->schema, y->schema)) != 0)
		return c;
	if ((c = strcmp(x->name, y->name)) != 0)
		return c;
	/* Only reached by a view and a table of the same name: impossible in one schema. */
	return x->objid < y->objid ? -1 : x->objid > y->objid;
}

static int
cmp_key(const void *a, const void *b)
{
	const struct objkey *x = a, *y = b;

	if (x->classid != y->classid)
		return x->classid < y->classid ? -1 : 1;
	if (x->objid != y->objid)
		return x->objid < y->objid ? -1 : 1;
	return 0;
}

static int
cmp_mapping(const void *a, const void *b)
{
	const struct mapping *x = a, *y = b;

	if (x->classid != y->classid)
		return x->classid < y->classid ? -1 : 1;
	if (x->objid != y->objid)
		return x->objid < y->objid ? -1 : 1;
	return 0;
}

void
schema_index_nodes(struct schema *s)
{
	size_t i;

	if (s->nnodes > 0)
		qsort(s->nodes, s->nnodes, sizeof(*s->nodes), cmp_node);
	free(s->keys);
	s->keys = xcalloc(s->nnodes ? s->nnodes : 1, sizeof(*s->keys));
	for (i = 0; i < s->nnodes; i++) {
		s->keys[i].classid = s->nodes[i].classid;
		s->keys[i].objid = s->nodes[i].objid;
		s->keys[i].node = i;
	}
	s->nkeys = s->nnodes;
	if (s->nkeys > 0)
		qsort(s->keys, s->nkeys, sizeof(*s->keys), cmp_key);
}

size_t
schema_find(const struct schema *s, unsigned int classid, unsigned int objid)
{
	struct objkey want = { classid, objid, 0 };
	const struct objkey *k;

	if (s->nkeys == 0)
		return NO_NODE;
	k = bsearch(&want, s->keys, s->nkeys, sizeof(*s->keys), cmp_key);
	return k ? k->node : NO_NODE;
}

static size_t
resolve(const struct schema *s, const struct mapping *map, size_t nmap, unsigned int classid,
    unsigned int objid)
{
	int hop;

	for (hop = 0; hop < MAX_HOPS; hop++) {
		struct mapping want = { classid, objid, 0, 0 };
		const struct mapping *m;
		size_t n = schema_find(s, classid, objid);

		if (n != NO_NODE)
			return n;
		m = nmap ? bsearch(&want, map, nmap, sizeof(*map), cmp_mapping) : NULL;
		if (m == NULL)
			return NO_NODE;
		classid = m->mclass;
		objid = m->mobj;
	}
	return NO_NODE;
}

static void
add_dep(struct node *n, size_t dep)
{
	size_t i;

	for (i = 0; i < n->ndeps; i++)
		if (n->deps[i] == dep)
			return;
	if (n->ndeps == n->depcap) {
		n->depcap = n->depcap ? n->depcap * 2 : 4;
		n->deps = xrealloc(n->deps, n->depcap * sizeof(*n->deps));
	}
	n->deps[n->ndeps++] = dep;
}

/*
 * A base type and its I/O functions depend on each other: the functions
 * follow the type's shell (CREATE TYPE x;) instead, the type follows them
 * and its shell, as pg_dump's repairTypeFuncLoop does. Other functions on
 * the type still follow the type.
 */
static void
use_shell_types(struct schema *s)
{
	size_t t, j, k, shell;

	for (t = 0; t < s->nnodes; t++) {
		struct node *type = &s->nodes[t];

		if (type->prio != PRIO_TYPE || (shell = schema_find(s, 0, type->objid)) == NO_NODE)
			continue;
		for (j = 0; j < type->ndeps; j++) {
			struct node *f = &s->nodes[type->deps[j]];

			for (k = 0; f->prio == PRIO_FUNCTION && k < f->ndeps; k++)
				if (f->deps[k] == t)
					f->deps[k] = shell;
		}
		add_dep(type, shell);
	}
}

static int
load_edges(struct schema *s, PGconn *conn)
{
	struct strbuf q = STRBUF_INIT;
	PGresult *res = NULL;
	struct mapping *map = NULL;
	size_t nmap = 0;
	int i, rc = -1;

	strbuf_puts(&q, mapping_head);
	if (s->version >= 140000)
		strbuf_puts(&q, mapping_multirange);
	if ((res = pgsql_query(conn, strbuf_str(&q), "cannot read the owners of sub-objects")) == NULL)
		goto out;
	map = xcalloc((size_t)PQntuples(res) + 1, sizeof(*map));
	for (i = 0; i < PQntuples(res); i++) {
		map[nmap].classid = (unsigned int)strtoul(PQgetvalue(res, i, 0), NULL, 10);
		map[nmap].objid = (unsigned int)strtoul(PQgetvalue(res, i, 1), NULL, 10);
		map[nmap].mclass = (unsigned int)strtoul(PQgetvalue(res, i, 2), NULL, 10);
		map[nmap].mobj = (unsigned int)strtoul(PQgetvalue(res, i, 3), NULL, 10);
		nmap++;
	}
	PQclear(res);
	if (nmap > 0)
		qsort(map, nmap, sizeof(*map), cmp_mapping);

	if ((res = pgsql_query(conn, depends_sql, "cannot read dependencies")) == NULL)
		goto out;
	for (i = 0; i < PQntuples(res); i++) {
		size_t from = resolve(s, map, nmap, (unsigned int)strtoul(PQgetvalue(res, i, 0), NULL, 10),
		    (unsigned int)strtoul(PQgetvalue(res, i, 1), NULL, 10));
		size_t to = resolve(s, map, nmap, (unsigned int)strtoul(PQgetvalue(res, i, 2), NULL, 10),
		    (unsigned int)strtoul(PQgetvalue(res, i, 3), NULL, 10));

		if (from != NO_NODE && to != NO_NODE && from != to)
			add_dep(&s->nodes[from], to);
	}
	use_shell_types(s);
	rc = 0;
out:
	PQclear(res);
	free(map);
	strbuf_free(&q);
	return rc;
}

/* Tarjan's strongly connected components, iterative: scc[i] numbers node i's component. */
static void
find_components(const struct schema *s, size_t *scc)
{
	const size_t unvisited = (size_t)-1;
	size_t n = s->nnodes, counter = 0, sp = 0, nscc = 0, root;
	size_t *idx = xcalloc(n, sizeof(*idx)), *low = xcalloc(n, sizeof(*low));
	size_t *stack = xcalloc(n, sizeof(*stack));
	size_t *cs_node = xcalloc(n, sizeof(*cs_node)), *cs_edge = xcalloc(n, sizeof(*cs_edge));
	unsigned char *on = xcalloc(n, 1);

	for (root = 0; root < n; root++)
		idx[root] = unvisited;
	for (root = 0; root < n; root++) {
		size_t csp = 0;

		if (idx[root] != unvisited)
			continue;
		idx[root] = low[root] = counter++;
		stack[sp++] = root;
		on[root] = 1;
		cs_node[csp] = root;
		cs_edge[csp++] = 0;
		while (csp > 0) {
			size_t v = cs_node[csp - 1];

			if (cs_edge[csp - 1] < s->nodes[v].ndeps) {
				size_t w = s->nodes[v].deps[cs_edge[csp - 1]++];

				if (idx[w] == unvisited) {
					idx[w] = low[w] = counter++;
					stack[sp++] = w;
					on[w] = 1;
					cs_node[csp] = w;
					cs_edge[csp++] = 0;
				} else if (on[w] && idx[w] < low[v]) {
					low[v] = idx[w];
				}
				continue;
			}
			if (low[v] == idx[v]) {
				size_t w;

				do {
					w = stack[--sp];
					on[w] = 0;
					scc[w] = nscc;
				} while (w != v);
				nscc++;
			}
			if (--csp > 0 && low[v] < low[cs_node[csp - 1]])
				low[cs_node[csp - 1]] = low[v];
		}
	}
	free(idx);
	free(low);
	free(stack);
	free(cs_node);
	free(cs_edge);
	free(on);
}

static void
warn_loops(const struct schema *s, const size_t *scc)
{
	size_t *size = xcalloc(s->nnodes, sizeof(*size));
	unsigned char *warned = xcalloc(s->nnodes, 1);
	size_t i, j;

	for (i = 0; i < s->nnodes; i++)
		size[scc[i]]++;
	for (i = 0; i < s->nnodes; i++) {
		struct strbuf names = STRBUF_INIT;

		if (size[scc[i]] < 2 || warned[scc[i]])
			continue;
		warned[scc[i]] = 1;
		for (j = i; j < s->nnodes; j++)
			if (scc[j] == scc[i])
				strbuf_printf(&names, "%s%s %s", names.len ? ", " : "", s->nodes[j].kind,
				    s->nodes[j].qualified);
		log_warn("dependency loop among %s: creating them in kind order; the dump may not load",
		    strbuf_str(&names));
		strbuf_free(&names);
	}
	free(size);
	free(warned);
}

/* A binary min-heap of node indexes: the lowest index is next in kind and name order. */
struct heap {
	size_t *v;
	size_t n;
};

static void
heap_push(struct heap *h, size_t x)
{
	size_t i = h->n++;

	while (i > 0 && h->v[(i - 1) / 2] > x) {
		h->v[i] = h->v[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h->v[i] = x;
}

static size_t
heap_pop(struct heap *h)
{
	size_t top = h->v[0], last = h->v[--h->n], i = 0;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= h->n)
			break;
		if (c + 1 < h->n && h->v[c + 1] < h->v[c])
			c++;
		if (last <= h->v[c])
			break;
		h->v[i] = h->v[c];
		i = c;
	}
	if (h->n > 0)
		h->v[i] = last;
	return top;
}

int
schema_sort(struct schema *s, PGconn *conn)
{
	size_t n = s->nnodes, i, j, norder = 0;
	size_t *scc = NULL, *indeg = NULL, *nsucc = NULL, **succ = NULL;
	struct heap ready = { NULL, 0 };
	int rc = -1;

	s->order = xcalloc(n ? n : 1, sizeof(*s->order));
	if (load_edges(s, conn) < 0)
		goto out;
	scc = xcalloc(n ? n : 1, sizeof(*scc));
	find_components(s, scc);
	warn_loops(s, scc);

	/* Kahn's algorithm over the edges between components. */
	indeg = xcalloc(n ? n : 1, sizeof(*indeg));
	nsucc = xcalloc(n ? n : 1, sizeof(*nsucc));
	succ = xcalloc(n ? n : 1, sizeof(*succ));
	for (i = 0; i < n; i++)
		for (j = 0; j < s->nodes[i].ndeps; j++) {
			size_t d = s->nodes[i].deps[j];

			if (scc[d] == scc[i])
				continue;
			succ[d] = xrealloc(succ[d], (nsucc[d] + 1) * sizeof(**succ));
			succ[d][nsucc[d]++] = i;
			indeg[i]++;
		}
	ready.v = xcalloc(n ? n : 1, sizeof(*ready.v));
	for (i = 0; i < n; i++)
		if (indeg[i] == 0)
			heap_push(&ready, i);
	while (ready.n > 0) {
		size_t v = heap_pop(&ready);

		s->order[norder++] = v;
		for (j = 0; j < nsucc[v]; j++)
			if (--indeg[succ[v][j]] == 0)
				heap_push(&ready, succ[v][j]);
	}
	/* The components form a DAG, so every node is reached. */
	if (norder != n) {
		log_error("internal error: the dependency sort placed %zu of %zu objects", norder, n);
		goto out;
	}
	rc = 0;
out:
	for (i = 0; succ != NULL && i < n; i++)
		free(succ[i]);
	free(succ);
	free(nsucc);
	free(indeg);
	free(scc);
	free(ready.v);
	return rc;
}
