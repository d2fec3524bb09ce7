-- Describes a database object by object, one line each, through the
-- server's own deparsers (pg_get_*def, format_type, pg_get_expr,
-- pg_identify_object), so two databases on the same server compare with
-- diff whatever its major (12 to 18): no pg_dump of that major is needed.
-- Oids never appear; names, definitions, states and data do.
--   psql -X -q -At -v ON_ERROR_STOP=1 -d DB -f tests/lib/catalog-describe.sql
-- Skips system schemas and extension members (CREATE EXTENSION remakes them).
\set QUIET on
\pset pager off
SET client_min_messages = warning;
SET search_path = pg_catalog;
SET row_security = off;
SET extra_float_digits = 3;
SET DateStyle = ISO;

CREATE TEMP VIEW lb_user_nsp AS
  SELECT oid, nspname FROM pg_namespace
   WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname !~ '^pg_(toast|temp|toast_temp)';
CREATE TEMP VIEW lb_ext_member AS
  SELECT classid, objid FROM pg_depend WHERE deptype = 'e';

-- Every object the database holds, by its identity: the inventory
-- catches a kind the queries below do not look at.
SELECT 'object|' || x.type || '|' || coalesce(x.identity, '?')
  FROM (SELECT (pg_identify_object(o.classid, o.objid, 0)).* FROM (
          SELECT 'pg_class'::regclass AS classid, c.oid AS objid FROM pg_class c
           WHERE c.relnamespace IN (SELECT oid FROM lb_user_nsp) AND c.relkind <> 't'
          UNION ALL SELECT 'pg_proc'::regclass, p.oid FROM pg_proc p
           WHERE p.pronamespace IN (SELECT oid FROM lb_user_nsp)
          UNION ALL SELECT 'pg_type'::regclass, t.oid FROM pg_type t
           WHERE t.typnamespace IN (SELECT oid FROM lb_user_nsp)
          UNION ALL SELECT 'pg_constraint'::regclass, co.oid FROM pg_constraint co
           WHERE co.connamespace IN (SELECT oid FROM lb_user_nsp)
          UNION ALL SELECT 'pg_trigger'::regclass, t.oid FROM pg_trigger t
           JOIN pg_class c ON c.oid = t.tgrelid WHERE c.relnamespace IN (SELECT oid FROM lb_user_nsp)
           AND NOT t.tgisinternal
          UNION ALL SELECT 'pg_rewrite'::regclass, r.oid FROM pg_rewrite r
           JOIN pg_class c ON c.oid = r.ev_class WHERE c.relnamespace IN (SELECT oid FROM lb_user_nsp)
          UNION ALL SELECT 'pg_policy'::regclass, p.oid FROM pg_policy p
           JOIN pg_class c ON c.oid = p.polrelid WHERE c.relnamespace IN (SELECT oid FROM lb_user_nsp)
          UNION ALL SELECT 'pg_statistic_ext'::regclass, s.oid FROM pg_statistic_ext s
           WHERE s.stxnamespace IN (SELECT oid FROM lb_user_nsp)
          UNION ALL SELECT 'pg_namespace'::regclass, oid FROM lb_user_nsp
          UNION ALL SELECT 'pg_extension'::regclass, e.oid FROM pg_extension e
          UNION ALL SELECT 'pg_opfamily'::regclass, f.oid FROM pg_opfamily f
           WHERE f.opfnamespace IN (SELECT oid FROM lb_user_nsp)
          UNION ALL SELECT 'pg_opclass'::regclass, c.oid FROM pg_opclass c
           WHERE c.opcnamespace IN (SELECT oid FROM lb_user_nsp)
          UNION ALL SELECT 'pg_ts_parser'::regclass, p.oid FROM pg_ts_parser p
           WHERE p.prsnamespace IN (SELECT oid FROM lb_user_nsp)
          UNION ALL SELECT 'pg_ts_template'::regclass, t.oid FROM pg_ts_template t
           WHERE t.tmplnamespace IN (SELECT oid FROM lb_user_nsp)
          UNION ALL SELECT 'pg_language'::regclass, l.oid FROM pg_language l WHERE l.oid >= 16384
          UNION ALL SELECT 'pg_transform'::regclass, t.oid FROM pg_transform t WHERE t.oid >= 16384
          UNION ALL SELECT 'pg_am'::regclass, a.oid FROM pg_am a WHERE a.oid >= 16384
          UNION ALL SELECT 'pg_foreign_data_wrapper'::regclass, w.oid FROM pg_foreign_data_wrapper w
          UNION ALL SELECT 'pg_foreign_server'::regclass, s.oid FROM pg_foreign_server s
          UNION ALL SELECT 'pg_user_mapping'::regclass, um.umid FROM pg_user_mappings um
          UNION ALL SELECT 'pg_publication'::regclass, p.oid FROM pg_publication p
          UNION ALL SELECT 'pg_publication_rel'::regclass, pr.oid FROM pg_publication_rel pr
          UNION ALL SELECT 'pg_subscription'::regclass, s.oid FROM pg_subscription s
           WHERE s.subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())
          UNION ALL SELECT 'pg_event_trigger'::regclass, e.oid FROM pg_event_trigger e
        ) o WHERE (o.classid, o.objid) NOT IN (SELECT classid, objid FROM lb_ext_member)) x
 ORDER BY 1;

