// Parquet is encoded in a worker thread, not in the thread that answers requests.
//
// Why: hyparquet-writer makes a lot of short-lived objects for each row group (column arrays, encoded and
// compressed pages), enough to be promoted to the old generation before they die. In the server's own heap
// that garbage piled up between major collections (peak RSS 448–477 MB for 180k services against ~250 MB at
// rest), and each row group's encoding held the event loop (/healthz up to 0.5 s). In a worker whose heap is
// capped (`resourceLimits`), V8 collects it as it goes (measured in process on 180k services: +77 MB peak
// against +135 MB in the request thread), and the request thread only reads batches and writes bytes.
// XLSX stays in the request thread: once exceljs's zip entry is drained (src/exports/formats.ts) its memory is
// flat there, and the worker's copies and capped heap cost it 45 % more CPU (18.9 against 13.1 CPU-s).
//
// The protocol is pull-based in both directions, so nothing queues without bound: the worker asks for
// the next batch (`next`) when its encoder wants one; each chunk of the file it sends (`chunk`) is
// acknowledged (`written`) once the destination has taken it (backpressure from the HTTP client or the disk).
import path from 'node:path';
import { Writable } from 'node:stream';
import { parentPort, Worker, workerData } from 'node:worker_threads';
import { repoPath } from '../paths';
import { put, writeExport, type ExportFormat, type ExportMetadata } from './formats';
import type { PublicRecord } from './public-records';

/** The formats encoded in a worker (the others are cheaper, and faster, in the request thread). */
export const WORKER_FORMATS: ReadonlySet<ExportFormat> = new Set(['parquet']);

/**
 * The worker's heap limits (MB). Its live set is one row group (2,000 rows) and the encoder's state, a few MB;
 * the caps make V8 collect early instead of letting garbage grow.
 */
export const WORKER_LIMITS = { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 8 };

type ToWorker = { type: 'batch'; rows: PublicRecord[] } | { type: 'end' } | { type: 'written' };
type FromWorker =
  | { type: 'next' }
  | { type: 'chunk'; bytes: Uint8Array }
  | { type: 'finish' }
  | { type: 'done'; rows: number }
  | { type: 'error'; message: string };

interface WorkerJob {
  format: ExportFormat;
  meta: ExportMetadata;
}

/** The compiled worker script: this module, built (under Jest the sources are TypeScript, so `npm test` builds first). */
function workerScript(): string {
  return __filename.endsWith('.js') ? __filename : repoPath('dist', 'src', 'exports', `${path.basename(__filename, '.ts')}.js`);
}

/** Writes an export to `out` as `writeExport` does, Parquet encoded in a worker thread. */
export function encodeExport(format: ExportFormat, batches: AsyncIterable<PublicRecord[]>, out: Writable, meta: ExportMetadata): Promise<number> {
  return WORKER_FORMATS.has(format) ? writeExportInWorker(format, batches, out, meta) : writeExport(format, batches, out, meta);
}

/**
 * Writes `format` to `out` from `batches`, the encoding done in a worker thread; ends `out`.
 * Returns the number of rows. A failure in the worker rejects (and `out` is left for the caller to destroy).
 */
export async function writeExportInWorker(format: ExportFormat, batches: AsyncIterable<PublicRecord[]>, out: Writable, meta: ExportMetadata): Promise<number> {
  const iterator = batches[Symbol.asyncIterator]();
  const worker = new Worker(workerScript(), { workerData: { format, meta } satisfies WorkerJob, resourceLimits: WORKER_LIMITS });
  try {
    return await new Promise<number>((resolve, reject) => {
      let settled = false;
      const fail = (error: unknown) => {
        if (settled) return;
        settled = true;
        reject(error instanceof Error ? error : new Error(String(error)));
      };
      worker.on('error', fail);
      worker.on('exit', (code) => fail(new Error(`the ${format} encoder stopped (exit code ${code}) before the end of the file`)));
      worker.on('message', (message: FromWorker) => {
        const step = async () => {
          switch (message.type) {
            case 'next': {
              const next = await iterator.next();
              worker.postMessage((next.done ? { type: 'end' } : { type: 'batch', rows: next.value }) satisfies ToWorker);
              return;
            }
            case 'chunk':
              await put(out, Buffer.from(message.bytes.buffer, message.bytes.byteOffset, message.bytes.byteLength));
              worker.postMessage({ type: 'written' } satisfies ToWorker);
              return;
            case 'finish':
              if (!out.writableEnded) out.end();
              return;
            case 'done':
              if (!out.writableFinished) await new Promise<void>((done, failed) => out.once('finish', done).once('error', failed));
              settled = true;
              resolve(message.rows);
              return;
            case 'error':
              throw new Error(message.message);
          }
        };
        step().catch(fail);
      });
    });
  } finally {
    await iterator.return?.();
    await worker.terminate();
  }
}

/** The worker's side: the same writer as in the request thread, reading batches and writing chunks by message. */
function runWorker(port: NonNullable<typeof parentPort>, job: WorkerJob): void {
  // A batch may be awaited while a chunk's acknowledgement is (an encoder may write whenever it likes):
  // one waiter for each kind of answer. There is at most one of each at a time (a request waits for its answer).
  let onBatch: ((message: ToWorker) => void) | undefined;
  let onWritten: (() => void) | undefined;
  port.on('message', (message: ToWorker) => (message.type === 'written' ? onWritten?.() : onBatch?.(message)));
  const send = (message: FromWorker, transfer?: ArrayBuffer[]) => port.postMessage(message, transfer);

  async function* batches(): AsyncGenerator<PublicRecord[]> {
    for (;;) {
      const answer = new Promise<ToWorker>((resolve) => (onBatch = resolve));
      send({ type: 'next' });
      const message = await answer;
      if (message.type === 'end') return;
      if (message.type === 'batch') yield message.rows;
    }
  }
  const out = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      // A copy of its own, so it can be transferred (a Buffer may be a view into a shared pool).
      const bytes = new Uint8Array(chunk);
      onWritten = () => callback();
      send({ type: 'chunk', bytes }, [bytes.buffer as ArrayBuffer]);
    },
    final(callback) {
      send({ type: 'finish' });
      callback();
    },
  });
  writeExport(job.format, batches(), out, { ...job.meta, generatedAt: new Date(job.meta.generatedAt) })
    .then((rows) => send({ type: 'done', rows }))
    .catch((error: unknown) => send({ type: 'error', message: error instanceof Error ? error.message : String(error) }));
}

if (parentPort && (workerData as WorkerJob | undefined)?.format) runWorker(parentPort, workerData as WorkerJob);
