// Parquet with hyparquet-writer (ESM only; Node ≥ 20.19 `require`s it, and tsc's CommonJS output turns this
// module's `import()` into that `require`). Its ParquetWriter writes a row group per `write()` and calls its
// Writer's `flush()` after each: ours hands the bytes to the stream and waits for it to drain, so a file of any
// size is never held whole. Types as pyarrow writes the reference's pandas frame: text BYTE_ARRAY/UTF8, numbers
// DOUBLE (nombre_semaines INT32), date_maj DATE, lists LIST<STRING> (3-level, `list.element`).
import type { Writable } from 'node:stream';
import { drained, put, type ExportMetadata } from './formats';
import { exportColumns, LIST_FIELDS, type PublicRecord } from './public-records';

type HyparquetWriter = typeof import('hyparquet-writer');
type SchemaElement = { name: string; type?: string; converted_type?: string; repetition_type?: string; num_children?: number };

/**
 * Rows per row group: big enough for good compression, small enough that one group's encoding is short (it holds
 * the thread: 10,000-row groups stalled other requests for ~0.5 s on 180k services) and its columns are small.
 */
export const PARQUET_ROW_GROUP = 2_000;

function schemaFor(columns: readonly string[], lists: ReadonlySet<string>): SchemaElement[] {
  const schema: SchemaElement[] = [{ name: 'root', num_children: columns.length }];
  for (const column of columns) {
    if (lists.has(column)) {
      schema.push(
        { name: column, repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
        { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
        { name: 'element', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
      );
    } else if (column === 'date_maj') {
      schema.push({ name: column, type: 'INT32', converted_type: 'DATE', repetition_type: 'OPTIONAL' });
    } else if (column === 'nombre_semaines') {
      schema.push({ name: column, type: 'INT32', repetition_type: 'OPTIONAL' });
    } else if (['longitude', 'latitude', 'volume_horaire_hebdomadaire', 'score_qualite'].includes(column)) {
      schema.push({ name: column, type: 'DOUBLE', repetition_type: 'OPTIONAL' });
    } else {
      schema.push({ name: column, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' });
    }
  }
  return schema;
}

export async function writeParquet(batches: AsyncIterable<PublicRecord[]>, out: Writable, meta: ExportMetadata): Promise<number> {
  const { ByteWriter, ParquetWriter }: HyparquetWriter = await import('hyparquet-writer');
  const columns = exportColumns(meta.entity);
  const lists = new Set(LIST_FIELDS[meta.entity]);

  // The bytes encoded so far go to `out` at each flush (after a row group, and at the end).
  const writer = new ByteWriter(1 << 20);
  const flush = async () => {
    if (writer.index === 0) return;
    const chunk = new Uint8Array(writer.buffer.slice(0, writer.index));
    writer.index = 0;
    await put(out, chunk);
  };
  Object.assign(writer, { flush, finish: () => undefined });

  const parquet = new ParquetWriter({
    writer,
    schema: schemaFor(columns, lists) as never,
    createdBy: 'Passerelle (hyparquet-writer)',
    kvMetadata: [
      { key: 'passerelle.entity', value: meta.entity },
      { key: 'passerelle.generated_at', value: meta.generatedAt.toISOString() },
      { key: 'passerelle.filters', value: meta.filters },
    ],
  });

  let pending: PublicRecord[] = [];
  let rows = 0;
  const writeGroup = async () => {
    if (pending.length === 0) return;
    const columnData = columns.map((name) => ({
      name,
      data: pending.map((record) => (name === 'date_maj' ? new Date(`${record.date_maj as string}T00:00:00Z`) : record[name])),
    }));
    rows += pending.length;
    pending = [];
    await parquet.write({ columnData: columnData as never, rowGroupSize: Number.MAX_SAFE_INTEGER });
    await flush();
  };
  for await (const batch of batches) {
    for (const record of batch) pending.push(record);
    if (pending.length >= PARQUET_ROW_GROUP) await writeGroup();
  }
  await writeGroup();
  parquet.finish();
  await flush();
  await drained(out);
  out.end();
  await new Promise<void>((resolve, reject) => {
    if (out.writableFinished) return resolve();
    out.once('finish', resolve);
    out.once('error', reject);
  });
  return rows;
}
