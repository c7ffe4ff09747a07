-- AlterTable
ALTER TABLE "api_clients" ADD COLUMN     "origins" TEXT[] DEFAULT ARRAY[]::TEXT[];
