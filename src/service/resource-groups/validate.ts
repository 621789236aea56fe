/**
 * Milvus' checks of resource group names (proxy ValidateResourceGroupName: untyped errors, code
 * 65535) and configurations (querycoord validateResourceGroupConfig: code 303 with the config
 * printed in protobuf text form).
 */
import { errors, resourceGroupErrors } from '../../core/errors.js';
import { limits } from '../../core/limits.js';
import type { GroupRecord } from './balance.js';
import type { ResourceGroupConfig, ResourceGroupConfigInput } from './types.js';

const isAlpha = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isDigit = (c: number): boolean => c >= 48 && c <= 57;

export function validateResourceGroupName(name: string): void {
  if (name === '') throw errors.unexpected("resource group name couldn't be empty");
  const invalid = `Invalid resource group name ${name}.`;
  if (Buffer.byteLength(name, 'utf8') > limits.maxNameLength) {
    throw errors.unexpected(`${invalid} the length of a resource group name must be less than ${limits.maxNameLength} characters`);
  }
  const first = name.charCodeAt(0);
  if (first !== 95 && !isAlpha(first)) {
    throw errors.unexpected(`${invalid} the first character of a resource group name must be an underscore or letter`);
  }
  for (let i = 1; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c !== 95 && !isAlpha(c) && !isDigit(c)) {
      throw errors.unexpected(`${invalid} resource group name can only contain numbers, letters and underscores`);
    }
  }
}

/** Go's `%v` of an rgpb.ResourceGroupConfig (protobuf text form, zero values omitted). */
export function configText(c: ResourceGroupConfigInput): string {
  const limit = (l: { nodeNum: number } | undefined): string => (l === undefined ? '' : `{${l.nodeNum !== 0 ? `node_num:${l.nodeNum}` : ''}}`);
  const parts: string[] = [];
  if (c.requests !== undefined) parts.push(`requests:${limit(c.requests)}`);
  if (c.limits !== undefined) parts.push(`limits:${limit(c.limits)}`);
  for (const g of c.transferFrom ?? []) parts.push(`transfer_from:{resource_group:${JSON.stringify(g)}}`);
  for (const g of c.transferTo ?? []) parts.push(`transfer_to:{resource_group:${JSON.stringify(g)}}`);
  const labels = c.nodeFilter?.nodeLabels ?? [];
  if (c.nodeFilter !== undefined) {
    parts.push(`node_filter:{${labels.map((l) => `node_labels:{key:${JSON.stringify(l.key)} value:${JSON.stringify(l.value)}}`).join(' ')}}`);
  }
  return parts.join(' ');
}

/**
 * The configuration of `name` checked against the other groups (Milvus validateResourceGroupConfig),
 * completed with empty lists; throws 303 naming what is wrong.
 */
export function checkedConfig(name: string, input: ResourceGroupConfigInput, groups: readonly GroupRecord[]): ResourceGroupConfig {
  const illegal = (why: string) => resourceGroupErrors.illegalConfig(name, configText(input), why);
  const { requests, limits: lim } = input;
  if (requests === undefined || lim === undefined) throw illegal('requests or limits is required');
  if (requests.nodeNum < 0 || lim.nodeNum < 0) throw illegal('node num in `requests` or `limits` should not less than 0');
  if (lim.nodeNum < requests.nodeNum) throw illegal('limits node num should not less than requests node num');
  const exists = (g: string): boolean => groups.some((x) => x.name === g);
  for (const [list, what] of [[input.transferFrom ?? [], 'TransferFrom'], [input.transferTo ?? [], 'TransferTo']] as const) {
    for (const g of list) {
      if (g === name) throw illegal(`resource group in \`${what}\` ${name} should not be itself`);
      if (!exists(g)) throw illegal(`resource group in \`${what}\` ${g} not exist`);
    }
  }
  return {
    requests: { nodeNum: requests.nodeNum }, limits: { nodeNum: lim.nodeNum },
    transferFrom: [...(input.transferFrom ?? [])], transferTo: [...(input.transferTo ?? [])],
    nodeFilter: { nodeLabels: (input.nodeFilter?.nodeLabels ?? []).map((l) => ({ key: l.key, value: l.value })) },
  };
}

/** proto.Equal of two configurations (an absent node filter equals an empty one). */
export function sameConfig(a: ResourceGroupConfig, b: ResourceGroupConfig): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
