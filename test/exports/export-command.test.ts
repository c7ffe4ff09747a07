import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import JSZip from 'jszip';
import { loadConfig } from '../../src/config';
import { exportOperation } from '../../src/exports/export-operation';
import { syncSources, writeOffer } from '../../src/store/write';
import { createTestStore, type TestStore } from '../support/engines';
import * as fixture from '../fixtures/offer';

/** `passerelle export` (the operation the CLI runs, here or through a running server's socket): the files it writes. */
describe('passerelle export', () => {
  let store: TestStore;
  let out: string;
  beforeAll(async () => {
    store = await createTestStore('pglite');
    await syncSources(store);
    await writeOffer(store, { structures: fixture.structures, services: fixture.services }, { now: fixture.NOW });
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-export-'));
  });
  afterAll(async () => {
    await store?.dispose();
    fs.rmSync(out, { recursive: true, force: true });
  });
  const config = () => loadConfig({});

  test('--format csv writes structures-inclusion-DAY.csv and services-inclusion-DAY.csv with every public row, no contact column', async () => {
    const { lines } = await exportOperation.run({ store, config: config() }, { format: 'csv', out });
    expect(lines).toHaveLength(2);
    const files = fs.readdirSync(out).filter((f) => f.endsWith('.csv')).sort();
    expect(files).toEqual([expect.stringMatching(/^services-inclusion-\d{4}-\d{2}-\d{2}\.csv$/), expect.stringMatching(/^structures-inclusion-\d{4}-\d{2}-\d{2}\.csv$/)]);
    const services = parse(fs.readFileSync(path.join(out, files[0])), { columns: true }) as Record<string, string>[];
    const visible = fixture.services.filter((s) => s.source !== 'soliguide' && !s.structure_id.startsWith('soliguide--'));
    expect(services.map((r) => r.id).sort()).toEqual(visible.map((s) => s.id).sort());
    expect(Object.keys(services[0])).not.toContain('courriel');
    expect(Object.keys(services[0]).slice(-2)).toEqual(['score_qualite', 'fraicheur']);
  });

  test('--format hsds writes the Open Referral package into DIR/hsds/ and the same files in DIR/hsds-inclusion-DAY.zip', async () => {
    const { lines } = await exportOperation.run({ store, config: config() }, { format: 'hsds', out });
    expect(lines[0]).toMatch(/HSDS 3 tabular package/);
    const dir = path.join(out, 'hsds');
    expect(fs.existsSync(path.join(dir, 'datapackage.json'))).toBe(true);
    expect(fs.existsSync(path.join(dir, 'services.json'))).toBe(true);
    const services = parse(fs.readFileSync(path.join(dir, 'services.csv')), { columns: true }) as Record<string, string>[];
    expect(services.length).toBeGreaterThan(0);
    const zipName = fs.readdirSync(out).find((f) => /^hsds-inclusion-\d{4}-\d{2}-\d{2}\.zip$/.test(f));
    expect(lines[1]).toContain(zipName);
    const zip = await JSZip.loadAsync(fs.readFileSync(path.join(out, zipName!)));
    expect(Object.keys(zip.files).sort()).toEqual(fs.readdirSync(dir).sort());
    expect(await zip.file('services.csv')!.async('string')).toBe(fs.readFileSync(path.join(dir, 'services.csv'), 'utf8'));
  });

  test('a bad format or filter is a clear error', async () => {
    await expect(exportOperation.run({ store, config: config() }, { format: 'pdf' as never, out })).rejects.toThrow(/--format must be one of/);
    await expect(exportOperation.run({ store, config: config() }, { format: 'csv', out, departement: 'zz' })).rejects.toThrow(/departement/);
  });
});
