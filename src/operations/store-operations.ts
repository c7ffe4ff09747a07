import { seedOffer } from '../ingest/seed';
import { deployMigrations, migrationStatus } from '../store/migrate';
import { importCentres, importTerritories } from '../territories/import';
import { createProgress } from './progress';
import type { Operation } from './types';

export const migrateDeploy: Operation<Record<string, never>> = {
  async run({ store }) {
    const applied = await deployMigrations(store);
    return { lines: applied.length ? applied.map((n) => `applied ${n}`) : ['up to date: no pending migration'] };
  },
};

export const migrateStatus: Operation<Record<string, never>> = {
  async run({ store }) {
    const status = await migrationStatus(store);
    const lines = [
      ...status.applied.map((n) => `applied ${n}`),
      ...status.pending.map((n) => `pending ${n}`),
      ...status.problems.map((p) => `problem ${p}`),
    ];
    const clean = status.pending.length === 0 && status.problems.length === 0;
    if (clean) lines.push('up to date');
    return { lines, exitCode: clean ? 0 : 1 };
  },
};

export const territoriesImport: Operation<Record<string, never>> = {
  migrate: true,
  async run({ store }) {
    const started = Date.now();
    const r = await importTerritories(store);
    return {
      lines: [
        `territories: ${r.regions} régions, ${r.departements} départements, ${r.epcis} EPCI, ` +
          `${r.communes} communes; ${r.changed} rows changed (${Date.now() - started} ms)`,
      ],
    };
  },
};

export const territoriesImportCentres: Operation<{ file: string }> = {
  async run({ store }, { file }) {
    const count = await importCentres(store, file);
    return { lines: [`centres: ${count} commune${count === 1 ? '' : 's'} updated`] };
  },
};

export const seed: Operation<{ structures: number; servicesPerStructure: number; seed: string }> = {
  migrate: true,
  async run({ store }, options) {
    const progress = createProgress({ label: 'seed', unit: 'structures', total: options.structures });
    const r = await seedOffer(store, { ...options, onBatch: ({ structures, total }) => progress.update(structures, structures, total) }).finally(() =>
      progress.stop(),
    );
    return {
      lines: [
        `seed: ${r.structures} structures, ${r.services} services ` +
          `(${r.structuresWritten} structures and ${r.servicesWritten} services written, ` +
          `${r.structuresUnchanged + r.servicesUnchanged} unchanged) in ${r.milliseconds} ms`,
      ],
    };
  },
};
