-- Record ids sort in byte order ("C" collation) whatever the database's default collation: keyset
-- pagination compares ids in SQL and, when live partner records are merged into a page, in JavaScript;
-- both must agree on the order, or a page could repeat or skip a record.
ALTER TABLE "structures" ALTER COLUMN "id" TYPE TEXT COLLATE "C";
ALTER TABLE "services" ALTER COLUMN "id" TYPE TEXT COLLATE "C";
ALTER TABLE "services" ALTER COLUMN "structure_id" TYPE TEXT COLLATE "C";
