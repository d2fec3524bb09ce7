-- A small application database in the shape the product uses (Prisma-style
-- quoted names, an enum, jsonb, a foreign key, a migrations table).
CREATE TYPE "Role" AS ENUM ('USER', 'ADMIN');
CREATE TABLE "User" (
  id serial PRIMARY KEY,
  email text NOT NULL UNIQUE,
  name text,
  role "Role" NOT NULL DEFAULT 'USER',
  "createdAt" timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE "Post" (
  id serial PRIMARY KEY,
  "authorId" integer NOT NULL REFERENCES "User"(id) ON DELETE CASCADE,
  title text NOT NULL,
  body text,
  meta jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX "Post_authorId_idx" ON "Post"("authorId");
-- Prisma's own ledger shape (prisma migrate creates exactly these columns).
CREATE TABLE "_prisma_migrations" (
  id varchar(36) PRIMARY KEY,
  checksum varchar(64) NOT NULL,
  finished_at timestamptz,
  migration_name varchar(255) NOT NULL,
  logs text,
  rolled_back_at timestamptz,
  started_at timestamptz NOT NULL DEFAULT now(),
  applied_steps_count integer NOT NULL DEFAULT 0
);
INSERT INTO "User" (email, name, role, "createdAt")
SELECT 'user' || g || '@example.com', 'User ' || g, CASE WHEN g % 10 = 0 THEN 'ADMIN' ELSE 'USER' END::"Role",
       timestamptz '2026-01-01 00:00:00+00' + g * interval '1 hour'
FROM generate_series(1, 500) g;
INSERT INTO "Post" ("authorId", title, body, meta)
SELECT 1 + g % 500, 'Post ' || g, repeat('lorem ipsum ', g % 20), jsonb_build_object('views', g)
FROM generate_series(1, 5000) g;
INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
VALUES ('00000000-0000-0000-0000-000000000001', repeat('0', 64), '2026-01-01', '20260101000000_init', '2026-01-01', 1);
