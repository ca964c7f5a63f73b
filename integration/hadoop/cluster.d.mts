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
/** All functions take an optional runDir (default RUN_DIR, the shared cluster) to run private clusters. */
export function readClusterInfo(runDir?: string): ClusterInfo | undefined;
export function runningCluster(runDir?: string): Promise<ClusterInfo | undefined>;
export function ensureBuilt(): Promise<void>;
export interface StartOptions {
  runDir?: string;
  /** Hold a lease: the last lease holder stops a cluster that a test run started. */
  lease?: boolean;
  /** HDFS only (faster start, less memory). */
  noYarn?: boolean;
  timeoutMs?: number;
  datanodes?: number;
  nodemanagers?: number;
  blockSize?: number;
  nmMemoryMb?: number;
}
export function startCluster(opts?: StartOptions): Promise<{ info: ClusterInfo; started: boolean }>;
export function stopCluster(runDir?: string): Promise<boolean>;
export function releaseLease(runDir?: string): Promise<boolean>;
