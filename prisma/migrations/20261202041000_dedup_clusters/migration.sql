-- Passerelle's dedup (issue 10, src/dedup/): structures that are the same place share a cluster_id, and so do
-- the same service offered by clustered structures. Null when a record is alone. Written by `passerelle
-- dedup` and after each import or harvest (only the blocks the changed records fall in); read by
-- `Structure.doublons`, `clusterId` and the `excludeDuplicates` filter (one per cluster).

-- AlterTable
ALTER TABLE "structures" ADD COLUMN "cluster_id" TEXT;

-- AlterTable
ALTER TABLE "services" ADD COLUMN "cluster_id" TEXT;

-- CreateIndex
CREATE INDEX "structures_cluster_id_idx" ON "structures"("cluster_id");

-- CreateIndex
CREATE INDEX "services_cluster_id_idx" ON "services"("cluster_id");
