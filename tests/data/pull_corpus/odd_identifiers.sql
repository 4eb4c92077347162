-- Names that must be escaped in TypeScript strings, templates, comments and markdown.
CREATE TABLE "order" ("select" INTEGER PRIMARY KEY, "from" TEXT, "user id" TEXT, "userId" TEXT, "it's" TEXT, "quote""d" TEXT);
CREATE TABLE "we`ird ${x} */ <b>name</b>" ("ünïcødé" TEXT, "back\slash" TEXT, "new
line" TEXT, "2col" INTEGER);
CREATE TABLE "Index" (id INTEGER PRIMARY KEY, "order_select" INTEGER REFERENCES "order"("select"));
CREATE INDEX "idx `$` */" ON "we`ird ${x} */ <b>name</b>" ("ünïcødé" DESC, "back\slash");
CREATE INDEX "order by" ON "order" ("from") WHERE "it's" = 'it''s';
CREATE TABLE "ünïcødé ${x} */ <b>" ("ünïcødé" TEXT NOT NULL DEFAULT 'ü', "back\slash" TEXT DEFAULT 'a\b', "new
line" TEXT, "2col" INTEGER, "$dollar" TEXT CHECK ("$dollar" <> '${y}'), "Über" TEXT, "über" TEXT);
CREATE INDEX "idx ${x} */ \" ON "ünïcødé ${x} */ <b>" ("ünïcødé" DESC, "back\slash") WHERE "new
line" IS NOT NULL;
