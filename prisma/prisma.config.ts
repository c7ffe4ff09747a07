import path from 'node:path';
import { defineConfig } from 'prisma/config';

// The Prisma CLI only generates the client here. Migrations run through Passerelle's own command
// (`npx passerelle migrate …`, on Prisma's WASM schema engine), because the native engine binary the
// CLI wants for `migrate` cannot be downloaded offline. Pointing PRISMA_SCHEMA_ENGINE_BINARY at any
// existing file stops the CLI from trying to download it for `generate`.
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= process.execPath;

export default defineConfig({
  schema: path.join(__dirname, 'schema.prisma'),
  migrations: { path: path.join(__dirname, 'migrations') },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/postgres' },
});