SELECT format('extension|%s|%s|%s', e.extname, n.nspname, e.extversion)
  FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace ORDER BY 1;

-- Relations: kind, persistence, options, partitioning, inheritance, RLS.
SELECT format('relation|%I.%I|%s|%s|%s|toast=%s|%s|%s|%s|%s|%s|%s|%s', n.nspname, c.relname, c.relkind,
         c.relpersistence, c.reloptions, (SELECT t.reloptions FROM pg_class t WHERE t.oid = c.reltoastrelid),
         c.relispartition, pg_get_expr(c.relpartbound, c.oid),
         CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END,
         (SELECT string_agg(i.inhparent::regclass::text, ',' ORDER BY i.inhseqno)
            FROM pg_inherits i WHERE i.inhrelid = c.oid),
         c.relrowsecurity, c.relforcerowsecurity, c.relreplident)
  FROM pg_class c JOIN lb_user_nsp n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'c')
   AND ('pg_class'::regclass, c.oid) NOT IN (SELECT classid, objid FROM lb_ext_member)
 ORDER BY 1;

-- Columns by position among the live ones (a dropped column leaves a
-- hole in attnum that a restore closes). attcompression is 14+ and
-- attstattarget NULL for "default" since 17: read through jsonb.
SELECT format('column|%I.%I|%s|%I|%s|%s|notnull=%s|default=%s|identity=%s|generated=%s|storage=%s|stats=%s|options=%s|compression=%s|local=%s|inh=%s|fdwoptions=%s',
         n.nspname, c.relname,
         row_number() OVER (PARTITION BY c.oid ORDER BY a.attnum), a.attname,
         format_type(a.atttypid, a.atttypmod),
         CASE WHEN a.attcollation <> 0 THEN (SELECT collname FROM pg_collation WHERE oid = a.attcollation) END,
         a.attnotnull, pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated,
         a.attstorage, coalesce(nullif(to_jsonb(a)->>'attstattarget', '-1'), 'default'), a.attoptions,
         to_jsonb(a)->>'attcompression', a.attislocal, a.attinhcount, a.attfdwoptions)
  FROM pg_class c JOIN lb_user_nsp n ON n.oid = c.relnamespace
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'c')
   AND ('pg_class'::regclass, c.oid) NOT IN (SELECT classid, objid FROM lb_ext_member)
 ORDER BY 1;

