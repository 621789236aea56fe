/**
 * Which node belongs to which resource group: Milvus querycoord's declarative rules (meta/resource_group.go,
 * resource_manager.go), pure functions over a catalog draft. A group `requests` nodes and accepts up
 * to `limits`; recovery moves nodes from groups over their requests (highest priority: groups over
 * their limits, then the group's `transfer_from`) into groups missing nodes, and out of groups over
 * their limits (preferring `transfer_to`, finally the default group). Milvus runs this in a
 * background observer; here it runs to a fixed point after every change, in creation order.
 */
import { assert } from '../../core/assert.js';
import { DEFAULT_RESOURCE_GROUP, type NodeLabel, type ResourceGroupConfig } from './types.js';

export interface GroupRecord { name: string; config: ResourceGroupConfig; nodes: number[] }

/** The nodes that exist and their labels (Milvus: the query node sessions). */
export type NodeLabels = ReadonlyMap<number, readonly NodeLabel[]>;

export function acceptNode(g: GroupRecord, node: number, nodes: NodeLabels): boolean {
  if (g.name === DEFAULT_RESOURCE_GROUP) return true;
  const labels = nodes.get(node);
  if (labels === undefined) return false;
  const required = g.config.nodeFilter.nodeLabels;
  if (required.length === 0) return true;
  return required.every((r) => labels.some((l) => l.key === r.key && l.value === r.value));
}

/** The group's nodes that match its node filter (Milvus GetNodes). */
export function usableNodes(g: GroupRecord, nodes: NodeLabels): number[] {
  if (g.config.nodeFilter.nodeLabels.length === 0) return [...g.nodes];
  return g.nodes.filter((n) => acceptNode(g, n, nodes));
}

const dirty = (g: GroupRecord, nodes: NodeLabels): number[] => g.nodes.filter((n) => !acceptNode(g, n, nodes));
const count = (g: GroupRecord, nodes: NodeLabels): number => usableNodes(g, nodes).length;
const missing = (g: GroupRecord, nodes: NodeLabels): number => Math.max(0, g.config.requests.nodeNum - count(g, nodes));
const reachLimit = (g: GroupRecord, nodes: NodeLabels): number => Math.max(0, g.config.limits.nodeNum - count(g, nodes));
const oversized = (g: GroupRecord, nodes: NodeLabels): number => Math.max(0, count(g, nodes) - g.config.requests.nodeNum) + dirty(g, nodes).length;
const redundant = (g: GroupRecord, nodes: NodeLabels): number => Math.max(0, count(g, nodes) - g.config.limits.nodeNum) + dirty(g, nodes).length;

/** The resource group each node asked for at start (a query node's `--resource-group`). */
type Homes = ReadonlyMap<number, string>;

/**
 * A node `src` can give to `target`: a dirty one first, then any beyond its requests (one that
 * asked for `target` at start first); -1 when none.
 */
function selectNodeFor(src: GroupRecord, target: GroupRecord, nodes: NodeLabels, homes: Homes): number {
  for (const n of dirty(src, nodes)) if (acceptNode(target, n, nodes)) return n;
  if (count(src, nodes) - src.config.requests.nodeNum > 0) {
    const usable = usableNodes(src, nodes).filter((n) => acceptNode(target, n, nodes));
    return usable.find((n) => homes.get(n) === target.name) ?? usable[0] ?? -1;
  }
  return -1;
}

function moveNode(groups: GroupRecord[], node: number, to: GroupRecord): void {
  for (const g of groups) g.nodes = g.nodes.filter((n) => n !== node);
  to.nodes.push(node);
  to.nodes.sort((a, b) => a - b);
}

interface Pick { node: number; group: GroupRecord }

function pickSource(groups: GroupRecord[], target: GroupRecord, nodes: NodeLabels, homes: Homes): Pick | undefined {
  let best: Pick | undefined;
  let bestPriority = 0;
  for (const g of groups) {
    if (g === target || oversized(g, nodes) <= 0) continue;
    const r = redundant(g, nodes);
    const priority = r > 0 ? r * 1_000_000 : target.config.transferFrom.includes(g.name) ? oversized(g, nodes) * 100_000 : oversized(g, nodes);
    if (priority <= bestPriority) continue;
    const node = selectNodeFor(g, target, nodes, homes);
    if (node === -1) continue;
    best = { node, group: g };
    bestPriority = priority;
  }
  return best;
}

