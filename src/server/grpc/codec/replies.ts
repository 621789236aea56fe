/**
 * Whole success replies of the hot RPCs encoded straight from service results: the bytes protobufjs
 * writes for `{ ...toWire(result), status: successStatus() }` (test/server/pb-codec.test.ts compares
 * them bit for bit), without the plain-object detour (int64 ids as strings, scores as number[],
 * `fromObject`, `encode`). Output columns are written from their typed arrays where
 * field-data-bytes.ts can (numbers, text, dense vectors: what the SDK's default `output_fields ['*']`
 * brings back with every search), the rest through the descriptor-driven codec, column by column.
 */
import type { HighlightResult, PrimaryKeys, SearchResult, MutationResult, OutputColumn, QueryResult } from '../../../service/types.js';
import { messageCodec } from '../proto.js';
import { fieldDataToWire } from './field-data-encode.js';
import { fieldsDataToWire } from './struct-data.js';
import { writeFieldData } from './field-data-bytes.js';
import type { Wire } from './wire.js';
import { PbWriter } from './pb/writer.js';
import { successStatus } from './status.js';

/** A complete success response, status included; the serializer sends its bytes as they are. */
export class EncodedReply {
  constructor(readonly bytes: Buffer) {}
}

let statusBytes: Buffer | undefined;
/** `common.Status` of a success, as protobufjs encodes successStatus(). */
function successStatusBytes(): Buffer {
  statusBytes ??= messageCodec('milvus.proto.common.Status').serialize(successStatus());
  return statusBytes;
}

let fieldDataCodec: ReturnType<typeof messageCodec> | undefined;
function fieldDataBytes(c: OutputColumn): Buffer {
  return wireFieldDataBytes(fieldDataToWire(c));
}
function wireFieldDataBytes(fd: Wire): Buffer {
  fieldDataCodec ??= messageCodec('milvus.proto.schema.FieldData');
  return fieldDataCodec.serialize(fd);
}

const LD = 2;

/** `schema.IDs`: int_id (1) or str_id (2), a LongArray / StringArray with one packed / repeated `data`. */
function writeIds(w: PbWriter, ids: PrimaryKeys): void {
  if (ids.kind === 'varchar') {
    w.tag(2, LD).message((s) => { for (const v of ids.data) s.tag(1, LD).string(v); });
    return;
  }
  w.tag(1, LD).message((l) => {
    const n = ids.data.length;
    if (n === 0) return;
    const halves = new Uint32Array(ids.data.buffer, ids.data.byteOffset, n * 2);
    l.tag(1, LD).message((p) => { for (let i = 0; i < n; i++) p.varint64(halves[2 * i]!, halves[2 * i + 1]!); });
  });
}

function writeScores(w: PbWriter, scores: Float32Array): void {
  if (scores.length === 0) return;
  w.tag(4, LD).bytes(new Uint8Array(scores.buffer, scores.byteOffset, scores.length * 4));
}

/**
 * `fields_data` (3): each column written straight from its typed array when field-data-bytes.ts can,
 * else through the descriptor; with struct members, all through `fieldsDataToWire` (it gathers them).
 */
function writeOutputColumns(w: PbWriter, tag: number, columns: readonly OutputColumn[]): void {
  if (columns.some((oc) => oc.field.structMember !== undefined)) {
    for (const fd of fieldsDataToWire(columns)) w.tag(tag, LD).bytes(wireFieldDataBytes(fd));
    return;
  }
  for (const oc of columns) if (!writeFieldData(w, tag, oc)) w.tag(tag, LD).bytes(fieldDataBytes(oc));
}