-- Constraints of tables and domains, as the server prints them (NOT
-- VALID, NOT ENFORCED, DEFERRABLE, NO INHERIT included). The not-null
-- constraints of 18 are rows here too. connoinherit means something for
-- CHECK and NOT NULL only (a partition's key added with ONLY sets it, as
-- pg_dump's does).
SELECT format('constraint|%s|%I|%s|%s|validated=%s|local=%s|inh=%s|noinherit=%s',
         CASE WHEN co.conrelid <> 0 THEN co.conrelid::regclass::text ELSE 'domain ' || co.contypid::regtype::text END,
         co.conname, co.contype, pg_get_constraintdef(co.oid), co.convalidated, co.conislocal,
         co.coninhcount, CASE WHEN co.contype IN ('c', 'n') THEN co.connoinherit END)
  FROM pg_constraint co JOIN lb_user_nsp n ON n.oid = co.connamespace
 WHERE ('pg_type'::regclass, co.contypid) NOT IN (SELECT classid, objid FROM lb_ext_member)
 ORDER BY 1;

SELECT format('index|%s|%s|clustered=%s|replident=%s|valid=%s', i.indrelid::regclass, pg_get_indexdef(i.indexrelid),
         i.indisclustered, i.indisreplident, i.indisvalid)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN lb_user_nsp n ON n.oid = c.relnamespace
 WHERE ('pg_class'::regclass, i.indrelid) NOT IN (SELECT classid, objid FROM lb_ext_member)
 ORDER BY 1;

SELECT format('view|%I.%I|%s|populated=%s|%s', n.nspname, c.relname, c.relkind, c.relispopulated,
         pg_get_viewdef(c.oid))
  FROM pg_class c JOIN lb_user_nsp n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('v', 'm') AND ('pg_class'::regclass, c.oid) NOT IN (SELECT classid, objid FROM lb_ext_member)
 ORDER BY 1;

-- Functions and procedures (aggregates have no pg_get_functiondef).
SELECT format('function|%s|%s|%s', p.oid::regprocedure, p.prokind,
         CASE WHEN p.prokind <> 'a' THEN pg_get_functiondef(p.oid) END)
  FROM pg_proc p JOIN lb_user_nsp n ON n.oid = p.pronamespace
 WHERE ('pg_proc'::regclass, p.oid) NOT IN (SELECT classid, objid FROM lb_ext_member)
 ORDER BY 1;

-- Aggregates: every support function and option (regproc and format_type
-- print names, not oids), the signature with its ORDER BY, PARALLEL.
SELECT format('aggregate|%s(%s)|parallel=%s|sortop=%s|stype=%s|mstype=%s|%s', p.oid::regproc,
         pg_get_function_arguments(p.oid), p.proparallel, a.aggsortop::regoperator,
         format_type(a.aggtranstype, NULL), format_type(a.aggmtranstype, NULL),
         to_jsonb(a) - 'aggfnoid' - 'aggsortop' - 'aggtranstype' - 'aggmtranstype')
  FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid JOIN lb_user_nsp n ON n.oid = p.pronamespace
 WHERE ('pg_proc'::regclass, p.oid) NOT IN (SELECT classid, objid FROM lb_ext_member)
 ORDER BY 1;

-- Collations: provider, determinism, locales and rules, whatever the
-- major names their columns.
SELECT format('collation|%I.%I|%s', n.nspname, c.collname,
         to_jsonb(c) - 'oid' - 'collnamespace' - 'collowner')
  FROM pg_collation c JOIN lb_user_nsp n ON n.oid = c.collnamespace
 WHERE ('pg_collation'::regclass, c.oid) NOT IN (SELECT classid, objid FROM lb_ext_member)
 ORDER BY 1;

-- Casts made by users: types, function, context, method.
SELECT format('cast|%s|%s|%s|%s|%s', format_type(c.castsource, NULL), format_type(c.casttarget, NULL),
         c.castfunc::regprocedure, c.castcontext, c.castmethod)
  FROM pg_cast c WHERE c.oid >= 16384
   AND ('pg_cast'::regclass, c.oid) NOT IN (SELECT classid, objid FROM lb_ext_member)
 ORDER BY 1;

-- Operators: function, commutator, negator, flags, selectivity.
SELECT format('operator|%s|%s|%s|com=%s|neg=%s|merges=%s|hashes=%s|%s|%s', o.oid::regoperator, o.oprkind,
         o.oprcode::regproc, o.oprcom::regoperator, o.oprnegate::regoperator, o.oprcanmerge, o.oprcanhash,
         o.oprrest::regproc, o.oprjoin::regproc)
  FROM pg_operator o JOIN lb_user_nsp n ON n.oid = o.oprnamespace
 WHERE ('pg_operator'::regclass, o.oid) NOT IN (SELECT classid, objid FROM lb_ext_member)
 ORDER BY 1;

-- Conversions.
SELECT format('conversion|%I.%I|%s|%s|%s|default=%s', n.nspname, c.conname, pg_encoding_to_char(c.conforencoding),
         pg_encoding_to_char(c.contoencoding), c.conproc, c.condefault)
  FROM pg_conversion c JOIN lb_user_nsp n ON n.oid = c.connamespace
 WHERE ('pg_conversion'::regclass, c.oid) NOT IN (SELECT classid, objid FROM lb_ext_member)
 ORDER BY 1;

-- Text search dictionaries (template, options) and configurations
-- (parser, every mapping in order).
SELECT format('tsdict|%I.%I|%I.%I|%s', n.nspname, d.dictname, tn.nspname, t.tmplname, d.dictinitoption)
  FROM pg_ts_dict d JOIN lb_user_nsp n ON n.oid = d.dictnamespace
  JOIN pg_ts_template t ON t.oid = d.dicttemplate JOIN pg_namespace tn ON tn.oid = t.tmplnamespace
 WHERE ('pg_ts_dict'::regclass, d.oid) NOT IN (SELECT classid, objid FROM lb_ext_member)
 ORDER BY 1;

SELECT format('tsconfig|%I.%I|%s|%s', n.nspname, c.cfgname, p.prsname,
         (SELECT string_agg(m.maptokentype || ':' || m.mapdict::regdictionary::text, ','
                 ORDER BY m.maptokentype, m.mapseqno) FROM pg_ts_config_map m WHERE m.mapcfg = c.oid))
  FROM pg_ts_config c JOIN lb_user_nsp n ON n.oid = c.cfgnamespace JOIN pg_ts_parser p ON p.oid = c.cfgparser
 WHERE ('pg_ts_config'::regclass, c.oid) NOT IN (SELECT classid, objid FROM lb_ext_member)
 ORDER BY 1;

-- Operator families with every member (operators and their sort family,
-- functions and their types), each with what holds it: its class or the
-- family itself (a loose member); then the classes.
SELECT format('opfamily|%I.%I|%s|%s', n.nspname, f.opfname, am.amname,
         (SELECT string_agg(m.item, ',' ORDER BY m.item) FROM (
            SELECT format('op %s %s %s %s %s', o.amopstrategy, o.amopopr::regoperator, o.amoppurpose,
                     (SELECT sf.opfname FROM pg_opfamily sf WHERE sf.oid = o.amopsortfamily),
                     (SELECT string_agg(pg_describe_object(d.refclassid, d.refobjid, 0), ';') FROM pg_depend d
                       WHERE d.classid = 'pg_amop'::regclass AND d.objid = o.oid
                         AND d.refclassid IN ('pg_opclass'::regclass, 'pg_opfamily'::regclass))) AS item
              FROM pg_amop o WHERE o.amopfamily = f.oid
            UNION ALL
            SELECT format('proc %s %s %s %s %s', p.amprocnum, p.amproclefttype::regtype, p.amprocrighttype::regtype,
                     p.amproc::regprocedure,
                     (SELECT string_agg(pg_describe_object(d.refclassid, d.refobjid, 0), ';') FROM pg_depend d
                       WHERE d.classid = 'pg_amproc'::regclass AND d.objid = p.oid
                         AND d.refclassid IN ('pg_opclass'::regclass, 'pg_opfamily'::regclass)))
              FROM pg_amproc p WHERE p.amprocfamily = f.oid) m))
  FROM pg_opfamily f JOIN lb_user_nsp n ON n.oid = f.opfnamespace JOIN pg_am am ON am.oid = f.opfmethod
 WHERE ('pg_opfamily'::regclass, f.oid) NOT IN (SELECT classid, objid FROM lb_ext_member)
 ORDER BY 1;

SELECT format('opclass|%I.%I|%s|default=%s|%s|storage=%s|%s', n.nspname, c.opcname, am.amname, c.opcdefault,
         c.opcintype::regtype, c.opckeytype::regtype, pg_describe_object('pg_opfamily'::regclass, c.opcfamily, 0))
  FROM pg_opclass c JOIN lb_user_nsp n ON n.oid = c.opcnamespace JOIN pg_am am ON am.oid = c.opcmethod
 WHERE ('pg_opclass'::regclass, c.oid) NOT IN (SELECT classid, objid FROM lb_ext_member)
 ORDER BY 1;

-- Text search parsers and templates: their functions.
SELECT format('tsparser|%I.%I|%s|%s|%s|%s|%s', n.nspname, p.prsname, p.prsstart, p.prstoken, p.prsend,
         p.prsheadline, p.prslextype)
  FROM pg_ts_parser p JOIN lb_user_nsp n ON n.oid = p.prsnamespace
 WHERE ('pg_ts_parser'::regclass, p.oid) NOT IN (SELECT classid, objid FROM lb_ext_member)
 ORDER BY 1;

SELECT format('tstemplate|%I.%I|%s|%s', n.nspname, t.tmplname, t.tmplinit, t.tmpllexize)
  FROM pg_ts_template t JOIN lb_user_nsp n ON n.oid = t.tmplnamespace
 WHERE ('pg_ts_template'::regclass, t.oid) NOT IN (SELECT classid, objid FROM lb_ext_member)
 ORDER BY 1;

-- Procedural languages made by users: trust and functions; transforms.
SELECT format('language|%I|trusted=%s|pl=%s|%s|%s|%s', l.lanname, l.lanpltrusted, l.lanispl,
         l.lanplcallfoid::regprocedure, l.laninline::regprocedure, l.lanvalidator::regprocedure)
  FROM pg_language l WHERE l.oid >= 16384
   AND ('pg_language'::regclass, l.oid) NOT IN (SELECT classid, objid FROM lb_ext_member)
 ORDER BY 1;

SELECT format('transform|%s|%s|%s|%s', format_type(t.trftype, NULL), l.lanname, t.trffromsql::regprocedure,
         t.trftosql::regprocedure)
  FROM pg_transform t JOIN pg_language l ON l.oid = t.trflang WHERE t.oid >= 16384
   AND ('pg_transform'::regclass, t.oid) NOT IN (SELECT classid, objid FROM lb_ext_member)
 ORDER BY 1;

-- Access methods made by users, and the relations not on heap.
SELECT format('am|%I|%s|%s', a.amname, a.amtype, a.amhandler)
  FROM pg_am a WHERE a.oid >= 16384 AND ('pg_am'::regclass, a.oid) NOT IN (SELECT classid, objid FROM lb_ext_member)
 ORDER BY 1;

SELECT format('relam|%I.%I|%s', n.nspname, c.relname, a.amname)
  FROM pg_class c JOIN lb_user_nsp n ON n.oid = c.relnamespace JOIN pg_am a ON a.oid = c.relam
 WHERE c.relkind IN ('r', 'p', 'm') AND a.amname <> 'heap'
   AND ('pg_class'::regclass, c.oid) NOT IN (SELECT classid, objid FROM lb_ext_member)
 ORDER BY 1;

-- Base and shell types: every option (the I/O functions by name).
SELECT format('basetype|%I.%I|elem=%s|%s', n.nspname, t.typname, format_type(t.typelem, NULL),
         to_jsonb(t) - 'oid' - 'typnamespace' - 'typowner' - 'typrelid' - 'typarray' - 'typelem' - 'typacl')
  FROM pg_type t JOIN lb_user_nsp n ON n.oid = t.typnamespace
 WHERE (t.typtype = 'b' OR NOT t.typisdefined)
   AND NOT EXISTS (SELECT 1 FROM pg_type e WHERE e.oid = t.typelem AND e.typarray = t.oid)
   AND ('pg_type'::regclass, t.oid) NOT IN (SELECT classid, objid FROM lb_ext_member)
 ORDER BY 1;

-- Types: enums in sort order, domains, composites' fields, ranges.
SELECT format('type|%I.%I|%s|%s|%s|%s|%s', n.nspname, t.typname, t.typtype,
         CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END,
         pg_get_expr(t.typdefaultbin, 0), t.typnotnull,
         CASE t.typtype
           WHEN 'e' THEN (SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)
                            FROM pg_enum e WHERE e.enumtypid = t.oid)
           WHEN 'r' THEN (SELECT format('%s %s %s %s', format_type(r.rngsubtype, NULL),
                            r.rngsubdiff::regproc, r.rngcanonical::regproc, r.rngcollation <> 0)
                            FROM pg_range r WHERE r.rngtypid = t.oid)
         END)
  FROM pg_type t JOIN lb_user_nsp n ON n.oid = t.typnamespace
 WHERE t.typtype IN ('e', 'd', 'r', 'c', 'b', 'm')
   AND ('pg_type'::regclass, t.oid) NOT IN (SELECT classid, objid FROM lb_ext_member)
   AND (t.typrelid = 0 OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')
 ORDER BY 1;

SELECT format('sequence|%I.%I|%s|%s|%s|%s|%s|%s|%s|%s|owned=%s', n.nspname, c.relname, c.relpersistence,
         format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle,
         (SELECT format('%s.%s', d.refobjid::regclass, a.attname) FROM pg_depend d
            JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
           WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.refobjsubid > 0
             AND d.deptype IN ('a', 'i')))
  FROM pg_class c JOIN lb_user_nsp n ON n.oid = c.relnamespace JOIN pg_sequence s ON s.seqrelid = c.oid
 ORDER BY 1;

SELECT format('trigger|%s|enabled=%s', pg_get_triggerdef(t.oid), t.tgenabled)
  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN lb_user_nsp n ON n.oid = c.relnamespace
 WHERE NOT t.tgisinternal ORDER BY 1;

SELECT format('rule|%s|enabled=%s', pg_get_ruledef(r.oid), r.ev_enabled)
  FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class JOIN lb_user_nsp n ON n.oid = c.relnamespace
 WHERE r.rulename <> '_RETURN' ORDER BY 1;

SELECT format('policy|%s|%I|%s|%s|%s|%s|%s', p.polrelid::regclass, p.polname, p.polcmd, p.polpermissive,
         p.polroles::regrole[], pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid))
  FROM pg_policy p ORDER BY 1;

