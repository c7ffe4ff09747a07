-- French full-text search (`ServiceFilter.q`, src/store/full-text.ts): each service's to_tsvector('french', …)
-- of its accent-free nom, description, thématique labels and publics_precisions. The writer computes the
-- accent-free text in TypeScript (unaccent() is not immutable); rows written before this migration are
-- filled right after it by `deployMigrations` (src/store/full-text.ts `backfillSearchDocuments`), which
-- fills every row whose `recherche` is null.

-- AlterTable
ALTER TABLE "services" ADD COLUMN "recherche" tsvector;

-- CreateIndex
CREATE INDEX "services_recherche_idx" ON "services" USING GIN ("recherche");
