import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';

/**
 * A server under test in a child process of its own, so that the load generator (in the harness's process)
 * never shares its event loop. Every child is killed when the harness exits, however it exits.
 */

export interface ReadinessProbe {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
}

export interface ChildServerSpec {
  /** Its name in messages. */
  name: string;
  /** Node's arguments: flags, then the script. */
  nodeArgs: string[];
  /** The child's whole environment (nothing is inherited but PATH and HOME). */
  env: Record<string, string>;
  cwd: string;
  port: number;
  /** Ready when this request answers 200. */
  ready: ReadinessProbe;
  /** How long it may take to become ready. */
  startTimeoutMs: number;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Kills `child` if the harness exits before it does. */
export function trackChild(child: ChildProcess): void {
  installExitHook();
  running.add(child);
  child.once('exit', () => running.delete(child));
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

export class ChildServer {
  private output = '';

  private constructor(
    readonly spec: ChildServerSpec,
    private readonly child: ChildProcess,
  ) {
    child.stdout?.on('data', (d: Buffer) => this.keep(d));
    child.stderr?.on('data', (d: Buffer) => this.keep(d));
  }

  /** Spawns it and waits until its readiness probe answers 200; kills it if it does not in time. */
  static async start(spec: ChildServerSpec): Promise<ChildServer> {
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...spec.env };
    const child = spawn(process.execPath, spec.nodeArgs, { env, cwd: spec.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    trackChild(child);
    const server = new ChildServer(spec, child);
    try {
      await server.waitReady();
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }

  get url(): string {
    return `http://127.0.0.1:${this.spec.port}`;
  }

  /** Its process id (RSS readings). */
  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** Its last output (logs), for error messages. */
  get logs(): string {
    return this.output;
  }

  /** One request; a failure says whether the server is gone (and how) or only the request failed. */
  async post(body: string, path = '/graphql'): Promise<{ status: number; text: string }> {
    try {
      const response = await fetch(`${this.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(30_000),
      });
      return { status: response.status, text: await response.text() };
    } catch (error) {
      await new Promise((r) => setTimeout(r, 100)); // let a dying process's exit be seen
      this.assertAlive('during a request');
      throw new Error(`${this.spec.name}: POST ${path} failed: ${describe(error)}`, { cause: error });
    }
  }

  /** Throws, saying how it ended, if the process is gone (a server that died mid-run makes figures meaningless). */
  assertAlive(when: string): void {
    const { exitCode, signalCode } = this.child;
    if (exitCode === null && signalCode === null) return;
    const how = signalCode ? `was killed by ${signalCode}` : `exited with code ${exitCode}`;
    // Code 0 is a clean stop: the servers stop so on SIGTERM, so another process likely sent it one.
    const hint = exitCode === 0 ? ' (a clean stop: did another process send it SIGTERM?)' : '';
    throw new Error(`${this.spec.name} ${how} ${when}${hint}:\n${this.output}`);
  }

  /** SIGTERM, then SIGKILL after 5 s. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }

  private keep(data: Buffer): void {
    this.output = (this.output + data.toString('utf8')).slice(-8_000);
  }

  private async waitReady(): Promise<void> {
    const { ready, startTimeoutMs, name } = this.spec;
    const deadline = Date.now() + startTimeoutMs;
    let last = 'no answer';
    while (Date.now() < deadline) {
      this.assertAlive('while starting');
      try {
        const response = await fetch(`${this.url}${ready.path}`, {
          method: ready.method,
          headers: ready.body ? { 'content-type': 'application/json' } : undefined,
          body: ready.body,
          signal: AbortSignal.timeout(5_000),
        });
        await response.arrayBuffer();
        if (response.status === 200) return;
        last = `HTTP ${response.status}`;
      } catch (error) {
        last = error instanceof Error ? error.message : String(error);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`${name} was not ready within ${startTimeoutMs / 1000} s (last probe: ${last}):\n${this.output}`);
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return `${error.message}${cause}`;
}

/** A port free at the time of asking, on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
