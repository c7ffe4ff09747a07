import http from 'node:http';
import { verifySignature } from '../../src/webhooks/signature';

export interface Received {
  deliveryId: string;
  body: any;
  verified: boolean;
}

/**
 * A webhook receiver on 127.0.0.1 as a reuser writes one: it checks the signature, answers `failures` times
 * with 500 first, and keeps each delivery id once (the idempotency key) in `accepted`, every request in `all`.
 */
export async function startReceiver(secretOf: () => string | undefined, options: { failures?: number } = {}) {
  let failuresLeft = options.failures ?? 0;
  const all: Received[] = [];
  const accepted: Received[] = [];
  const seen = new Set<string>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const secret = secretOf();
      const verified = !!secret && verifySignature(secret, text, String(req.headers['passerelle-signature'] ?? ''));
      const received = { deliveryId: String(req.headers['passerelle-delivery']), body: JSON.parse(text), verified };
      all.push(received);
      if (failuresLeft > 0) {
        failuresLeft -= 1;
        res.writeHead(500).end();
        return;
      }
      if (!seen.has(received.deliveryId)) {
        seen.add(received.deliveryId);
        accepted.push(received);
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    all,
    accepted,
    fail(count: number) {
      failuresLeft = count;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export async function waitFor<T>(check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