/** `schema.SearchResultData`, fields in id order as protobufjs writes them. */
function writeSearchResultData(w: PbWriter, r: SearchResult): void {
  w.tag(1, 0).uint53(r.nq);
  w.tag(2, 0).uint53(r.topK);
  writeOutputColumns(w, 3, r.columns);
  writeScores(w, r.scores);
  w.tag(5, LD).message((s) => writeIds(s, r.ids));
  if (r.topks.length > 0) w.tag(6, LD).message((p) => { for (const k of r.topks) p.uint53(k); });
  for (const f of r.outputFields) w.tag(7, LD).string(f);
  if (r.groupByValues !== null) w.tag(8, LD).bytes(fieldDataBytes(r.groupByValues));
  const it = r.iterator;
  if (it !== undefined) w.tag(11, LD).message((s) => s.tag(1, LD).string(it.token).tag(2, 5).float(it.lastBound));
  w.tag(13, LD).string(r.primaryFieldName);
  for (const h of r.highlights ?? []) w.tag(14, LD).message((m) => writeHighlightResult(m, h));
  const offsets = r.elementIndices;
  if (offsets !== undefined && offsets.length > 0) w.tag(15, LD).message((l) => l.tag(1, LD).message((p) => { for (const o of offsets) p.uint53(o); }));
}

/** `common.HighlightResult`: field_name (1), datas (2) = HighlightData{fragments (1), scores (2, packed)}. */
function writeHighlightResult(w: PbWriter, h: HighlightResult): void {
  w.tag(1, LD).string(h.fieldName);
  for (const d of h.datas) {
    w.tag(2, LD).message((m) => {
      for (const f of d.fragments) m.tag(1, LD).string(f);
      if (d.scores.length > 0) m.tag(2, LD).bytes(new Uint8Array(Float32Array.from(d.scores).buffer));
    });
  }
}

/** `milvus.SearchResults` of a successful Search / HybridSearch. */
export function searchReply(r: SearchResult, collectionName: string): EncodedReply {
  const w = new PbWriter(256 + r.scores.length * 16);
  w.tag(1, LD).bytes(successStatusBytes());
  w.tag(2, LD).message((s) => writeSearchResultData(s, r));
  w.tag(3, LD).string(collectionName);
  return new EncodedReply(w.finish());
}

/** `milvus.QueryResults` of a successful Query: fields_data (2), collection_name, output_fields, primary_field_name, element_indices. */
export function queryReply(r: QueryResult, collectionName: string): EncodedReply {
  const w = new PbWriter(256);
  w.tag(1, LD).bytes(successStatusBytes());
  writeOutputColumns(w, 2, r.columns);
  w.tag(3, LD).string(collectionName);
  for (const f of r.outputFields) w.tag(4, LD).string(f);
  w.tag(6, LD).string(r.primaryFieldName);
  for (const row of r.elementIndices ?? []) {
    w.tag(7, LD).message((e) => e.tag(1, LD).message((l) => {
      if (row.length > 0) l.tag(1, LD).message((p) => { for (const o of row) p.uint53(o); });
    }));
  }
  return new EncodedReply(w.finish());
}

/** `milvus.MutationResult` of a successful Insert / Upsert / Delete (succ_index = 0..n-1, acknowledged). */
export function mutationReply(r: MutationResult): EncodedReply {
  const n = r.ids.data.length;
  const w = new PbWriter(64 + n * 12);
  w.tag(1, LD).bytes(successStatusBytes());
  w.tag(2, LD).message((s) => writeIds(s, r.ids));
  if (n > 0) w.tag(3, LD).message((p) => { for (let i = 0; i < n; i++) p.uint32(i); });
  w.tag(5, 0).bool(true);
  w.tag(6, 0).uint53(r.insertCount);
  w.tag(7, 0).uint53(r.deleteCount);
  w.tag(8, 0).uint53(r.upsertCount);
  const ts = BigInt.asUintN(64, r.timestamp);
  w.tag(9, 0).varint64(Number(ts & 0xffffffffn), Number(ts >> 32n));
  return new EncodedReply(w.finish());
}

const boolReplies = new Map<boolean, EncodedReply>();
/** `milvus.BoolResponse` (HasCollection, HasPartition). */
export function boolReply(value: boolean): EncodedReply {
  let r = boolReplies.get(value);
  if (r === undefined) {
    const w = new PbWriter(32);
    w.tag(1, LD).bytes(successStatusBytes());
    w.tag(2, 0).bool(value);
    r = new EncodedReply(w.finish());
    boolReplies.set(value, r);
  }
  return r;
}
