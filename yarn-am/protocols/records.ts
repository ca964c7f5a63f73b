import { tokenFromProto, tokenToProto, type HadoopToken } from '../ipc/credentials.js';
import type { PbObject } from '../ipc/protos.js';

/**
 * Plain TypeScript views of YARN records, and converters to/from the protobuf objects
 * of yarn-am/proto/yarn.proto. Enums travel as numbers on the wire and as names here.
 */

export interface ApplicationId {
  id: number;
  clusterTimestamp: number;
}
export interface ApplicationAttemptId {
  applicationId: ApplicationId;
  attemptId: number;
}
export interface ContainerId {
  applicationAttemptId: ApplicationAttemptId;
  /** 64-bit container id (epoch << 40 | sequence); fits a JS number for any realistic cluster. */
  id: number;
}
export interface Resource {
  memoryMb: number;
  vcores: number;
}
export interface NodeId {
  host: string;
  port: number;
}

export const YARN_APPLICATION_STATES = ['NEW', 'NEW_SAVING', 'SUBMITTED', 'ACCEPTED', 'RUNNING', 'FINISHED', 'FAILED', 'KILLED'] as const;
export type YarnApplicationState = (typeof YARN_APPLICATION_STATES)[number];
export const FINAL_APPLICATION_STATUSES = ['UNDEFINED', 'SUCCEEDED', 'FAILED', 'KILLED', 'ENDED'] as const;
export type FinalApplicationStatus = (typeof FINAL_APPLICATION_STATUSES)[number];
export const NODE_STATES = ['NEW', 'RUNNING', 'UNHEALTHY', 'DECOMMISSIONED', 'LOST', 'REBOOTED', 'DECOMMISSIONING', 'SHUTDOWN'] as const;
export type NodeState = (typeof NODE_STATES)[number];
export const CONTAINER_STATES = ['NEW', 'RUNNING', 'COMPLETE', 'SCHEDULED'] as const;
export type ContainerState = (typeof CONTAINER_STATES)[number];
export const YARN_APPLICATION_ATTEMPT_STATES = [
  'NEW',
  'SUBMITTED',
  'SCHEDULED',
  'ALLOCATED_SAVING',
  'ALLOCATED',
  'LAUNCHED',
  'FAILED',
  'RUNNING',
  'FINISHING',
  'FINISHED',
  'KILLED',
] as const;
export type YarnApplicationAttemptState = (typeof YARN_APPLICATION_ATTEMPT_STATES)[number];
export type LocalResourceType = 'ARCHIVE' | 'FILE' | 'PATTERN';
export type LocalResourceVisibility = 'PUBLIC' | 'PRIVATE' | 'APPLICATION';

/** Container exit statuses with special meaning (org.apache.hadoop.yarn.api.records.ContainerExitStatus). */
export const ContainerExitStatus = {
  SUCCESS: 0,
  INVALID: -1000,
  ABORTED: -100,
  DISKS_FAILED: -101,
  PREEMPTED: -102,
  KILLED_EXCEEDED_VMEM: -103,
  KILLED_EXCEEDED_PMEM: -104,
  KILLED_BY_APPMASTER: -105,
  KILLED_BY_RESOURCEMANAGER: -106,
  KILLED_AFTER_APP_COMPLETION: -107,
} as const;

const LR_TYPES: Record<LocalResourceType, number> = { ARCHIVE: 1, FILE: 2, PATTERN: 3 };
const LR_VIS: Record<LocalResourceVisibility, number> = { PUBLIC: 1, PRIVATE: 2, APPLICATION: 3 };

export interface YarnUrl {
  scheme: string;
  host?: string;
  port?: number;
  file: string;
  userInfo?: string;
}

export interface LocalResource {
  url: YarnUrl;
  /** Size in bytes (must match the file). */
  size: number;
  /** Modification time in ms; must equal the file's mtime or localization fails ("changed on src filesystem"). */
  timestamp: number;
  type: LocalResourceType;
  visibility: LocalResourceVisibility;
  pattern?: string;
}

