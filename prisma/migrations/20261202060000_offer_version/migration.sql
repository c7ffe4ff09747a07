-- The offer's version: a number that grows with every committed transaction that wrote structures, services or
-- sources (src/store/offer-version.ts). What is computed from the offer can be kept under the version it was
-- computed at, and is fresh while the version has not moved: searchServices keeps the number of remote services
-- per filter so (src/store/search-query.ts).
--
-- Bumped once per writing transaction, at its commit: a deferred constraint trigger runs just before the
-- commit, so the row lock it takes is held for no longer than the commit itself (concurrent writers never wait
-- on each other mid-transaction, and cannot deadlock on it), and `writer_xid` makes every row after the first
-- a no-op. A reader reads the version in the same statement (the same snapshot) as what it computes.

-- CreateTable
CREATE TABLE "offer_version" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "version" BIGINT NOT NULL DEFAULT 0,
    "writer_xid" BIGINT,

    CONSTRAINT "offer_version_pkey" PRIMARY KEY ("id")
);

INSERT INTO "offer_version" ("id", "version") VALUES (1, 0);

CREATE FUNCTION "bump_offer_version"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "offer_version" SET "version" = "version" + 1, "writer_xid" = pg_current_xact_id()::text::bigint
    WHERE "id" = 1 AND "writer_xid" IS DISTINCT FROM pg_current_xact_id()::text::bigint;
  RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER "services_offer_version" AFTER INSERT OR UPDATE OR DELETE ON "services"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "bump_offer_version"();
CREATE CONSTRAINT TRIGGER "structures_offer_version" AFTER INSERT OR UPDATE OR DELETE ON "structures"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "bump_offer_version"();
CREATE CONSTRAINT TRIGGER "sources_offer_version" AFTER INSERT OR UPDATE OR DELETE ON "sources"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "bump_offer_version"();