function pickTarget(groups: GroupRecord[], source: GroupRecord, nodes: NodeLabels, homes: Homes): Pick | undefined {
  let best: Pick | undefined;
  let bestPriority = 0;
  for (const g of groups) {
    if (g === source || reachLimit(g, nodes) <= 0) continue;
    const m = missing(g, nodes);
    const priority = m > 0 ? m * 1_000_000 : source.config.transferTo.includes(g.name) ? reachLimit(g, nodes) * 100_000 : reachLimit(g, nodes);
    if (priority <= bestPriority) continue;
    const node = selectNodeFor(source, g, nodes, homes);
    if (node === -1) continue;
    best = { node, group: g };
    bestPriority = priority;
  }
  if (best === undefined && source.name !== DEFAULT_RESOURCE_GROUP) {
    const def = groups.find((g) => g.name === DEFAULT_RESOURCE_GROUP);
    const node = def === undefined ? -1 : selectNodeFor(source, def, nodes, homes);
    if (def !== undefined && node !== -1) best = { node, group: def };
  }
  return best;
}

/** One group's recovery (Milvus AutoRecoverResourceGroup); true when a node moved. */
function recoverGroup(groups: GroupRecord[], g: GroupRecord, nodes: NodeLabels, homes: Homes): boolean {
  let moved = false;
  for (let guard = 0; guard <= nodes.size; guard++) {
    if (missing(g, nodes) > 0) {
      const src = pickSource(groups, g, nodes, homes);
      if (src === undefined) return moved;
      moveNode(groups, src.node, g);
    } else if (redundant(g, nodes) > 0) {
      const dst = pickTarget(groups, g, nodes, homes);
      if (dst === undefined) return moved;
      moveNode(groups, dst.node, dst.group);
    } else {
      return moved;
    }
    moved = true;
  }
  return moved;
}

/**
 * Bring `groups` (edited in place) to Milvus' steady state for the nodes that exist: nodes that are
 * gone leave their group, a node in no group joins one (its `homes` group when that exists, takes
 * it and has room below its limits; else most missing nodes first, then room below the limits, else
 * the default group), then every group recovers until nothing moves (a group short of nodes takes
 * one that asked for it at start first).
 */
export function rebalance(groups: GroupRecord[], nodes: NodeLabels, homes: Homes = new Map()): void {
  for (const g of groups) g.nodes = g.nodes.filter((n) => nodes.has(n));
  for (const node of [...nodes.keys()].sort((a, b) => a - b)) {
    if (groups.some((g) => g.nodes.includes(node))) continue;
    const home = groups.find((g) => g.name === homes.get(node));
    const roomy = home !== undefined && acceptNode(home, node, nodes) && reachLimit(home, nodes) > 0;
    moveNode(groups, node, roomy ? home : incomingTarget(groups, node, nodes));
  }
  for (let pass = 0; pass <= groups.length * (nodes.size + 1); pass++) {
    let moved = false;
    for (const g of groups) if (recoverGroup(groups, g, nodes, homes)) moved = true;
    if (!moved) return;
  }
}

function incomingTarget(groups: GroupRecord[], node: number, nodes: NodeLabels): GroupRecord {
  const byMax = (score: (g: GroupRecord) => number): GroupRecord | undefined => {
    let best: GroupRecord | undefined;
    for (const g of groups) if (score(g) > 0 && acceptNode(g, node, nodes) && (best === undefined || score(g) > score(best))) best = g;
    return best;
  };
  const def = groups.find((g) => g.name === DEFAULT_RESOURCE_GROUP);
  const chosen = byMax((g) => missing(g, nodes)) ?? byMax((g) => reachLimit(g, nodes)) ?? def;
  assert(chosen !== undefined, 'the default resource group exists');
  return chosen;
}
