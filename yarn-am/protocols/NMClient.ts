import { RpcProxy, IpcClient } from '../ipc/client.js';
import { remoteException, type RemoteException } from '../ipc/errors.js';
import { tokenToProto } from '../ipc/credentials.js';
import type { NMTokenCache } from './AMRMClient.js';
import {
  containerIdFromProto,
  containerIdToProto,
  containerStatusFromProto,
  formatContainerId,
  launchContextToProto,
  nodeIdKey,
  pbArray,
  pbObj,
  type Container,
  type ContainerId,
  type ContainerLaunchContext,
  type ContainerStatus,
  type NodeId,
} from './records.js';

export const CONTAINER_MANAGEMENT_PROTOCOL = 'org.apache.hadoop.yarn.api.ContainerManagementProtocolPB';

export interface ContainerFailure {
  containerId: ContainerId;
  error: RemoteException;
}

export interface NMClientOptions {
  callTimeoutMs?: number;
  connectAttempts?: number;
  connectRetryDelayMs?: number;
}

const P = 'hadoop.yarn.';

/**
 * Client side of ContainerManagementProtocol (AM → NodeManager). Each NodeManager connection
 * authenticates with that node's NMToken (SASL DIGEST-MD5), taken from the AMRMClient's cache.
 */
export class NMClient {
  private readonly proxies = new Map<string, { proxy: RpcProxy; tokenId: string }>();
  private readonly pool = new IpcClient();

  constructor(
    private readonly nmTokens: NMTokenCache,
    private readonly opts: NMClientOptions = {},
  ) {}

  /** Starts one allocated container; throws the NM's exception if it refused. */
  async startContainer(container: Container, launch: ContainerLaunchContext): Promise<void> {
    const r = await this.startContainers(container.nodeId, [{ container, launch }]);
    if (r.failed.length) throw r.failed[0]!.error;
  }

  /** Starts containers on one node in a single call. */
  async startContainers(nodeId: NodeId, requests: { container: Container; launch: ContainerLaunchContext }[]): Promise<{ succeeded: ContainerId[]; failed: ContainerFailure[] }> {
    const r = await this.proxy(nodeId).call(
      'startContainers',
      P + 'StartContainersRequestProto',
      {
        start_container_request: requests.map((q) => ({
          container_launch_context: launchContextToProto(q.launch),
          container_token: tokenToProto(q.container.containerToken),
        })),
      },
      P + 'StartContainersResponseProto',
    );
    return { succeeded: pbArray(r['succeeded_requests']).map(containerIdFromProto), failed: failures(r['failed_requests']) };
  }

  async stopContainers(nodeId: NodeId, ids: ContainerId[]): Promise<{ succeeded: ContainerId[]; failed: ContainerFailure[] }> {
    const r = await this.proxy(nodeId).call(
      'stopContainers',
      P + 'StopContainersRequestProto',
      { container_id: ids.map(containerIdToProto) },
      P + 'StopContainersResponseProto',
      { idempotent: true },
    );
    return { succeeded: pbArray(r['succeeded_requests']).map(containerIdFromProto), failed: failures(r['failed_requests']) };
  }

  /** Stops one container; throws the NM's exception if it refused. */
  async stopContainer(nodeId: NodeId, id: ContainerId): Promise<void> {
    const r = await this.stopContainers(nodeId, [id]);
    if (r.failed.length) throw r.failed[0]!.error;
  }

  async getContainerStatuses(nodeId: NodeId, ids: ContainerId[]): Promise<{ statuses: ContainerStatus[]; failed: ContainerFailure[] }> {
    const r = await this.proxy(nodeId).call(
      'getContainerStatuses',
      P + 'GetContainerStatusesRequestProto',
      { container_id: ids.map(containerIdToProto) },
      P + 'GetContainerStatusesResponseProto',
      { idempotent: true },
    );
    return { statuses: pbArray(r['status']).map(containerStatusFromProto), failed: failures(r['failed_requests']) };
  }

  close(): void {
    this.pool.close();
    this.proxies.clear();
  }

  private proxy(nodeId: NodeId): RpcProxy {
    const key = nodeIdKey(nodeId);
    const token = this.nmTokens.get(nodeId);
    if (!token) throw new Error(`no NMToken for NodeManager ${key} (the RM sends it with the first container allocated on that node)`);
    const tokenId = Buffer.from(token.identifier).toString('base64');
    const cached = this.proxies.get(key);
    if (cached && cached.tokenId === tokenId) return cached.proxy;
    cached?.proxy.retire(); // the RM re-issued this node's NMToken (key roll-over): new connection, old one closes when idle
    const o: ConstructorParameters<typeof RpcProxy>[0] = {
      endpoint: { host: nodeId.host, port: nodeId.port, source: 'the NodeId of an allocated container' },
      protocol: CONTAINER_MANAGEMENT_PROTOCOL,
      auth: { method: 'TOKEN', token },
      callTimeoutMs: this.opts.callTimeoutMs ?? 60_000,
    };
    if (this.opts.connectAttempts !== undefined) o.connectAttempts = this.opts.connectAttempts;
    if (this.opts.connectRetryDelayMs !== undefined) o.connectRetryDelayMs = this.opts.connectRetryDelayMs;
    const proxy = new RpcProxy(o, this.pool);
    this.proxies.set(key, { proxy, tokenId });
    return proxy;
  }
}

function failures(v: unknown): ContainerFailure[] {
  return pbArray(v).map((f) => {
    const ex = pbObj(f['exception']);
    const id = containerIdFromProto(f['container_id']);
    const cls = String(ex['class_name'] ?? 'org.apache.hadoop.yarn.exceptions.YarnException');
    const msg = String(ex['message'] ?? `container ${formatContainerId(id)} failed`);
    return { containerId: id, error: remoteException(cls, msg) };
  });
}
