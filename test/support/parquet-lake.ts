/**
 * Parquet files for external collection tests, written with the Node SDK's BulkWriter: rows
 * `{id, title, vector}` (the external column names), `title` = tag + row number, `vector` = [i, 1, 0, 0].
 */
import assert from 'node:assert/strict';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { BulkWriter, DataType as SdkType } from '@zilliz/milvus2-sdk-node';

const EXTERNAL_FIELDS = [
  { name: 'id', data_type: SdkType.Int64, is_primary_key: true, autoID: false },
  { name: 'title', data_type: SdkType.VarChar, max_length: 64 },
  { name: 'vector', data_type: SdkType.FloatVector, dim: 4 },
];

/** Writes `n` rows as Parquet files directly in `folder` (BulkWriter writes them in subfolders of a scratch dir). */
export async function writeParquet(folder: string, n: number, tag: string): Promise<void> {
  await rm(folder, { recursive: true, force: true });
  await mkdir(folder, { recursive: true });
  const scratch = `${folder}.scratch`;
  const writer = new BulkWriter({ schema: { fields: EXTERNAL_FIELDS } as never, format: 'parquet', localPath: scratch });
  for (let i = 0; i < n; i++) await writer.append({ id: i, title: `${tag}${i}`, vector: [i, 1, 0, 0] } as never);
  const files = (await writer.close()).flat();
  assert.ok(files.length > 0);
  for (let i = 0; i < files.length; i++) await rename(files[i]!, join(folder, `part-${i}.parquet`));
  await rm(scratch, { recursive: true, force: true });
}

/** `<rel>.parquet` under `root` for each entry (`n` rows, `tag`), subfolders made as the paths name them. */
export async function writeTree(root: string, parts: Record<string, [number, string]>): Promise<void> {
  for (const [rel, [n, tag]] of Object.entries(parts)) {
    const folder = join(root, `${rel}.d`);
    await writeParquet(folder, n, tag);
    const files = (await readdir(folder)).sort();
    await mkdir(join(root, rel, '..'), { recursive: true });
    for (let i = 0; i < files.length; i++) await rename(join(folder, files[i]!), join(root, `${rel}${i === 0 ? '' : `-${i}`}.parquet`));
    await rm(folder, { recursive: true, force: true });
  }
}
