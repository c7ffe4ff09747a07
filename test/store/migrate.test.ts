import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  createMigration,
  defaultMigrationsDir,
  defaultSchemaPath,
  deployMigrations,
  migrationStatus,
} from '../../src/store/migrate';
import { createTestStore, ENGINES, type TestStore } from '../support/engines';

const committed = fs
  .readdirSync(defaultMigrationsDir(), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

/** A temporary copy of the committed migrations folder, plus any extra migrations. */
function migrationsCopy(extra: Record<string, string> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-migrations-'));
  fs.cpSync(defaultMigrationsDir(), dir, { recursive: true });
  for (const [name, sql] of Object.entries(extra)) {
    fs.mkdirSync(path.join(dir, name));
    fs.writeFileSync(path.join(dir, name, 'migration.sql'), sql);
  }
  return dir;
}

async function tableNames(store: TestStore): Promise<string[]> {
  const rows = await store.prisma.$queryRawUnsafe<{ table_name: string }[]>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
  );
  return rows.map((r) => r.table_name);
}

async function migrationRows(store: TestStore): Promise<{ migration_name: string; finished_at: Date | null }[]> {
  return store.prisma.$queryRawUnsafe(
    `SELECT migration_name, finished_at FROM _prisma_migrations ORDER BY migration_name`,
  );
}

const tmpDirs: string[] = [];
afterAll(() => {
  for (const dir of tmpDirs) fs.rmSync(dir, { recursive: true, force: true });
});

test('the committed migrations folder has an init migration and a lock file', () => {
  expect(committed.length).toBeGreaterThan(0);
  expect(committed[0]).toMatch(/^\d{14}_init$/);
  expect(fs.readFileSync(path.join(defaultMigrationsDir(), 'migration_lock.toml'), 'utf8')).toContain(
    'provider = "postgresql"',
  );
});

describe.each(ENGINES)('migrations on %s', (engine) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore(engine, { migrate: false });
  });
  afterAll(async () => {
    await store?.dispose();
  });

  test('status on an empty database lists every migration as pending', async () => {
    const status = await migrationStatus(store);
    expect(status).toEqual({ applied: [], pending: committed, problems: [] });
  });

  test('deploy creates the tables and records the migrations in _prisma_migrations', async () => {
    expect(await deployMigrations(store)).toEqual(committed);
    expect(await tableNames(store)).toEqual(
      expect.arrayContaining(['_prisma_migrations', 'structures', 'services', 'regions', 'departements', 'epcis', 'communes', 'sources']),
    );
    const rows = await migrationRows(store);
    expect(rows.map((r) => r.migration_name)).toEqual(committed);
    for (const row of rows) expect(row.finished_at).not.toBeNull();
    // The tables work through the client.
    await store.prisma.source.create({ data: { slug: 'dora', nom: 'DORA' } });
    expect(await store.prisma.source.count()).toBe(1);
  });

  test('a second deploy applies nothing', async () => {
    expect(await deployMigrations(store)).toEqual([]);
    expect((await migrationRows(store)).length).toBe(committed.length);
  });

  test('status reports up to date', async () => {
    expect(await migrationStatus(store)).toEqual({ applied: committed, pending: [], problems: [] });
  });

  test('status reports a new migration as pending', async () => {
    const dir = migrationsCopy({ '20990101000000_later': 'CREATE TABLE later (id INT);' });
    tmpDirs.push(dir);
    expect(await migrationStatus(store, dir)).toEqual({
      applied: committed,
      pending: ['20990101000000_later'],
      problems: [],
    });
  });

  test('a failing migration rejects, is not recorded as applied, and leaves nothing half-done', async () => {
    const fresh = await createTestStore(engine, { migrate: false });
    try {
      const broken = '20990101000000_broken';
      const dir = migrationsCopy({
        [broken]: 'CREATE TABLE half_done (id INT);\nSELECT * FROM no_such_table;\n',
      });
      tmpDirs.push(dir);
      await expect(deployMigrations(fresh, dir)).rejects.toThrow(/no_such_table/);

      const rows = await migrationRows(fresh);
      const brokenRow = rows.find((r) => r.migration_name === broken);
      if (brokenRow) expect(brokenRow.finished_at).toBeNull();
      for (const name of committed) {
        expect(rows.find((r) => r.migration_name === name)?.finished_at).not.toBeNull();
      }
      // The script ran as one transaction: its first statement was rolled back with it.
      expect(await tableNames(fresh)).not.toContain('half_done');

      const status = await migrationStatus(fresh, dir);
      expect(status.applied).toEqual(committed);
      expect(status.applied).not.toContain(broken);
      expect(status.problems.join('\n')).toContain(broken);

      // And it keeps failing loudly until an operator resolves it.
      await expect(deployMigrations(fresh, dir)).rejects.toThrow();
    } finally {
      await fresh.dispose();
    }
  });
  test('an up-to-date store is left alone, and a migration added to the folder is applied', async () => {
    expect(await deployMigrations(store)).toEqual([]);
    const dir = migrationsCopy({ '20990101000000_later': 'CREATE TABLE later (id INT);' });
    tmpDirs.push(dir);
    expect(await deployMigrations(store, dir)).toEqual(['20990101000000_later']);
    expect(await tableNames(store)).toContain('later');
    expect(await deployMigrations(store, dir)).toEqual([]);
  });
});

describe('createMigration', () => {
  test('the committed migrations match prisma/schema.prisma', async () => {
    const dir = migrationsCopy();
    tmpDirs.push(dir);
    expect(await createMigration('nothing', { migrationsDir: dir })).toBeUndefined();
    expect(fs.readdirSync(dir).sort()).toEqual([...committed, 'migration_lock.toml'].sort());
  });

  test('a changed schema yields a migration with the change', async () => {
    const dir = migrationsCopy();
    tmpDirs.push(dir);
    const schemaDir = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-schema-'));
    tmpDirs.push(schemaDir);
    const schemaPath = path.join(schemaDir, 'schema.prisma');
    const schema = fs.readFileSync(defaultSchemaPath(), 'utf8');
    const changed = schema.replace(
      /(model Source \{\n\s+slug\s+String\s+@id\n)/,
      '$1  siteWeb     String? @map("site_web")\n',
    );
    expect(changed).not.toBe(schema);
    fs.writeFileSync(schemaPath, changed);

    const name = await createMigration('add source site web', { schemaPath, migrationsDir: dir });
    expect(name).toMatch(/^\d{14}_add_source_site_web$/);
    expect(name! > committed[committed.length - 1]).toBe(true);
    const sql = fs.readFileSync(path.join(dir, name!, 'migration.sql'), 'utf8');
    expect(sql).toMatch(/ALTER TABLE "sources" ADD COLUMN\s+"site_web" TEXT/);

    // Once written, the migrations match the changed schema.
    expect(await createMigration('again', { schemaPath, migrationsDir: dir })).toBeUndefined();
  });

  test('writes migration_lock.toml into a new migrations folder', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-migrations-'));
    tmpDirs.push(dir);
    const name = await createMigration('init', { migrationsDir: dir });
    expect(name).toMatch(/^\d{14}_init$/);
    expect(fs.readFileSync(path.join(dir, 'migration_lock.toml'), 'utf8')).toContain('provider = "postgresql"');
    const sql = fs.readFileSync(path.join(dir, name!, 'migration.sql'), 'utf8');
    expect(sql).toContain('CREATE TABLE "structures"');
    expect(sql).toContain('USING GIN ("thematiques")');
    expect(sql).toContain('FOREIGN KEY ("structure_id") REFERENCES "structures"("id") ON DELETE CASCADE');
  });
});
