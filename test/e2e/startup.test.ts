import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { SERVER_JS, freePort } from '../support/server-process';

/**
 * Settings are checked before anything else: a bad one stops the built server (`npm test` builds first) with
 * one line per bad setting — its name, what is expected, the value given (never a secret's) — exit code 1,
 * and no port ever opened.
 */

function run(env: Record<string, string>): Promise<{ status: number | null; stderr: string; ms: number }> {
  const started = Date.now();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-startup-'));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SERVER_JS], {
      env: { PATH: process.env.PATH, PASSERELLE_DATA_DIR: dataDir, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => {
      fs.rmSync(dataDir, { recursive: true, force: true });
      resolve({ status, stderr, ms: Date.now() - started });
    });
  });
}

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

test('every bad setting: one line naming it, the value and what is expected; exit 1 before listening', async () => {
  const port = await freePort();
  const secret = 'too-short-but-still-secret';
  const { status, stderr } = await run({
    PORT: String(port),
    LOG_LEVEL: 'loud',
    PASSERELLE_MAX_DEPTH: '2.5',
    PASSERELLE_SHUTDOWN_TIMEOUT: 'soon',
    PASSERELLE_JWT_SECRET: secret,
    DATABASE_URL: 'mysql://passerelle:hunter2@db.example/passerelle',
  });
  expect(status).toBe(1);
  expect(await listening(port)).toBe(false);
  const lines = stderr.trim().split('\n');
  expect(lines.sort()).toEqual(
    [
      'passerelle: invalid configuration: DATABASE_URL: must be a postgresql:// URL (got "mysql://passerelle:***@db.example/passerelle")',
      'passerelle: invalid configuration: LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent (got "loud")',
      'passerelle: invalid configuration: PASSERELLE_JWT_SECRET: must be at least 32 characters (got a value of 26 characters)',
      'passerelle: invalid configuration: PASSERELLE_MAX_DEPTH: must be a whole number (got "2.5")',
      'passerelle: invalid configuration: PASSERELLE_SHUTDOWN_TIMEOUT: must be a duration such as 90d, 12h, 30m or 45s (got "soon")',
    ].sort(),
  );
  expect(stderr).not.toContain(secret);
  expect(stderr).not.toContain('hunter2');
});

test('a port out of range, and a limit that is not a number', async () => {
  const { status, stderr } = await run({ PORT: '70000', PASSERELLE_MAX_COST: 'lots' });
  expect(status).toBe(1);
  expect(stderr).toContain('passerelle: invalid configuration: PORT: must be at most 65535 (got "70000")\n');
  expect(stderr).toContain('passerelle: invalid configuration: PASSERELLE_MAX_COST: must be a whole number (got "lots")\n');
});

test('HOST defaults to 127.0.0.1 (containers set HOST=0.0.0.0); PASSERELLE_SHUTDOWN_TIMEOUT to 10 s', () => {
  expect(loadConfig({}).host).toBe('127.0.0.1');
  expect(loadConfig({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
  expect(loadConfig({}).shutdownTimeoutMs).toBe(10_000);
  expect(loadConfig({ PASSERELLE_SHUTDOWN_TIMEOUT: '30s' }).shutdownTimeoutMs).toBe(30_000);
});
