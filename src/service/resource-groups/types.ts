/**
 * The vocabulary of resource groups (Milvus querycoord's resource manager, rgpb.ResourceGroupConfig)
 * shared by the service and its doors.
 */

export const DEFAULT_RESOURCE_GROUP = '__default_resource_group';
/** What DescribeResourceGroup reports as the default group's capacity (Milvus defaultResourceGroupCapacity). */
export const DEFAULT_RESOURCE_GROUP_CAPACITY = 1_000_000;

export interface NodeLabel { key: string; value: string }

export interface ResourceGroupConfig {
  requests: { nodeNum: number };
  limits: { nodeNum: number };
  transferFrom: string[];
  transferTo: string[];
  /** Only nodes carrying every label may join the group (the default group takes any node). */
  nodeFilter: { nodeLabels: NodeLabel[] };
}

/** A configuration as a door received it: `requests` / `limits` may be missing (Milvus then refuses it). */
export interface ResourceGroupConfigInput {
  requests?: { nodeNum: number } | undefined;
  limits?: { nodeNum: number } | undefined;
  transferFrom?: string[];
  transferTo?: string[];
  nodeFilter?: { nodeLabels: NodeLabel[] } | undefined;
}

export interface NodeInfo { nodeId: number; address: string; hostname: string }

/** A live query node of a cluster (issue #14): its id, where it serves, the group it asked for at start. */
export interface ClusterNode { id: string; endpoint: string; resourceGroup?: string | undefined }

/** Where a cluster's live query nodes are read (server/query-cluster.ts, over etcd). */
export interface ClusterNodeSource {
  queryNodes(): Promise<ClusterNode[]>;
  /** A node's id as the resource groups and GetReplicas report it (int64 in Milvus). */
  numericId(id: string): number;
}

export interface ResourceGroupDescription {
  name: string;
  /** Deprecated in Milvus: requests.node_num, or 1000000 for the default group. */
  capacity: number;
  numAvailableNode: number;
  /** Collection name -> replicas of it in this group. */
  numLoadedReplica: Record<string, number>;
  numOutgoingNode: Record<string, number>;
  numIncomingNode: Record<string, number>;
  config: ResourceGroupConfig;
  nodes: NodeInfo[];
}

export interface CreateResourceGroupRequest { resourceGroup: string; config?: ResourceGroupConfigInput | undefined }
export interface UpdateResourceGroupsRequest { resourceGroups: Record<string, ResourceGroupConfigInput> }
export interface TransferNodeRequest { sourceResourceGroup: string; targetResourceGroup: string; numNode: number }
export interface TransferReplicaRequest {
  sourceResourceGroup: string;
  targetResourceGroup: string;
  dbName?: string | undefined;
  collectionName: string;
  numReplica: number;
}

/** One in-memory replica of a loaded collection (GetReplicas). */
export interface ReplicaInfo {
  replicaId: bigint;
  collectionId: bigint;
  partitionIds: bigint[];
  resourceGroup: string;
  nodeIds: number[];
  shardsNum: number;
  /** The nodes' addresses when they are other processes (query nodes, issue #14). */
  nodeAddresses?: string[];
}