export interface ContainerLaunchContext {
  commands: string[];
  environment?: Record<string, string>;
  localResources?: Record<string, LocalResource>;
  /** Hadoop token storage stream (HDTS v0, see serializeCredentials) passed to the container. */
  tokens?: Uint8Array;
  serviceData?: Record<string, Uint8Array>;
}

export interface ApplicationSubmissionContext {
  applicationId: ApplicationId;
  applicationName: string;
  /** Default "default". */
  queue?: string;
  priority?: number;
  amContainerSpec: ContainerLaunchContext;
  /** AM container size. */
  resource: Resource;
  maxAppAttempts?: number;
  /** Default "YARN". */
  applicationType?: string;
  applicationTags?: string[];
  unmanagedAm?: boolean;
  keepContainersAcrossApplicationAttempts?: boolean;
  attemptFailuresValidityIntervalMs?: number;
  nodeLabelExpression?: string;
  cancelTokensWhenComplete?: boolean;
}

export interface ApplicationReport {
  applicationId: ApplicationId;
  user: string;
  queue: string;
  name: string;
  host: string;
  rpcPort: number;
  state: YarnApplicationState;
  finalStatus: FinalApplicationStatus;
  trackingUrl: string;
  originalTrackingUrl: string;
  diagnostics: string;
  startTime: number;
  finishTime: number;
  progress: number;
  applicationType: string;
  applicationTags: string[];
  /** Undefined until the RM created an attempt. */
  currentApplicationAttemptId: ApplicationAttemptId | undefined;
  /** Only for unmanaged AMs, once the attempt is launched. */
  amRmToken: HadoopToken | undefined;
  unmanaged: boolean;
}

export interface ApplicationAttemptReport {
  applicationAttemptId: ApplicationAttemptId;
  host: string;
  rpcPort: number;
  trackingUrl: string;
  originalTrackingUrl: string;
  diagnostics: string;
  state: YarnApplicationAttemptState;
  /** The AM's container (its logs live under <NM log dir>/<appId>/<this id>/). */
  amContainerId: ContainerId | undefined;
  startTime: number;
  finishTime: number;
}

export interface NodeReport {
  nodeId: NodeId;
  httpAddress: string;
  rackName: string;
  used: Resource | undefined;
  capability: Resource | undefined;
  numContainers: number;
  state: NodeState;
  healthReport: string;
  lastHealthReportTime: number;
  labels: string[];
}

export interface ClusterMetrics {
  numNodeManagers: number;
  numActiveNodeManagers: number;
  numDecommissionedNodeManagers: number;
  numLostNodeManagers: number;
  numUnhealthyNodeManagers: number;
  numRebootedNodeManagers: number;
}

export interface ResourceRequest {
  priority: number;
  /** "*" for any node, a host name, or a rack. */
  resourceName: string;
  capability: Resource;
  /** Total outstanding containers for (priority, resourceName, capability) — not a delta. */
  numContainers: number;
  relaxLocality?: boolean;
  nodeLabelExpression?: string;
  allocationRequestId?: number;
}

export interface Container {
  id: ContainerId;
  nodeId: NodeId;
  nodeHttpAddress: string;
  resource: Resource;
  priority: number;
  containerToken: HadoopToken;
  allocationRequestId: number;
}

export interface ContainerStatus {
  containerId: ContainerId;
  state: ContainerState;
  diagnostics: string;
  exitStatus: number;
  capability: Resource | undefined;
}

export interface NMToken {
  nodeId: NodeId;
  token: HadoopToken;
}

// ---------- formatting ----------

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

