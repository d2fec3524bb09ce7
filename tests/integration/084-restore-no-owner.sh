#!/usr/bin/env bash
# restore --no-owner (-O, as pg_restore's): an old script's dump (pg_dump |
# gzip, objects owned by postgres) restored by a plain role that owns the
# target database. Without the option the first ALTER ... OWNER TO stops
# the load and nothing stays (all or nothing); with it the owner
# statements are passed over and the restoring role owns what it creates.
set -u
. "$LB_TOP/tests/lib/testlib.sh"

src=$(new_db lb_noowner_src) || { fail noowner-setup createdb; finish; }
psql -X -q -v ON_ERROR_STOP=1 -d "$src" >/dev/null <<'SQL' || fail noowner-setup "source schema"
CREATE TABLE public.accounts (id int PRIMARY KEY, email text NOT NULL);
INSERT INTO public.accounts SELECT g, 'u' || g || '@example.com' FROM generate_series(1, 300) g;
CREATE VIEW public.account_emails AS SELECT email FROM public.accounts;
CREATE FUNCTION public.n_accounts() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM public.accounts';
SQL
work=$(tmpdir)
old=$work/lot-systems-db-$(date -u -d '20 days ago' +%Y-%m-%dT%H-%M-%S).sql.gz
pg_dump -d "$src" | gzip >"$old"
grep -q 'OWNER TO postgres' <(gunzip -c "$old") && pass noowner-dump-has-owners || fail noowner-dump-has-owners "no OWNER TO"

# The target belongs to the plain role; it restores as itself, by password.
dst=lb_noowner_dst
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $dst" -c "CREATE DATABASE $dst OWNER lb_pw" >/dev/null
export PGPASSWORD=$LB_TEST_PASSWORD
check_exit noowner-plain-role-refused 1 "$LB_BIN" restore "$old" -U lb_pw -d "$dst"
grep -q 'OWNER TO' <<<"$LB_LAST_OUTPUT" && pass noowner-refusal-names-statement ||
	fail noowner-refusal-names-statement "$LB_LAST_OUTPUT"
psql -X -q -d postgres -c "DROP DATABASE $dst" -c "CREATE DATABASE $dst OWNER lb_pw" >/dev/null

check noowner-restores "$LB_BIN" restore "$old" --no-owner -U lb_pw -d "$dst"
got=$(psql -X -At -d "$dst" -c "SELECT count(*), (SELECT string_agg(DISTINCT r.rolname, ',') FROM pg_class c
	JOIN pg_roles r ON r.oid = c.relowner WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r','v'))
	FROM public.accounts")
[ "$got" = "300|lb_pw" ] && pass noowner-owned-by-restorer || fail noowner-owned-by-restorer "$got"
fo=$(psql -X -At -d "$dst" -c "SELECT proowner::regrole FROM pg_proc WHERE proname = 'n_accounts'")
[ "$fo" = lb_pw ] && pass noowner-function-owner || fail noowner-function-owner "$fo"
unset PGPASSWORD

# -O is the short form, as pg_restore's; other commands refuse it.
check_exit noowner-db-refuses 2 "$LB_BIN" db --no-owner -d "dbname=$src" -o "$work/x"
"$LB_BIN" restore --help | grep -q -- '-O, --no-owner' && pass noowner-help || fail noowner-help "not in restore --help"
finish
