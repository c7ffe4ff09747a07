import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/** The built server and CLI, as `npm start` and `npx passerelle` run them (`npm test` builds first). */
const root = path.resolve(__dirname, '../..');
export const SERVER_JS = path.join(root, 'dist/src/server.js');
export const CLI_JS = path.join(root, 'src/cli/bin.js');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const address = s.address() as net.AddressInfo;
      s.close(() => resolve(address.port));
    });
    s.on('error', reject);
  });
}

/** A Passerelle server in a child process; `output` collects its logs (stdout and stderr). */
export class ServerProcess {
  output = '';
  private child?: ChildProcess;

  constructor(
    readonly port: number,
    private readonly env: () => NodeJS.ProcessEnv,
  ) {}

  /** Starts it and waits until /readyz says 200 (it must say 503 until then). */
  async start(): Promise<void> {
    if (!fs.existsSync(SERVER_JS)) throw new Error(`${SERVER_JS} is missing: run \`npm run build\` (npm test does it in pretest)`);
    const child = spawn(process.execPath, [SERVER_JS], { env: this.env(), stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stdout!.on('data', (d) => (this.output += d));
    child.stderr!.on('data', (d) => (this.output += d));
    const deadline = Date.now() + 240_000;
    let status = 0;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}):\n${this.output}`);
      try {
        status = (await fetch(`http://127.0.0.1:${this.port}/readyz`)).status;
        if (status === 200) return;
        if (status !== 503) throw new Error(`/readyz answered ${status} while starting`);
      } catch (error) {
        if (error instanceof Error && error.message.startsWith('/readyz')) throw error;
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`/readyz never answered 200 (last ${status}):\n${this.output}`);
  }

  /** Sends a signal to the process. */
  kill(signal: NodeJS.Signals): void {
    this.child?.kill(signal);
  }

  /** Resolves with the exit code (or the signal that ended it) once the process has exited. */
  exited(): Promise<number | NodeJS.Signals | null> {
    const child = this.child;
    if (!child) return Promise.resolve(null);
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode ?? child.signalCode);
    return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }

  async graphql(query: string, init: { method?: string; headers?: Record<string, string> } = {}) {
    const response = await fetch(`http://127.0.0.1:${this.port}/graphql`, {
      method: init.method ?? 'POST',
      headers: { 'content-type': 'application/json', ...init.headers },
      body: JSON.stringify({ query }),
    });
    return { status: response.status, body: (await response.json()) as any };
  }
}

/**
 * The CLI, run asynchronously (a fake partner living in the test process must keep answering meanwhile,
 * which a synchronous spawn would block).
 */
export function runCli(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_JS, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