/** `application_<clusterTimestamp>_<id:4>` like ApplicationId.toString. */
export function formatApplicationId(a: ApplicationId): string {
  return `application_${a.clusterTimestamp}_${pad(a.id, 4)}`;
}
export function formatApplicationAttemptId(a: ApplicationAttemptId): string {
  return `appattempt_${a.applicationId.clusterTimestamp}_${pad(a.applicationId.id, 4)}_${pad(a.attemptId, 6)}`;
}
/** `container_[e<epoch>_]<ts>_<app:4>_<attempt:2>_<seq:6>` like ContainerId.toString. */
export function formatContainerId(c: ContainerId): string {
  const epoch = Math.floor(c.id / 2 ** 40);
  const seq = c.id % 2 ** 40;
  const app = c.applicationAttemptId.applicationId;
  return `container_${epoch > 0 ? `e${pad(epoch, 2)}_` : ''}${app.clusterTimestamp}_${pad(app.id, 4)}_${pad(c.applicationAttemptId.attemptId, 2)}_${pad(seq, 6)}`;
}
export function parseApplicationId(s: string): ApplicationId {
  const m = /^application_(\d+)_(\d+)$/.exec(s.trim());
  if (!m) throw new Error(`invalid application id "${s}"`);
  return { clusterTimestamp: Number(m[1]), id: Number(m[2]) };
}
/** Parses `CONTAINER_ID` from a container's environment. */
export function parseContainerId(s: string): ContainerId {
  const m = /^container_(?:e(\d+)_)?(\d+)_(\d+)_(\d+)_(\d+)$/.exec(s.trim());
  if (!m) throw new Error(`invalid container id "${s}"`);
  const epoch = m[1] ? Number(m[1]) : 0;
  return {
    applicationAttemptId: { applicationId: { clusterTimestamp: Number(m[2]), id: Number(m[3]) }, attemptId: Number(m[4]) },
    id: epoch * 2 ** 40 + Number(m[5]),
  };
}
export function nodeIdKey(n: NodeId): string {
  return `${n.host}:${n.port}`;
}

/** LocalResource from a URI such as `hdfs://nn:8020/user/x/.tsflink/app/job.js` or `file:///tmp/x`. */
export function localResourceFromUri(
  uri: string,
  size: number,
  timestamp: number,
  type: LocalResourceType = 'FILE',
  visibility: LocalResourceVisibility = 'APPLICATION',
): LocalResource {
  const u = new URL(uri);
  const url: YarnUrl = { scheme: u.protocol.replace(/:$/, ''), file: decodeURIComponent(u.pathname) };
  if (u.hostname) url.host = u.hostname;
  if (u.port) url.port = Number(u.port);
  return { url, size, timestamp, type, visibility };
}

// ---------- to protobuf ----------

export function applicationIdToProto(a: ApplicationId): PbObject {
  return { id: a.id, cluster_timestamp: a.clusterTimestamp };
}
export function attemptIdToProto(a: ApplicationAttemptId): PbObject {
  return { application_id: applicationIdToProto(a.applicationId), attemptId: a.attemptId };
}
export function containerIdToProto(c: ContainerId): PbObject {
  return { app_id: applicationIdToProto(c.applicationAttemptId.applicationId), app_attempt_id: attemptIdToProto(c.applicationAttemptId), id: c.id };
}
export function resourceToProto(r: Resource): PbObject {
  return { memory: r.memoryMb, virtual_cores: r.vcores };
}
function localResourceToProto(r: LocalResource): PbObject {
  const url: PbObject = { scheme: r.url.scheme, file: r.url.file };
  if (r.url.host !== undefined) url['host'] = r.url.host;
  if (r.url.port !== undefined) url['port'] = r.url.port;
  if (r.url.userInfo !== undefined) url['userInfo'] = r.url.userInfo;
  const o: PbObject = { resource: url, size: r.size, timestamp: r.timestamp, type: LR_TYPES[r.type], visibility: LR_VIS[r.visibility] };
  if (r.pattern !== undefined) o['pattern'] = r.pattern;
  return o;
}
export function launchContextToProto(c: ContainerLaunchContext): PbObject {
  const o: PbObject = {
    command: c.commands,
    environment: Object.entries(c.environment ?? {}).map(([key, value]) => ({ key, value })),
    localResources: Object.entries(c.localResources ?? {}).map(([key, value]) => ({ key, value: localResourceToProto(value) })),
    service_data: Object.entries(c.serviceData ?? {}).map(([key, value]) => ({ key, value })),
  };
  if (c.tokens !== undefined) o['tokens'] = c.tokens;
  return o;
}
export function submissionContextToProto(s: ApplicationSubmissionContext): PbObject {
  const o: PbObject = {
    application_id: applicationIdToProto(s.applicationId),
    application_name: s.applicationName,
    queue: s.queue ?? 'default',
    am_container_spec: launchContextToProto(s.amContainerSpec),
    resource: resourceToProto(s.resource),
    applicationType: s.applicationType ?? 'YARN',
    applicationTags: s.applicationTags ?? [],
  };
  if (s.priority !== undefined) o['priority'] = { priority: s.priority };
  if (s.maxAppAttempts !== undefined) o['maxAppAttempts'] = s.maxAppAttempts;
  if (s.unmanagedAm !== undefined) o['unmanaged_am'] = s.unmanagedAm;
  if (s.keepContainersAcrossApplicationAttempts !== undefined) o['keep_containers_across_application_attempts'] = s.keepContainersAcrossApplicationAttempts;
  if (s.attemptFailuresValidityIntervalMs !== undefined) o['attempt_failures_validity_interval'] = s.attemptFailuresValidityIntervalMs;
  if (s.nodeLabelExpression !== undefined) o['node_label_expression'] = s.nodeLabelExpression;
  if (s.cancelTokensWhenComplete !== undefined) o['cancel_tokens_when_complete'] = s.cancelTokensWhenComplete;
  return o;
}
export function resourceRequestToProto(r: ResourceRequest): PbObject {
  const o: PbObject = {
    priority: { priority: r.priority },
    resource_name: r.resourceName,
    capability: resourceToProto(r.capability),
    num_containers: r.numContainers,
    relax_locality: r.relaxLocality ?? true,
  };
  if (r.nodeLabelExpression !== undefined) o['node_label_expression'] = r.nodeLabelExpression;
  if (r.allocationRequestId !== undefined) o['allocation_request_id'] = r.allocationRequestId;
  return o;
}
export function nodeIdToProto(n: NodeId): PbObject {
  return { host: n.host, port: n.port };
}

