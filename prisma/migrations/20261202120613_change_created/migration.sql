-- Created or updated (issue 16): webhooks and subscriptions tell a new record from a changed one. The change
-- feed's trigger notes whether the write inserted the row; existing changes read as updates.

-- AlterTable
ALTER TABLE "changes" ADD COLUMN     "created" BOOLEAN NOT NULL DEFAULT false;

CREATE OR REPLACE FUNCTION "record_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO "changes" ("entity", "record_id", "source", "deleted") VALUES (TG_ARGV[0], OLD."id", OLD."source", TRUE);
  ELSE
    INSERT INTO "changes" ("entity", "record_id", "source", "deleted", "created") VALUES (TG_ARGV[0], NEW."id", NEW."source", FALSE, TG_OP = 'INSERT');
  END IF;
  RETURN NULL;
END $$;