SELECT format('statistics|%s|%s', pg_get_statisticsobjdef(s.oid),
         coalesce(nullif(to_jsonb(s)->>'stxstattarget', '-1'), 'default'))
  FROM pg_statistic_ext s JOIN lb_user_nsp n ON n.oid = s.stxnamespace
 WHERE ('pg_statistic_ext'::regclass, s.oid) NOT IN (SELECT classid, objid FROM lb_ext_member)
 ORDER BY 1;

SELECT format('comment|%s|%s|%s', x.type, x.identity, d.description)
  FROM pg_description d, LATERAL pg_identify_object(d.classoid, d.objoid, d.objsubid) x
 WHERE d.objoid >= 16384 AND (d.classoid, d.objoid) NOT IN (SELECT classid, objid FROM lb_ext_member)
 ORDER BY 1;

-- Foreign-data wrappers, servers, user mappings (pg_user_mappings shows
-- the options to a superuser) and foreign tables, options in their order.
SELECT format('fdw|%I|%s|%s|%s', w.fdwname, w.fdwhandler::regproc, w.fdwvalidator::regproc, w.fdwoptions)
  FROM pg_foreign_data_wrapper w
 WHERE ('pg_foreign_data_wrapper'::regclass, w.oid) NOT IN (SELECT classid, objid FROM lb_ext_member)
 ORDER BY 1;