// ---------- from protobuf ----------

const obj = (v: unknown): PbObject => (v && typeof v === 'object' ? (v as PbObject) : {});
const num = (v: unknown, d = 0): number => (v === undefined || v === null ? d : Number(v));
const str = (v: unknown, d = ''): string => (v === undefined || v === null ? d : String(v));
const arr = (v: unknown): PbObject[] => (Array.isArray(v) ? (v as PbObject[]) : []);

export function applicationIdFromProto(p: unknown): ApplicationId {
  const o = obj(p);
  return { id: num(o['id']), clusterTimestamp: num(o['cluster_timestamp']) };
}
export function attemptIdFromProto(p: unknown): ApplicationAttemptId {
  const o = obj(p);
  return { applicationId: applicationIdFromProto(o['application_id']), attemptId: num(o['attemptId']) };
}
export function containerIdFromProto(p: unknown): ContainerId {
  const o = obj(p);
  return { applicationAttemptId: attemptIdFromProto(o['app_attempt_id']), id: num(o['id']) };
}
export function resourceFromProto(p: unknown): Resource {
  const o = obj(p);
  return { memoryMb: num(o['memory']), vcores: num(o['virtual_cores']) };
}
export function nodeIdFromProto(p: unknown): NodeId {
  const o = obj(p);
  return { host: str(o['host']), port: num(o['port']) };
}
function enumName<T extends string>(names: readonly T[], v: unknown, offset: number, fallback: T): T {
  const i = num(v, -1) - offset;
  return names[i] ?? fallback;
}
export function applicationReportFromProto(p: unknown): ApplicationReport {
  const o = obj(p);
  return {
    applicationId: applicationIdFromProto(o['applicationId']),
    user: str(o['user']),
    queue: str(o['queue']),
    name: str(o['name']),
    host: str(o['host']),
    rpcPort: num(o['rpc_port'], -1),
    state: enumName(YARN_APPLICATION_STATES, o['yarn_application_state'], 1, 'NEW'),
    finalStatus: enumName(FINAL_APPLICATION_STATUSES, o['final_application_status'], 0, 'UNDEFINED'),
    trackingUrl: str(o['trackingUrl']),
    originalTrackingUrl: str(o['originalTrackingUrl']),
    diagnostics: str(o['diagnostics']),
    startTime: num(o['startTime']),
    finishTime: num(o['finishTime']),
    progress: num(o['progress']),
    applicationType: str(o['applicationType']),
    applicationTags: (o['applicationTags'] as string[] | undefined) ?? [],
    // The RM reports a placeholder attempt id -1 for apps that never got an attempt (e.g. rejected ones).
    currentApplicationAttemptId: o['currentApplicationAttemptId'] && num(obj(o['currentApplicationAttemptId'])['attemptId']) > 0 ? attemptIdFromProto(o['currentApplicationAttemptId']) : undefined,
    amRmToken: o['am_rm_token'] ? tokenFromProto(obj(o['am_rm_token'])) : undefined,
    unmanaged: Boolean(o['unmanaged_application']),
  };
}
export function attemptReportFromProto(p: unknown): ApplicationAttemptReport {
  const o = obj(p);
  return {
    applicationAttemptId: attemptIdFromProto(o['application_attempt_id']),
    host: str(o['host']),
    rpcPort: num(o['rpc_port'], -1),
    trackingUrl: str(o['tracking_url']),
    originalTrackingUrl: str(o['original_tracking_url']),
    diagnostics: str(o['diagnostics']),
    state: enumName(YARN_APPLICATION_ATTEMPT_STATES, o['yarn_application_attempt_state'], 1, 'NEW'),
    amContainerId: o['am_container_id'] ? containerIdFromProto(o['am_container_id']) : undefined,
    startTime: num(o['startTime']),
    finishTime: num(o['finishTime']),
  };
}
export function nodeReportFromProto(p: unknown): NodeReport {
  const o = obj(p);
  return {
    nodeId: nodeIdFromProto(o['nodeId']),
    httpAddress: str(o['httpAddress']),
    rackName: str(o['rackName']),
    used: o['used'] ? resourceFromProto(o['used']) : undefined,
    capability: o['capability'] ? resourceFromProto(o['capability']) : undefined,
    numContainers: num(o['numContainers']),
    state: enumName(NODE_STATES, o['node_state'], 1, 'NEW'),
    healthReport: str(o['health_report']),
    lastHealthReportTime: num(o['last_health_report_time']),
    labels: (o['node_labels'] as string[] | undefined) ?? [],
  };
}
export function containerFromProto(p: unknown): Container {
  const o = obj(p);
  return {
    id: containerIdFromProto(o['id']),
    nodeId: nodeIdFromProto(o['nodeId']),
    nodeHttpAddress: str(o['node_http_address']),
    resource: resourceFromProto(o['resource']),
    priority: num(obj(o['priority'])['priority']),
    containerToken: tokenFromProto(obj(o['container_token'])),
    allocationRequestId: num(o['allocation_request_id'], -1),
  };
}
export function containerToProto(c: Container): PbObject {
  return {
    id: containerIdToProto(c.id),
    nodeId: nodeIdToProto(c.nodeId),
    node_http_address: c.nodeHttpAddress,
    resource: resourceToProto(c.resource),
    priority: { priority: c.priority },
    container_token: tokenToProto(c.containerToken),
  };
}
export function containerStatusFromProto(p: unknown): ContainerStatus {
  const o = obj(p);
  return {
    containerId: containerIdFromProto(o['container_id']),
    state: enumName(CONTAINER_STATES, o['state'], 1, 'NEW'),
    diagnostics: str(o['diagnostics']),
    exitStatus: num(o['exit_status'], ContainerExitStatus.INVALID),
    capability: o['capability'] ? resourceFromProto(o['capability']) : undefined,
  };
}
export function nmTokenFromProto(p: unknown): NMToken {
  const o = obj(p);
  return { nodeId: nodeIdFromProto(o['nodeId']), token: tokenFromProto(obj(o['token'])) };
}
export function clusterMetricsFromProto(p: unknown): ClusterMetrics {
  const o = obj(p);
  return {
    numNodeManagers: num(o['num_node_managers']),
    numActiveNodeManagers: num(o['num_active_nms']),
    numDecommissionedNodeManagers: num(o['num_decommissioned_nms']),
    numLostNodeManagers: num(o['num_lost_nms']),
    numUnhealthyNodeManagers: num(o['num_unhealthy_nms']),
    numRebootedNodeManagers: num(o['num_rebooted_nms']),
  };
}
export { arr as pbArray, obj as pbObj };
