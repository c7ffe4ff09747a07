import fs from 'node:fs';
import net from 'node:net';
import type { Logger } from '../logger';
import { runOperation } from './run';
import { InputError } from '../errors';
import type { OperationContext, OperationResult } from './types';

/**
 * The embedded store (PGlite) belongs to one process. While a server holds it, `npx passerelle …`
 * commands reach it through this local socket: the CLI sends `{operation, args}` and the server runs the
 * operation on its own store and answers `{lines, exitCode}` (or `{error}`).
 *
 * Why a Unix socket in the data folder, mode 0600: only the operator who owns the store (the same OS
 * user) can connect; nothing listens on the network, so no token is needed to administer it.
 */
export interface AdminSocket {
  path: string;
  close(): Promise<void>;
}

interface Request {
  operation: string;
  args?: unknown;
}

type Response = OperationResult | { error: string; exitCode: number };

const MAX_REQUEST_BYTES = 1024 * 1024;

export async function startAdminSocket(path: string, context: OperationContext, logger: Logger): Promise<AdminSocket> {
  fs.rmSync(path, { force: true }); // a socket file left by a process that died
  const server = net.createServer((socket) => {
    let buffer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      if (buffer.length > MAX_REQUEST_BYTES) return reply(socket, { error: 'request too large', exitCode: 1 });
      const newline = buffer.indexOf('\n');
      if (newline < 0) return;
      void handle(buffer.slice(0, newline)).then((response) => reply(socket, response));
    });
    socket.on('error', (error) => logger.warn({ err: error }, 'admin socket connection failed'));
  });
  const handle = async (line: string): Promise<Response> => {
    let request: Request;
    try {
      request = JSON.parse(line) as Request;
    } catch {
      return { error: 'the request is not JSON', exitCode: 1 };
    }
    try {
      logger.info({ operation: request.operation }, 'operation requested through the admin socket');
      return await runOperation(request.operation, request.args, context);
    } catch (error) {
      if (!(error instanceof InputError)) logger.error({ err: error, operation: request.operation }, 'operation failed');
      return { error: error instanceof Error ? error.message : String(error), exitCode: 1 };
    }
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  fs.chmodSync(path, 0o600);
  return {
    path,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        fs.rmSync(path, { force: true });
      }),
  };
}

function reply(socket: net.Socket, response: Response): void {
  if (socket.writable) socket.end(`${JSON.stringify(response)}\n`);
}

/** Sends one operation to the server listening on `path`; resolves with its answer. */
export function sendOperation(path: string, operation: string, args: unknown, timeoutMs = 15 * 60_000): Promise<OperationResult> {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection(path);
    let buffer = '';
    socket.setEncoding('utf8');
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer from the server within ${timeoutMs / 1000} s`)));
    socket.on('connect', () => socket.write(`${JSON.stringify({ operation, args })}\n`));
    socket.on('data', (chunk: string) => (buffer += chunk));
    socket.on('error', (error) => reject(new Error(`cannot reach the running server through ${path}: ${error.message}`)));
    socket.on('end', () => {
      try {
        const response = JSON.parse(buffer) as Response;
        if ('error' in response) reject(new InputError(response.error));
        else resolve(response);
      } catch {
        reject(new Error('the running server gave an unreadable answer'));
      }
    });
  });
}
