-- The change feed (issue 13; src/store/changes.ts): every write of a structure or a service leaves a row here,
-- written by the triggers below in the writing transaction, with that transaction's id (`xid`). A reader takes the
-- changes of transactions older than the oldest one still running (`pg_snapshot_xmin`), in (xid, id) order: a
-- transaction that commits later always has changes after the reader's cursor, so no page skips one. The feed
-- gives each changed record's state as it is when read, so replaying it in order converges on the store.
-- Existing records get one row each, so that a replica can start from an empty cursor.

-- CreateTable
CREATE TABLE "changes" (
    "id" BIGSERIAL NOT NULL,
    "xid" BIGINT NOT NULL DEFAULT ((pg_current_xact_id())::text)::bigint,
    "entity" TEXT NOT NULL,
    "record_id" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "deleted" BOOLEAN NOT NULL,
    "changed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "changes_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "changes_xid_id_idx" ON "changes"("xid", "id");

-- CreateIndex
CREATE INDEX "changes_entity_record_id_idx" ON "changes"("entity", "record_id");

-- CreateIndex
CREATE INDEX "changes_changed_at_idx" ON "changes"("changed_at");

-- Triggers: a row per inserted, updated (when anything changed) or deleted record.
CREATE FUNCTION "record_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO "changes" ("entity", "record_id", "source", "deleted") VALUES (TG_ARGV[0], OLD."id", OLD."source", TRUE);
  ELSE
    INSERT INTO "changes" ("entity", "record_id", "source", "deleted") VALUES (TG_ARGV[0], NEW."id", NEW."source", FALSE);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER "structures_changes" AFTER INSERT OR DELETE ON "structures"
  FOR EACH ROW EXECUTE FUNCTION "record_change"('structure');
CREATE TRIGGER "structures_changes_update" AFTER UPDATE ON "structures"
  FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION "record_change"('structure');
CREATE TRIGGER "services_changes" AFTER INSERT OR DELETE ON "services"
  FOR EACH ROW EXECUTE FUNCTION "record_change"('service');
CREATE TRIGGER "services_changes_update" AFTER UPDATE ON "services"
  FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION "record_change"('service');

-- The records already stored: one change each.
INSERT INTO "changes" ("entity", "record_id", "source", "deleted") SELECT 'structure', "id", "source", FALSE FROM "structures" ORDER BY "id";
INSERT INTO "changes" ("entity", "record_id", "source", "deleted") SELECT 'service', "id", "source", FALSE FROM "services" ORDER BY "id";
