import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore } from '../../src/store/database';
import { deployMigrations } from '../../src/store/migrate';

/**
 * The embedded store's folder is owner-only, whatever PGlite does by default (it writes its files 0666):
 * `find <folder> -perm /077` must list nothing, on a fresh folder and on one left loose by an older version.
 */

let root: string;
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-perms-'));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** Every path under dir (dir included) that its group or others may read, write or enter, with its mode. */
function accessibleToOthers(dir: string): string[] {
  const found: string[] = [];
  const walk = (current: string) => {
    const stat = fs.lstatSync(current);
    if (stat.isSymbolicLink()) return;
    if (stat.mode & 0o077) found.push(`${(stat.mode & 0o777).toString(8)} ${path.relative(dir, current) || '.'}`);
    if (stat.isDirectory()) for (const entry of fs.readdirSync(current)) walk(path.join(current, entry));
  };
  walk(dir);
  return found;
}

function count(dir: string): { files: number; dirs: number } {
  let files = 0;
  let dirs = 0;
  const walk = (current: string) => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        dirs += 1;
        walk(path.join(current, entry.name));
      } else files += 1;
    }
  };
  walk(dir);
  return { files, dirs };
}

test('a fresh folder: no file or folder is group- or world-accessible, open, migrated and closed', async () => {
  const dir = path.join(root, 'fresh');
  const previous = process.umask(0o000); // the worst case: an operator's permissive umask
  try {
    const store = await openStore({ dataDir: dir });
    expect((fs.statSync(dir).mode & 0o777).toString(8)).toBe('700');
    expect(accessibleToOthers(dir)).toEqual([]);
    await deployMigrations(store); // creates tables: new files while the store is open
    await store.close();
  } finally {
    process.umask(previous);
  }
  const { files, dirs } = count(dir);
  expect(files).toBeGreaterThan(500); // the whole cluster, pg_hba.conf included
  expect(fs.existsSync(path.join(dir, 'pg_hba.conf'))).toBe(true);
  expect(dirs).toBeGreaterThan(5);
  expect(accessibleToOthers(dir)).toEqual([]);
  expect((fs.statSync(path.join(dir, 'pg_hba.conf')).mode & 0o777).toString(8)).toBe('600');
});

test('an existing folder left loose (0755 folders, 0666 files) is tightened when the store opens', async () => {
  const dir = path.join(root, 'fresh');
  const loosen = (current: string) => {
    const stat = fs.lstatSync(current);
    fs.chmodSync(current, stat.isDirectory() ? 0o755 : 0o666);
    if (stat.isDirectory()) for (const entry of fs.readdirSync(current)) loosen(path.join(current, entry));
  };
  loosen(dir);
  expect(accessibleToOthers(dir).length).toBeGreaterThan(500);
  const store = await openStore({ dataDir: dir });
  try {
    expect(accessibleToOthers(dir)).toEqual([]);
    expect((await store.query<{ one: number }>({ text: 'SELECT 1 AS one', values: [] }))[0].one).toBe(1);
  } finally {
    await store.close();
  }
});