SELECT format('server|%I|%I|%s|%s|%s', s.srvname, w.fdwname, s.srvtype, s.srvversion, s.srvoptions)
  FROM pg_foreign_server s JOIN pg_foreign_data_wrapper w ON w.oid = s.srvfdw
 WHERE ('pg_foreign_server'::regclass, s.oid) NOT IN (SELECT classid, objid FROM lb_ext_member)
 ORDER BY 1;

SELECT format('user mapping|%I|%s|%s', um.srvname, um.usename, um.umoptions)
  FROM pg_user_mappings um ORDER BY 1;

SELECT format('foreign table|%s|%I|%s', ft.ftrelid::regclass, s.srvname, ft.ftoptions)
  FROM pg_foreign_table ft JOIN pg_foreign_server s ON s.oid = ft.ftserver ORDER BY 1;

-- Publications (options through jsonb: they differ by major), their
-- tables with column lists and row filters (15+), schemas (15+);
-- subscriptions of this database, every option; event triggers.
SELECT current_setting('server_version_num')::int >= 150000 AS lb_pg15 \gset
SELECT format('publication|%I|%s', p.pubname, to_jsonb(p) - 'oid' - 'pubname' - 'pubowner')
  FROM pg_publication p ORDER BY 1;

\if :lb_pg15
SELECT format('publication table|%I|%s|%s|%s', p.pubname, pr.prrelid::regclass,
         (SELECT string_agg(a.attname, ',' ORDER BY k.o) FROM unnest(pr.prattrs::int2[]) WITH ORDINALITY k(num, o)
            JOIN pg_attribute a ON a.attrelid = pr.prrelid AND a.attnum = k.num),
         pg_get_expr(pr.prqual, pr.prrelid))
  FROM pg_publication_rel pr JOIN pg_publication p ON p.oid = pr.prpubid ORDER BY 1;
