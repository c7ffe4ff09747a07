import fs from 'node:fs';
import type { Kind, Problem } from '../report';

/** One record of the file, as read: its v1 values (unknown columns left out) and where it is. */
export interface RawRow {
  kind: Kind;
  sheet?: string;
  line?: number;
  values: Record<string, unknown>;
  /** Problems of the row's cells found while reading (a formula without value, a padded code…). */
  problems: Problem[];
  /** The values are typed (JSON, NDJSON): unknown keys are still among them, to be reported. */
  typed?: boolean;
}

export interface ReadOptions {
  /** This pass reads the records of this kind only (structures first, then services: two passes). */
  want: Kind;
  /** The kind of every record of a CSV or NDJSON file (`--kind`); otherwise told by the records. */
  kind?: Kind;
  /** Problems of the file or its header (only those of the wanted kind). */
  report(problem: Problem): void;
  /** Control rows (`__ignore__`) skipped. */
  ignored(kind: Kind): void;
  /** Bytes of the file read so far by this pass (progress). */
  onBytes?(bytes: number): void;
}

export type Reader = (file: string, options: ReadOptions) => AsyncGenerator<RawRow>;

/** A file stream that counts what it reads. */
export function countedStream(file: string, onBytes?: (bytes: number) => void, encoding?: BufferEncoding): fs.ReadStream {
  const stream = fs.createReadStream(file, encoding ? { encoding, highWaterMark: 256 * 1024 } : { highWaterMark: 256 * 1024 });
  if (onBytes) {
    let bytes = 0;
    stream.on('data', (chunk: string | Buffer) => {
      bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
      onBytes(bytes);
    });
  }
  return stream;
}
