-- A harvest deletes a record only once N consecutive complete passes have not listed it (issue 9):
-- partners page over data that shifts between requests, so one pass can miss a record that is still
-- there. harvest_seen keeps, per partner and record, the last pass that listed it, across runs;
-- harvest_state counts the complete passes.

-- AlterTable
ALTER TABLE "harvest_state" ADD COLUMN     "passes" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
-- The rows present belong to a run under way (a complete run cleared its rows): that run is pass 1.
ALTER TABLE "harvest_seen" ADD COLUMN     "last_pass" INTEGER NOT NULL DEFAULT 1;
ALTER TABLE "harvest_seen" ALTER COLUMN "last_pass" DROP DEFAULT,
DROP COLUMN "run_id";