SELECT format('publication schema|%I|%I', p.pubname, n.nspname)
  FROM pg_publication_namespace pn JOIN pg_publication p ON p.oid = pn.pnpubid
  JOIN pg_namespace n ON n.oid = pn.pnnspid ORDER BY 1;
\else
SELECT format('publication table|%I|%s', p.pubname, pr.prrelid::regclass)
  FROM pg_publication_rel pr JOIN pg_publication p ON p.oid = pr.prpubid ORDER BY 1;
\endif

SELECT format('subscription|%I|%s', s.subname, to_jsonb(s) - 'oid' - 'subdbid' - 'subowner' - 'subname')
  FROM pg_subscription s WHERE s.subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())
 ORDER BY 1;

SELECT format('event trigger|%I|%s|%s|%s|%s', e.evtname, e.evtevent, e.evtfoid::regproc, e.evtenabled, e.evttags)
  FROM pg_event_trigger e
 WHERE ('pg_event_trigger'::regclass, e.oid) NOT IN (SELECT classid, objid FROM lb_ext_member)
 ORDER BY 1;

-- Privileges on pg_catalog's objects that differ from initdb's (pg_init_privs).
SELECT format('catalog acl|%s|%s|%s', o.kind, o.name, o.acl)
  FROM (SELECT 'relation' AS kind, c.oid::regclass::text AS name, 0 AS sub, c.relacl AS acl,
               'pg_class'::regclass AS cls, c.oid AS obj
          FROM pg_class c WHERE c.relnamespace = 'pg_catalog'::regnamespace
        UNION ALL SELECT 'column', format('%s.%I', a.attrelid::regclass, a.attname), a.attnum, a.attacl,
               'pg_class'::regclass, a.attrelid
          FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
         WHERE c.relnamespace = 'pg_catalog'::regnamespace AND a.attacl IS NOT NULL
        UNION ALL SELECT 'function', p.oid::regprocedure::text, 0, p.proacl, 'pg_proc'::regclass, p.oid
          FROM pg_proc p WHERE p.pronamespace = 'pg_catalog'::regnamespace
        UNION ALL SELECT 'type', t.oid::regtype::text, 0, t.typacl, 'pg_type'::regclass, t.oid
          FROM pg_type t WHERE t.typnamespace = 'pg_catalog'::regnamespace
        UNION ALL SELECT 'schema', n.nspname, 0, n.nspacl, 'pg_namespace'::regclass, n.oid
          FROM pg_namespace n WHERE n.nspname = 'pg_catalog') o
 WHERE o.acl IS DISTINCT FROM (SELECT ip.initprivs FROM pg_init_privs ip
                                WHERE ip.classoid = o.cls AND ip.objoid = o.obj AND ip.objsubid = o.sub)
 ORDER BY 1;

