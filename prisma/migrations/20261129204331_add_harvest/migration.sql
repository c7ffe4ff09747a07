-- CreateTable
CREATE TABLE "harvest_state" (
    "partner_id" TEXT NOT NULL,
    "run_id" TEXT NOT NULL,
    "mark" TEXT,
    "pages" INTEGER NOT NULL DEFAULT 0,
    "records" INTEGER NOT NULL DEFAULT 0,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "completed_at" TIMESTAMPTZ(3),
    "last_error" TEXT,

    CONSTRAINT "harvest_state_pkey" PRIMARY KEY ("partner_id")
);

-- CreateTable
CREATE TABLE "harvest_seen" (
    "partner_id" TEXT NOT NULL,
    "run_id" TEXT NOT NULL,
    "entity" TEXT NOT NULL,
    "record_id" TEXT NOT NULL,

    CONSTRAINT "harvest_seen_pkey" PRIMARY KEY ("partner_id","entity","record_id")
);
