-- AlterTable
ALTER TABLE "services" ADD COLUMN     "departement_code" TEXT,
ADD COLUMN     "epci_code" TEXT,
ADD COLUMN     "region_code" TEXT;

-- AlterTable
ALTER TABLE "structures" ADD COLUMN     "departement_code" TEXT,
ADD COLUMN     "epci_code" TEXT,
ADD COLUMN     "region_code" TEXT;

-- The territory of each record's code_insee, kept on the record: lists by département, région or EPCI
-- (the filters front ends send most) read an index on (code, id) instead of joining the communes, whose
-- join the planner estimates badly on the national offer. A trigger keeps them on every write, whoever
-- writes (seed, import, harvest, a producer's push); a territories import re-derives them for the
-- communes it changed (src/store/territory-codes.ts). An arrondissement's record takes its commune's EPCI.
CREATE FUNCTION "offer_territory_codes"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  SELECT c."departement_code", c."region_code", coalesce(c."epci_code", p."epci_code")
    INTO NEW."departement_code", NEW."region_code", NEW."epci_code"
    FROM "communes" c LEFT JOIN "communes" p ON p."code" = c."parent_code"
    WHERE c."code" = NEW."code_insee"::text;
  RETURN NEW;
END
$$;

CREATE TRIGGER "structures_territory_codes" BEFORE INSERT OR UPDATE OF "code_insee" ON "structures"
  FOR EACH ROW EXECUTE FUNCTION "offer_territory_codes"();
CREATE TRIGGER "services_territory_codes" BEFORE INSERT OR UPDATE OF "code_insee" ON "services"
  FOR EACH ROW EXECUTE FUNCTION "offer_territory_codes"();

UPDATE "structures" x SET "departement_code" = t."departement_code", "region_code" = t."region_code", "epci_code" = t."epci_code"
  FROM (SELECT c."code", c."departement_code", c."region_code", coalesce(c."epci_code", p."epci_code") AS "epci_code"
        FROM "communes" c LEFT JOIN "communes" p ON p."code" = c."parent_code") t
  WHERE t."code" = x."code_insee"::text;
UPDATE "services" x SET "departement_code" = t."departement_code", "region_code" = t."region_code", "epci_code" = t."epci_code"
  FROM (SELECT c."code", c."departement_code", c."region_code", coalesce(c."epci_code", p."epci_code") AS "epci_code"
        FROM "communes" c LEFT JOIN "communes" p ON p."code" = c."parent_code") t
  WHERE t."code" = x."code_insee"::text;

-- CreateIndex
CREATE INDEX "services_departement_code_id_idx" ON "services"("departement_code", "id");

-- CreateIndex
CREATE INDEX "services_region_code_id_idx" ON "services"("region_code", "id");

-- CreateIndex
CREATE INDEX "services_epci_code_id_idx" ON "services"("epci_code", "id");

-- CreateIndex
CREATE INDEX "structures_departement_code_id_idx" ON "structures"("departement_code", "id");

-- CreateIndex
CREATE INDEX "structures_region_code_id_idx" ON "structures"("region_code", "id");

-- CreateIndex
CREATE INDEX "structures_epci_code_id_idx" ON "structures"("epci_code", "id");
