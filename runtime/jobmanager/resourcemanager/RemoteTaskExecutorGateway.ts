import type { TaskExecutorGateway, JobSubmissionInfo } from '../gateways.js';
import type { TaskDeploymentDescriptor } from '../../taskmanager/TaskDeploymentDescriptor.js';
import type { RpcConnection } from '../../rpc/RpcConnection.js';
import type { CheckpointCommand } from '../../checkpoint/CheckpointMessages.js';
import type { MetricGroupDump } from '../../metrics/dump/MetricDump.js';
import type { LogInfo, ThreadDumpInfo } from '../../metrics/logs/LogFiles.js';

/** The JobManager's handle on a TaskManager process: one-way RPCs over its control connection. */
export class RemoteTaskExecutorGateway implements TaskExecutorGateway {
  readonly singleThreaded = false;
  constructor(readonly taskManagerId: string, private readonly conn: RpcConnection) {}
  private send(method: string, args: unknown[]): void {
    if (this.conn.isClosed) throw new Error(`TaskManager ${this.taskManagerId} is not connected`);
    this.conn.tell(method, args);
  }
  submitTask(tdd: TaskDeploymentDescriptor, slotIndex: number, job: JobSubmissionInfo): void {
    // The TaskManager fetches the bundle itself (requestJobBundle), so local paths never travel.
    const shipped: JobSubmissionInfo = { ...job, ...(job.bundle ? { bundle: { entry: job.bundle.entry, hash: job.bundle.hash, path: '', ...(job.bundle.runtime ? { runtime: job.bundle.runtime } : {}) } } : {}) };
    this.send('submitTask', [tdd, slotIndex, shipped]);
  }
  cancelTask(executionAttemptId: string): void { this.send('cancelTask', [executionAttemptId]); }
  sendOperatorEventToTask(executionAttemptId: string, nodeId: number, event: unknown): void { this.send('sendOperatorEventToTask', [executionAttemptId, nodeId, event]); }
  sendCheckpointCommand(executionAttemptId: string, cmd: CheckpointCommand): void { this.send('sendCheckpointCommand', [executionAttemptId, cmd]); }
  releaseJob(jobId: string): void { if (!this.conn.isClosed) this.conn.tell('releaseJob', [jobId]); }
  releasePartitions(jobId: string, partitionIds: string[]): void { if (!this.conn.isClosed) this.conn.tell('releasePartitions', [jobId, partitionIds]); }
  requestMetricDump(): Promise<readonly MetricGroupDump[]> { return this.conn.call<MetricGroupDump[]>('requestMetricDump', [], 10_000); }
  requestLogList(): Promise<readonly LogInfo[]> { return this.conn.call<LogInfo[]>('requestLogList', [], 10_000); }
  requestLogFile(name: string, maxBytes: number): Promise<string> { return this.conn.call<string>('requestLogFile', [name, maxBytes], 30_000); }
  requestThreadDump(): Promise<ThreadDumpInfo> { return this.conn.call<ThreadDumpInfo>('requestThreadDump', [], 10_000); }
  close(): void { this.conn.close('TaskManager released'); }
}
