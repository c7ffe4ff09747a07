-- searchServices (issue 11, src/store/search-query.ts): services within a radius of a point are read from the
-- circle's bounding box on (latitude, longitude), then their exact great-circle distance (haversine in plain
-- SQL). A btree works on PostgreSQL and PGlite alike, with no extension (cube/earthdistance would need PGlite's
-- extensions loaded by the embedded store). Remote services (`a-distance`) are read from the GIN indexes of
-- modes_accueil and zone_eligibilite (eligibility: `zone_eligibilite && <the person's zones> OR zone_eligibilite <@
-- '{}'`, both GIN-indexable; on the national demo set it cut the remote part of a rural search from 250 to 65 ms).

-- CreateIndex
CREATE INDEX "services_latitude_longitude_idx" ON "services"("latitude", "longitude");

-- CreateIndex
CREATE INDEX "services_zone_eligibilite_idx" ON "services" USING GIN ("zone_eligibilite");
