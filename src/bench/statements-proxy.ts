import net from 'node:net';

/**
 * A TCP proxy between one server and PostgreSQL that counts the SQL statements the server sends: simple
 * Query ('Q') and extended-protocol Execute ('E') messages of the frontend stream. Only what the server
 * writes is parsed; the backend's bytes pass through untouched.
 *
 * Frontend framing: the first message(s) of a connection have no type byte (SSLRequest or GSSENCRequest,
 * then the StartupMessage: int32 length, int32 code); every later one is a type byte then an int32 length
 * that counts itself but not the type byte.
 */

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;

export interface StatementCounts {
  /** Simple-protocol queries. */
  queries: number;
  /** Extended-protocol executions. */
  executes: number;
}

export class StatementsProxy {
  private counts: StatementCounts = { queries: 0, executes: 0 };
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  static async start(target: { host: string; port: number }): Promise<StatementsProxy> {
    let proxy: StatementsProxy | undefined;
    const server = net.createServer((client) => proxy?.accept(client, target));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    proxy = new StatementsProxy(server, (server.address() as net.AddressInfo).port);
    return proxy;
  }

  /** Statements seen since the last reset. */
  get total(): number {
    return this.counts.queries + this.counts.executes;
  }

  snapshot(): StatementCounts {
    return { ...this.counts };
  }

  reset(): void {
    this.counts = { queries: 0, executes: 0 };
  }

  /** The URL a server should use instead of `databaseUrl` to go through this proxy. */
  urlFor(databaseUrl: string): string {
    const url = new URL(databaseUrl);
    url.hostname = '127.0.0.1';
    url.port = String(this.port);
    return url.toString();
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket, target: { host: string; port: number }): void {
    const upstream = net.connect(target.port, target.host);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    const parser = new FrontendParser((type) => {
      if (type === 0x51) this.counts.queries += 1; // 'Q'
      else if (type === 0x45) this.counts.executes += 1; // 'E'
    });
    client.on('data', (chunk: Buffer) => {
      parser.push(chunk);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    client.once('end', () => upstream.end());
    upstream.once('end', () => client.end());
  }
}

/** Splits the frontend byte stream into messages, calling `onMessage` with each typed message's type byte. */
export class FrontendParser {
  private startup = true;
  private header = Buffer.alloc(0);
  /** Bytes of the current message's body still to skip. */
  private skip = 0;

  constructor(private readonly onMessage: (type: number) => void) {}

  push(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - offset);
        this.skip -= n;
        offset += n;
        continue;
      }
      // Gather a header: 8 bytes during startup (length + code), 5 after (type + length).
      const headerSize = this.startup ? 8 : 5;
      const need = headerSize - this.header.length;
      const take = Math.min(need, chunk.length - offset);
      this.header = Buffer.concat([this.header, chunk.subarray(offset, offset + take)]);
      offset += take;
      if (this.header.length < headerSize) break;
      if (this.startup) {
        const length = this.header.readInt32BE(0);
        const code = this.header.readInt32BE(4);
        // After SSLRequest/GSSENCRequest the server answers one byte and a StartupMessage follows.
        if (code !== SSL_REQUEST && code !== GSSENC_REQUEST && code !== CANCEL_REQUEST) this.startup = false;
        this.skip = length - 8;
      } else {
        this.onMessage(this.header[0]);
        this.skip = this.header.readInt32BE(1) - 4;
      }
      this.header = Buffer.alloc(0);
    }
  }
}
