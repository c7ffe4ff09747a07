-- Who computed a record's score_qualite (issue 10, `qualite.origine`): `passerelle` (src/quality/score.ts, at
-- each write) or `data-inclusion` (a record relayed from the data·inclusion API keeps the score it published).
-- A structure's is `data-inclusion` when every score it averages is (src/store/write.ts). Rows written before
-- this column were scored by Passerelle, except those harvested from data·inclusion: their next harvest
-- rewrites them with the right origin.

-- AlterTable
ALTER TABLE "structures" ADD COLUMN "score_origine" TEXT NOT NULL DEFAULT 'passerelle';

-- AlterTable
ALTER TABLE "services" ADD COLUMN "score_origine" TEXT NOT NULL DEFAULT 'passerelle';
