-- data·inclusion's dedup signal, kept for the structures it serves: the ids of the same place listed by
-- other producers.
ALTER TABLE "structures" ADD COLUMN "doublons" TEXT[] DEFAULT ARRAY[]::TEXT[];
