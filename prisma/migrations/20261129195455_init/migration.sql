-- CreateTable
CREATE TABLE "structures" (
    "id" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "nom" TEXT NOT NULL,
    "date_maj" DATE NOT NULL,
    "description" TEXT,
    "lien_source" TEXT,
    "siret" CHAR(14),
    "commune" TEXT,
    "code_postal" CHAR(5),
    "code_insee" CHAR(5),
    "adresse" TEXT,
    "complement_adresse" TEXT,
    "longitude" DOUBLE PRECISION,
    "latitude" DOUBLE PRECISION,
    "telephone" TEXT,
    "courriel" TEXT,
    "site_web" TEXT,
    "horaires_accueil" TEXT,
    "accessibilite_lieu" TEXT,
    "reseaux_porteurs" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "score_qualite" DOUBLE PRECISION,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "structures_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "services" (
    "id" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "structure_id" TEXT NOT NULL,
    "nom" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "date_maj" DATE NOT NULL,
    "lien_source" TEXT,
    "type" TEXT,
    "thematiques" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "frais" TEXT,
    "frais_precisions" TEXT,
    "publics" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "publics_precisions" TEXT,
    "conditions_acces" TEXT,
    "commune" TEXT,
    "code_postal" CHAR(5),
    "code_insee" CHAR(5),
    "adresse" TEXT,
    "complement_adresse" TEXT,
    "longitude" DOUBLE PRECISION,
    "latitude" DOUBLE PRECISION,
    "telephone" TEXT,
    "courriel" TEXT,
    "modes_accueil" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "zone_eligibilite" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "contact_nom_prenom" TEXT,
    "lien_mobilisation" TEXT,
    "modes_mobilisation" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "mobilisable_par" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "mobilisation_precisions" TEXT,
    "volume_horaire_hebdomadaire" DOUBLE PRECISION,
    "nombre_semaines" INTEGER,
    "horaires_accueil" TEXT,
    "score_qualite" DOUBLE PRECISION,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "services_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "regions" (
    "code" TEXT NOT NULL,
    "nom" TEXT NOT NULL,
    "chef_lieu" TEXT,
    "zone" TEXT NOT NULL,
    "population" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "regions_pkey" PRIMARY KEY ("code")
);

-- CreateTable
CREATE TABLE "departements" (
    "code" TEXT NOT NULL,
    "nom" TEXT NOT NULL,
    "region_code" TEXT NOT NULL,
    "chef_lieu" TEXT,
    "zone" TEXT NOT NULL,
    "population" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "departements_pkey" PRIMARY KEY ("code")
);

-- CreateTable
CREATE TABLE "epcis" (
    "code" TEXT NOT NULL,
    "nom" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "population" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "epcis_pkey" PRIMARY KEY ("code")
);

-- CreateTable
CREATE TABLE "communes" (
    "code" TEXT NOT NULL,
    "nom" TEXT NOT NULL,
    "nom_recherche" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "parent_code" TEXT,
    "departement_code" TEXT NOT NULL,
    "region_code" TEXT NOT NULL,
    "epci_code" TEXT,
    "codes_postaux" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "population" INTEGER,
    "latitude" DOUBLE PRECISION,
    "longitude" DOUBLE PRECISION,
    "centre_source" TEXT,
    "centre_approximatif" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "communes_pkey" PRIMARY KEY ("code")
);

-- CreateTable
CREATE TABLE "sources" (
    "slug" TEXT NOT NULL,
    "nom" TEXT NOT NULL,
    "description" TEXT,

    CONSTRAINT "sources_pkey" PRIMARY KEY ("slug")
);

-- CreateIndex
CREATE INDEX "structures_source_id_idx" ON "structures"("source", "id");

-- CreateIndex
CREATE INDEX "structures_code_insee_idx" ON "structures"("code_insee");

-- CreateIndex
CREATE INDEX "structures_reseaux_porteurs_idx" ON "structures" USING GIN ("reseaux_porteurs");

-- CreateIndex
CREATE INDEX "structures_score_qualite_idx" ON "structures"("score_qualite");

-- CreateIndex
CREATE INDEX "structures_date_maj_idx" ON "structures"("date_maj");

-- CreateIndex
CREATE INDEX "structures_updated_at_idx" ON "structures"("updated_at");

-- CreateIndex
CREATE INDEX "services_structure_id_id_idx" ON "services"("structure_id", "id");

-- CreateIndex
CREATE INDEX "services_source_id_idx" ON "services"("source", "id");

-- CreateIndex
CREATE INDEX "services_code_insee_idx" ON "services"("code_insee");

-- CreateIndex
CREATE INDEX "services_thematiques_idx" ON "services" USING GIN ("thematiques");

-- CreateIndex
CREATE INDEX "services_publics_idx" ON "services" USING GIN ("publics");

-- CreateIndex
CREATE INDEX "services_modes_accueil_idx" ON "services" USING GIN ("modes_accueil");

-- CreateIndex
CREATE INDEX "services_frais_idx" ON "services"("frais");

-- CreateIndex
CREATE INDEX "services_type_idx" ON "services"("type");

-- CreateIndex
CREATE INDEX "services_score_qualite_idx" ON "services"("score_qualite");

-- CreateIndex
CREATE INDEX "services_date_maj_idx" ON "services"("date_maj");

-- CreateIndex
CREATE INDEX "services_updated_at_idx" ON "services"("updated_at");

-- CreateIndex
CREATE INDEX "departements_region_code_idx" ON "departements"("region_code");

-- CreateIndex
CREATE INDEX "communes_departement_code_idx" ON "communes"("departement_code");

-- CreateIndex
CREATE INDEX "communes_region_code_idx" ON "communes"("region_code");

-- CreateIndex
CREATE INDEX "communes_epci_code_idx" ON "communes"("epci_code");

-- CreateIndex
CREATE INDEX "communes_parent_code_idx" ON "communes"("parent_code");

-- CreateIndex
CREATE INDEX "communes_nom_recherche_idx" ON "communes"("nom_recherche");

-- AddForeignKey
ALTER TABLE "services" ADD CONSTRAINT "services_structure_id_fkey" FOREIGN KEY ("structure_id") REFERENCES "structures"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "departements" ADD CONSTRAINT "departements_region_code_fkey" FOREIGN KEY ("region_code") REFERENCES "regions"("code") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "communes" ADD CONSTRAINT "communes_departement_code_fkey" FOREIGN KEY ("departement_code") REFERENCES "departements"("code") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "communes" ADD CONSTRAINT "communes_epci_code_fkey" FOREIGN KEY ("epci_code") REFERENCES "epcis"("code") ON DELETE SET NULL ON UPDATE CASCADE;
