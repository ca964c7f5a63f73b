// Types for cluster.mjs (plain ESM so the npm scripts run without a TypeScript build).
export interface ClusterDataNode { index: number; running: boolean; uuid: string; xferPort: number; httpPort: number; ipcPort: number; http: string }
export interface ClusterNodeManager { index: number; nodeId: string; address: string; web: string; localDirs: string; logDirs: string }
export interface ClusterInfo {
  pid: number;
  hadoopVersion: string;
  superuser: string;
  control: string;
  hadoopConfDir: string;
  /** HDFS/YARN data (tmpfs when /dev/shm has room). */
  dataDir: string;
  namenode: string;
  namenodeRpcPort: number;
  namenodeHttpPort: number;
  namenodeRunning: boolean;
  webhdfs: string;
  blockSize: number;
  replication: number;
  datanodes: ClusterDataNode[];
  resourceManager?: string;
  resourceManagerScheduler?: string;
  resourceManagerTracker?: string;
  resourceManagerAdmin?: string;
  resourceManagerWeb?: string;
  nodemanagers?: ClusterNodeManager[];
}
export const HADOOP_DIR: string;
export const RUN_DIR: string;
export const CLUSTER_JSON: string;
export const CLUSTER_LOG: string;
export function readClusterInfo(): ClusterInfo | undefined;
export function runningCluster(): Promise<ClusterInfo | undefined>;
export function ensureBuilt(): void;
export function startCluster(opts?: { lease?: boolean; timeoutMs?: number; datanodes?: number; nodemanagers?: number; blockSize?: number; nmMemoryMb?: number }): Promise<{ info: ClusterInfo; started: boolean }>;
export function stopCluster(): Promise<boolean>;
export function releaseLease(): Promise<boolean>;
