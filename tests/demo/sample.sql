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
CREATE TABLE "_prisma_migrations" (
  id varchar(36) PRIMARY KEY,
  migration_name varchar(255) NOT NULL,
  finished_at timestamptz
);
INSERT INTO "User" (email, name, role, "createdAt")
SELECT 'user' || g || '@example.com', 'User ' || g, CASE WHEN g % 10 = 0 THEN 'ADMIN' ELSE 'USER' END::"Role",
       timestamptz '2026-01-01 00:00:00+00' + g * interval '1 hour'
FROM generate_series(1, 500) g;
INSERT INTO "Post" ("authorId", title, body, meta)
SELECT 1 + g % 500, 'Post ' || g, repeat('lorem ipsum ', g % 20), jsonb_build_object('views', g)
FROM generate_series(1, 5000) g;
INSERT INTO "_prisma_migrations" VALUES ('00000000-0000-0000-0000-000000000001', '20260101000000_init', '2026-01-01');
