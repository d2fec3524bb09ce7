#ifndef LOTBACKUP_MANIFEST_H
#define LOTBACKUP_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "store/selection.h"

/*
 * The sidecar NAME.sql.gz.manifest.json written beside every db dump: what
 * was dumped and how to prove the file is whole (size and SHA-256 of the
 * compressed file, rows per table). Written with jansson, never by hand.
 */
struct manifest_table {
	char *schema;
	char *name;
	char *qualified;	/* exactly as in the dump's COPY line */
	long long rows;
	uint64_t data_bytes;	/* bytes of COPY text */
	uint32_t data_crc32;	/* CRC-32 of the COPY text, to compare a restored copy with */
	/*
	 * Where the table's COPY block lies in the compressed file: whole gzip
	 * members from gz_offset, gz_length bytes, so a restore can load
	 * several tables at once. gz_length 0: not known (older manifests).
	 */
	uint64_t gz_offset;
	uint64_t gz_length;
};

/*
 * A migration tool's ledger as the dump found it (migrate/ledger.h): the
 * tool, its table, and what it records as applied, oldest first.
 */
struct manifest_ledger {
	char *tool;		/* "sequelize", "prisma", "knex", "rails", "golang-migrate", "flyway", "alembic" */
	char *table;		/* schema-qualified, quoted as SQL needs */
	int head_only;		/* the ledger keeps only the newest applied (golang-migrate, alembic) */
	char **applied;
	size_t napplied;
};

struct db_manifest {
	char *file;		/* base name of the dump */
	char *tool_version;
	char *server_version;
	char *database;
	char *encoding;		/* the database's; COPY text is in it */
	char *started_at;	/* ISO-8601 UTC */
	char *finished_at;
	char *snapshot;		/* txid_current_snapshot() of the dump's transaction */
	int compress_level;
	uint64_t bytes;		/* the file's size as stored */
	uint64_t sql_bytes;	/* uncompressed SQL size */
	char sha256[65];	/* of the file as stored */
	/*
	 * An encrypted dump (NAME.sql.gz.enc, crypt/crypt.h): its key kind
	 * ("key-file" or "passphrase") and fingerprint, never the key; NULL:
	 * not encrypted. bytes and sha256 above are then the ciphertext's, so
	 * a copy anywhere (off-site too) can be checked without the key;
	 * gz_offset and gz_length stay offsets in the gzip stream inside.
	 */
	char *encryption_key;
	char *key_fingerprint;
	struct manifest_table *tables;
	size_t ntables;
	long long large_objects;	/* lo_create statements in the dump */
	uint64_t large_object_bytes;	/* their data */
	struct manifest_ledger *ledgers;	/* migration ledgers found (optional) */
	size_t nledgers;
	/*
	 * db --globals: the roles and tablespaces file beside the dump
	 * (dump/dump-globals.h), its size, SHA-256 and what it holds;
	 * globals_file NULL: none.
	 */
	char *globals_file;
	uint64_t globals_bytes;
	char globals_sha256[65];
	long long globals_roles;
	long long globals_tablespaces;
	/* What the dump leaves out on purpose (db -n/-t/-T/...); all zero: the whole database. */
	struct db_selection selection;
};

struct manifest_table *manifest_add_table(struct db_manifest *m, const char *schema,
    const char *name, const char *qualified, long long rows);
/*
 * A name as the manifest stores it: itself when valid UTF-8, else with each
 * byte >= 0x80 written \xNN (and \ as \\), so names from LATIN1 or SQL_ASCII
 * databases survive JSON. Compare dump names through it too (caller frees).
 */
char *manifest_name(const char *s);
/*
 * Whether W names table T as an operator writes it: as the dump's COPY line
 * does (public."Audit Log"), schema.name unquoted, the name alone, quoted
 * ("Audit Log") or not.
 */
int manifest_table_named(const struct manifest_table *t, const char *w);
/* Serialises to JSON text (caller frees). */
char *manifest_to_json(const struct db_manifest *m);
/*
 * The "encryption" object of a dump's manifest and of an encrypted full
 * archive's sidecar: KEY is the key's kind ("key-file" or "passphrase"),
 * FINGERPRINT its fingerprint; never the key itself.
 */
struct json_t *manifest_encryption_json(const char *key, const char *fingerprint);
/* Parses manifest JSON; -1 with a message naming the missing/bad field in err. */
int manifest_parse(const char *text, size_t len, struct db_manifest *m, char *err, size_t errlen);
/*
 * Reads DUMP_PATH's sidecar manifest: 0 read, 1 missing, 2 not a valid
 * manifest (why in err), -1 cannot be read (reported). *mpath_out, when
 * asked for, is the manifest's path (caller frees).
 */
int manifest_read(const char *dump_path, struct db_manifest *m, char **mpath_out, char *err, size_t errlen);
/*
 * What list shows of a dump, from its sidecar manifest: *database (when
 * asked; NULL when not known, caller frees) and *sel, what a partial dump
 * leaves out (empty for a whole one; selection_free). The tables are not
 * taken in, and a manifest with no "selection" in its text is not parsed
 * at all unless the database is asked for. 0, or 1: no usable manifest.
 */
int manifest_read_brief(const char *dump_path, char **database, struct db_selection *sel);
void manifest_free(struct db_manifest *m);
/* The "migrations" array of a manifest (full's MANIFEST.json adds drift to it). */
struct json_t *manifest_ledgers_json(const struct manifest_ledger *l, size_t n);
void manifest_ledgers_free(struct manifest_ledger *l, size_t n);

#endif
