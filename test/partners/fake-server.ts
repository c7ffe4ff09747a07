import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the fake partner saw it. */
export interface FakeRequest {
  method: string;
  path: string;
  /** Query parameters: a repeated key gives an array. */
  query: Record<string, string | string[]>;
  headers: http.IncomingHttpHeaders;
  /** Parsed JSON body (or the raw text when not JSON; undefined when empty). */
  body: unknown;
}

export type Fault = (
  | { kind: 'slow'; ms: number }
  | { kind: 'status'; status: number }
  | { kind: 'rate-limit'; retryAfter: number | string }
  | { kind: 'malformed' }
  | { kind: 'truncated' }
) & {
  /** Only the next `times` requests suffer the fault, then the fake answers normally. Default: until cleared. */
  times?: number;
};

/** An explicit answer from a route (status, headers); a plain value is answered 200 as JSON. */
export class FakeReply {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {}
}

export const reply = (status: number, body: unknown, headers?: Record<string, string>) => new FakeReply(status, body, headers);

/** What a route gives for a request: a JSON value (200), a FakeReply, or undefined (404). */
export type FakeRoutes = (req: FakeRequest) => unknown | FakeReply | undefined | Promise<unknown | FakeReply | undefined>;

export interface FakePartner {
  /** Base URL, `http://127.0.0.1:<port>`. */
  url: string;
  /** Every request received, in order (faulty ones included). */
  requests: FakeRequest[];
  setFault(fault: Fault | null): void;
  close(): Promise<void>;
}

/** A fake partner API on 127.0.0.1 (ephemeral port), answering JSON from `routes`, with injectable faults. */
export async function startFakePartner(routes: FakeRoutes): Promise<FakePartner> {
  const requests: FakeRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let fault: Fault | null = null;
  let remaining: number | undefined;

  const takeFault = (): Fault | null => {
    if (!fault) return null;
    const current = fault;
    if (remaining !== undefined) {
      remaining -= 1;
      if (remaining <= 0) {
        fault = null;
        remaining = undefined;
      }
    }
    return current;
  };

  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timer.unref();
      timers.add(timer);
    });

  const answer = async (req: FakeRequest): Promise<FakeReply> => {
    const result = await routes(req);
    if (result instanceof FakeReply) return result;
    if (result === undefined) return new FakeReply(404, { detail: 'Not found.' });
    return new FakeReply(200, result);
  };

  const server = http.createServer((incoming, res) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      void (async () => {
        const url = new URL(incoming.url ?? '/', 'http://127.0.0.1');
        const query: Record<string, string | string[]> = {};
        for (const key of new Set(url.searchParams.keys())) {
          const values = url.searchParams.getAll(key);
          query[key] = values.length > 1 ? values : values[0];
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        if (raw) {
          try {
            body = JSON.parse(raw);
          } catch {
            body = raw;
          }
        }
        const req: FakeRequest = { method: incoming.method ?? 'GET', path: url.pathname, query, headers: incoming.headers, body };
        requests.push(req);
        const current = takeFault();
        try {
          if (current?.kind === 'slow') await wait(current.ms);
          if (res.destroyed) return;
          if (current?.kind === 'status') {
            send(res, current.status, { detail: `fault ${current.status}` });
            return;
          }
          if (current?.kind === 'rate-limit') {
            send(res, 429, { detail: 'Request was throttled.' }, { 'retry-after': String(current.retryAfter) });
            return;
          }
          if (current?.kind === 'malformed') {
            res.writeHead(200, { 'content-type': 'application/json' });
            res.end('{"items": [ {"id": "x", nom: oops ]');
            return;
          }
          const { status, body: out, headers } = await answer(req);
          if (current?.kind === 'truncated') {
            // Announce the whole page, send its first half, then drop the connection.
            const text = JSON.stringify(out ?? { items: [] });
            res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
            res.write(text.slice(0, Math.max(1, Math.floor(text.length / 2))));
            const timer = setTimeout(() => {
              timers.delete(timer);
              res.destroy();
            }, 10);
            timer.unref();
            timers.add(timer);
            return;
          }
          send(res, status, out, headers);
        } catch (error) {
          if (!res.headersSent) send(res, 500, { detail: String(error) });
          else res.destroy();
        }
      })();
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setFault(next) {
      fault = next;
      remaining = next?.times;
    },
    close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}
