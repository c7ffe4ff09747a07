import { Client } from 'pg';
import { FrontendParser, StatementsProxy } from '../../src/bench/statements-proxy';
import { POSTGRES_ADMIN_URL } from '../support/engines';

describe('StatementsProxy', () => {
  it('counts simple queries and extended-protocol executions, not the startup or other messages', async () => {
    const target = new URL(POSTGRES_ADMIN_URL);
    const proxy = await StatementsProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
    const client = new Client({ connectionString: proxy.urlFor(POSTGRES_ADMIN_URL) });
    try {
      await client.connect();
      expect(proxy.total).toBe(0);
      await client.query('SELECT 1'); // simple protocol: one Q
      await client.query('SELECT $1::int AS n', [2]); // extended: Parse, Bind, Describe, Execute, Sync
      await client.query({ name: 'named', text: 'SELECT $1::text AS t', values: ['x'] });
      await client.query({ name: 'named', text: 'SELECT $1::text AS t', values: ['y'] }); // prepared once, executed twice
      expect(proxy.snapshot()).toEqual({ queries: 1, executes: 3 });
      proxy.reset();
      expect(proxy.total).toBe(0);
    } finally {
      await client.end();
      await proxy.close();
    }
  });

  it('finds messages however the stream is cut', () => {
    const types: string[] = [];
    const parser = new FrontendParser((type) => types.push(String.fromCharCode(type)));
    const startup = Buffer.alloc(8);
    startup.writeInt32BE(8, 0);
    startup.writeInt32BE(196608, 4);
    const message = (type: string, body: string) => {
      const b = Buffer.alloc(5 + body.length);
      b.write(type, 0);
      b.writeInt32BE(4 + body.length, 1);
      b.write(body, 5);
      return b;
    };
    const stream = Buffer.concat([startup, message('Q', 'SELECT 1\0'), message('P', '\0SELECT 2\0\0\0'), message('E', '\0\0\0\0\0'), message('S', '')]);
    for (let i = 0; i < stream.length; i++) parser.push(stream.subarray(i, i + 1)); // one byte at a time
    expect(types).toEqual(['Q', 'P', 'E', 'S']);
  });
});