-- Data: rows and a content hash per table; sequence positions.
SELECT format('SELECT %L || count(*) || ''|'' || md5(coalesce(string_agg(lb_r::text, E''\n'' ORDER BY lb_r::text), '''')) FROM ONLY %I.%I lb_r',
         format('rows|%I.%I|', n.nspname, c.relname), n.nspname, c.relname)
  FROM pg_class c JOIN lb_user_nsp n ON n.oid = c.relnamespace
 WHERE (c.relkind IN ('r', 'p') OR (c.relkind = 'm' AND c.relispopulated))
   AND ('pg_class'::regclass, c.oid) NOT IN (SELECT classid, objid FROM lb_ext_member)
 ORDER BY n.nspname COLLATE "C", c.relname COLLATE "C" \gexec

SELECT format('SELECT %L || last_value || ''|'' || is_called FROM %I.%I',
         format('seqval|%I.%I|', n.nspname, c.relname), n.nspname, c.relname)
  FROM pg_class c JOIN lb_user_nsp n ON n.oid = c.relnamespace
 WHERE c.relkind = 'S' ORDER BY n.nspname COLLATE "C", c.relname COLLATE "C" \gexec

-- Large objects: owner, size and a hash of the data (privileges, like
-- the other kinds', only with --privileges: 024-large-objects.sh).
SELECT format('large object|%s|%s|%s|%s', l.oid, pg_get_userbyid(l.lomowner),
         length(lo_get(l.oid)), md5(lo_get(l.oid)))
  FROM pg_largeobject_metadata l ORDER BY l.oid;
