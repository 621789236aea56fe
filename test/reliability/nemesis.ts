/**
 * The kill -9 soak's nemesis: after some steady writing it starts the operation a phase targets
 * (flush, compaction, index build, load) and SIGKILLs the server a few milliseconds later, noting
 * whether that operation was still unacknowledged when the kill came. `recovery` kills a restarting
 * server at a random moment before (or just after) it listens.
 */
import type { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { COLLECTION } from './check.js';
import { sleep, spawnServer, type ServerProc } from './server-proc.js';

export const PHASES = ['steady', 'flush', 'compaction', 'index', 'load', 'recovery'] as const;
export type Phase = (typeof PHASES)[number];

export interface KillStats {
  /** Kills aimed at each phase. */
  targeted: Record<Phase, number>;
  /** Of those, kills that landed while the targeted operation was still unacknowledged / running. */
  during: Record<Phase, number>;
}

export function newKillStats(): KillStats {
  const zero = (): Record<Phase, number> => ({ steady: 0, flush: 0, compaction: 0, index: 0, load: 0, recovery: 0 });
  return { targeted: zero(), during: zero() };
}

/** Start `op` without waiting; returns a probe telling whether it has finished. */
function started(op: Promise<unknown>): () => boolean {
  let done = false;
  op.then(() => { done = true; }, () => { done = true; });
  return () => done;
}

/**
 * Wait `workloadMs`, provoke the phase, then kill. `markKilled` is called just before SIGKILL so
 * writers count their in-flight ops as uncertain, not as errors.
 */
export async function strike(
  phase: Phase, nc: MilvusClient, server: ServerProc, workloadMs: number, rand: () => number,
  stats: KillStats, markKilled: () => void,
): Promise<void> {
  await sleep(workloadMs);
  let busy: () => boolean = () => true;
  const name = { collection_name: COLLECTION };
  switch (phase) {
    case 'steady':
    case 'recovery':
      break;
    case 'flush':
      busy = negate(started(nc.flush({ collection_names: [COLLECTION] })));
      await sleep(rand() * 8);
      break;
    case 'compaction':
      busy = negate(started(nc.compact(name)));
      await sleep(rand() * 15);
      break;
    case 'index': {
      // A flush seals growing rows; their index builds start right after it returns.
      await nc.flush({ collection_names: [COLLECTION] });
      await sleep(rand() * 30);
      const d = await nc.describeIndex(name);
      const pending = Number(d.index_descriptions[0]?.pending_index_rows ?? 0);
      busy = () => pending > 0;
      break;
    }
    case 'load':
      await nc.releaseCollection(name);
      busy = negate(started(nc.loadCollectionAsync(name)));
      await sleep(rand() * 10);
      break;
  }
  markKilled();
  const during = busy();
  await server.kill9();
  stats.targeted[phase]++;
  if (during && phase !== 'steady' && phase !== 'recovery') stats.during[phase]++;
}

function negate(f: () => boolean): () => boolean {
  return () => !f();
}

/** Restart and SIGKILL at a random moment up to `windowMs` from spawn (replay, reload, index resume). */
export async function killDuringRecovery(dataDir: string, port: number, windowMs: number, rand: () => number, stats: KillStats): Promise<void> {
  const s = spawnServer(dataDir, port);
  let listening = false;
  s.ready.then(() => { listening = true; }, () => undefined);
  await sleep(rand() * windowMs);
  const before = !listening;
  await s.kill9();
  stats.targeted.recovery++;
  if (before) stats.during.recovery++;
}
