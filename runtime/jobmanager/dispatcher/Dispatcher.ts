import type { JobSubmissionInfo, JobMasterGateway } from '../gateways.js';
import { JobMaster, type JobMasterLogger } from '../jobmaster/JobMaster.js';
import type { ResourceManager } from '../resourcemanager/ResourceManager.js';
import type { StreamGraph } from '../../graph/streamgraph/StreamGraph.js';
import type { JobResult } from '../jobmaster/JobResult.js';
import type { UserCodeLoader } from '../../usercode/UserCodeLoader.js';
import { Configuration, JobManagerOptions } from '../../configuration/index.js';
import type { HighAvailabilityServices } from '../ha/HighAvailabilityServices.js';

export interface JobSummary { jobId: string; name: string; state: string; startTime: number; endTime: number; duration: number }

/**
 * Accepts jobs, runs one JobMaster per job, and keeps finished jobs' summaries (Flink's Dispatcher).
 * With high availability, jobs submitted with their bundle are stored until they end, and a new
 * Dispatcher recovers the ones a previous JobManager left running (recoverJobs).
 */
export class Dispatcher {
  private readonly running = new Map<string, JobMaster>();
  /** Finished jobs in the order they ended (Flink's ExecutionGraphInfoStore): bounded in time and count. */
  private readonly finished = new Map<string, { master: JobMaster; result: JobResult; expiry: ReturnType<typeof setTimeout> | undefined }>();
  private readonly userGraphs = new Map<string, StreamGraph>();
  private readonly expirationMs: number;
  private readonly maxCapacity: number;

  /** `userCodeLoader`: how jobs submitted with a bundle get their operators back; handed in by the entry point. */
  constructor(
    private readonly rm: ResourceManager,
    private readonly clusterConfiguration?: Configuration,
    private readonly log?: JobMasterLogger,
    private readonly userCodeLoader?: UserCodeLoader,
    private readonly ha?: HighAvailabilityServices,
  ) {
    const conf = clusterConfiguration ?? new Configuration();
    this.expirationMs = conf.get(JobManagerOptions.JOB_STORE_EXPIRATION_TIME);
    this.maxCapacity = conf.get(JobManagerOptions.JOB_STORE_MAX_CAPACITY);
  }

  submitJob(job: JobSubmissionInfo, userGraph: StreamGraph): JobMaster {
    const jm = this.register(job, userGraph);
    void jm.start();
    return jm;
  }

  /** Makes the job visible (INITIALIZING without its user graph) and files it under finished when it ends. */
  private register(job: JobSubmissionInfo, userGraph: StreamGraph | null): JobMaster {
    const id = job.jobGraph.jobId;
    if (this.running.has(id) || this.finished.has(id)) throw new Error(`DuplicateJobSubmissionException: job ${id} was already submitted.`);
    const jm = new JobMaster(job, userGraph, this.rm, this.clusterConfiguration, this.log);
    this.running.set(id, jm);
    if (userGraph) this.userGraphs.set(id, userGraph);
    void jm.result.then(async (result) => {
      if (this.running.get(id) !== jm) return; // a rejected submission
      // Ended for good (not suspended by this JobManager's shutdown): record the result, then drop the graph.
      if (this.ha && this.stored.has(id) && !this.suspended) {
        try {
          await this.ha.jobResultStore.createDirtyResult({ jobId: id, status: result.status, endTime: result.endTime });
          await this.ha.jobGraphStore.removeJobGraph(id);
        } catch (e) {
          this.log?.('WARN', `Job ${id} ended ${result.status}, but its high-availability entry could not be updated: ${(e as Error).message}`);
        }
        this.stored.delete(id);
      }
      this.running.delete(id);
      this.userGraphs.delete(id);
      this.archive(id, jm, result);
    });
    return jm;
  }

  /**
   * A job submitted with its bundle (REST, remote clients): the user-code loader re-runs main to get
   * the operators' code for coordinators (source enumerators); the graph must match the submitted one.
   * Meanwhile the job is listed as INITIALIZING (as in Flink); if the rebuild fails, the
   * submission is rejected and the job disappears again.
   */
  async submitJobFromBundle(job: JobSubmissionInfo, recovered = false): Promise<JobMaster> {
    const id = job.jobGraph.jobId;
    if (this.running.has(id) || this.finished.has(id) || this.submitting.has(id)) throw new Error(`DuplicateJobSubmissionException: job ${id} was already submitted.`);
    if (!job.bundle) throw new Error(`Job ${id} was submitted without its job bundle.`);
    const loader = this.userCodeLoader;
    if (!loader) throw new Error(`Job ${id} was submitted with a job bundle, but this JobManager was started without a user-code loader to run it.`);
    this.submitting.add(id);
    try {
      // Stored before it runs: a JobManager failure from here on recovers the job.
      if (this.ha && !recovered) {
        try {
          await this.ha.jobGraphStore.putJobGraph(job);
        } catch (e) {
          throw new Error(`Job ${id} was not accepted: it cannot be stored for high availability in ${this.ha.jobGraphStore.dir}: ${(e as Error).message}`, { cause: e });
        }
      }
      if (this.ha) this.stored.add(id);
      const jm = this.register(job, null);
      let sg: StreamGraph;
      try {
        sg = await loader.loadStreamGraph(job, 'the JobManager');
      } catch (e) {
        if (this.running.get(id) === jm) this.running.delete(id);
        if (this.ha && !recovered) { this.stored.delete(id); await this.ha.jobGraphStore.removeJobGraph(id).catch(() => undefined); }
        throw e;
      }
      if (jm.status !== 'INITIALIZING') return jm; // cancelled while INITIALIZING
      jm.provideUserGraph(sg);
      this.userGraphs.set(id, sg);
      void jm.start();
      return jm;
    } finally {
      this.submitting.delete(id);
    }
  }
  private readonly submitting = new Set<string>();
  /** Jobs in the high-availability job graph store. */
  private readonly stored = new Set<string>();
  /** This JobManager is shutting down: its jobs are suspended, not ended (another JobManager recovers them). */
  private suspended = false;

  /**
   * Resubmits the jobs a previous JobManager left in the high-availability store (their bundles
   * copied to `localDir`); each JobMaster then restores its job's latest checkpoint. Jobs that had
   * already ended are only removed from the store. Resolves with the recovered job ids.
   */
  async recoverJobs(localDir: string): Promise<string[]> {
    const ha = this.ha;
    if (!ha) return [];
    const out: string[] = [];
    for (const id of await ha.jobGraphStore.jobIds()) {
      if (await ha.jobResultStore.hasJobResultEntry(id)) {
        await ha.jobGraphStore.removeJobGraph(id).catch(() => undefined);
        continue;
      }
      try {
        const job = await ha.jobGraphStore.recoverJobGraph(id, localDir);
        this.log?.('INFO', `Recovering job ${job.jobGraph.jobName} (${id}) submitted to a previous JobManager.`);
        await this.submitJobFromBundle(job, true);
        out.push(id);
      } catch (e) {
        this.log?.('ERROR', `Could not recover job ${id}: ${(e as Error).message}`);
      }
    }
    return out;
  }

  /** Keeps a finished job for 'jobstore.expiration-time', dropping the oldest beyond 'jobstore.max-capacity'. */
  private archive(id: string, master: JobMaster, result: JobResult): void {
    // setTimeout's limit is ~24.8 days; longer expirations keep the job until capacity or process end.
    const expiry = this.expirationMs <= 2_147_483_647 ? setTimeout(() => this.expire(id), this.expirationMs).unref() : undefined;
    this.finished.set(id, { master, result, expiry });
    for (const oldest of this.finished.keys()) {
      if (this.finished.size <= this.maxCapacity) break;
      this.expire(oldest);
    }
  }

  private expire(id: string): void {
    const f = this.finished.get(id);
    if (!f) return;
    clearTimeout(f.expiry);
    this.finished.delete(id);
  }

  /** All jobs, running first. */
  allJobs(): JobMaster[] { return [...this.running.values(), ...[...this.finished.values()].map((f) => f.master)]; }
  getJobResult(jobId: string): JobResult | undefined { return this.finished.get(jobId)?.result; }

  jobMasterGateway(jobId: string): JobMasterGateway | undefined { return this.running.get(jobId); }
  userGraph(jobId: string): StreamGraph {
    const g = this.userGraphs.get(jobId);
    if (!g) throw new Error(`Job ${jobId} is not running`);
    return g;
  }
  getJob(jobId: string): JobMaster | undefined { return this.running.get(jobId) ?? this.finished.get(jobId)?.master; }
  async cancelJob(jobId: string): Promise<void> {
    const jm = this.running.get(jobId);
    if (!jm) throw new Error(`FlinkJobNotFoundException: Could not find Flink job (${jobId}) among running jobs.`);
    await jm.cancel();
  }
  listJobs(): JobSummary[] {
    const out: JobSummary[] = [];
    for (const jm of this.running.values()) out.push({ jobId: jm.jobId, name: jm.job.jobGraph.jobName, state: jm.status, startTime: jm.startTime, endTime: -1, duration: Date.now() - jm.startTime });
    for (const { master, result } of this.finished.values()) {
      out.push({ jobId: master.jobId, name: result.jobName, state: result.status, startTime: result.startTime, endTime: result.endTime, duration: result.endTime - result.startTime });
    }
    return out;
  }
  async close(): Promise<void> {
    this.suspended = true;
    await Promise.all([...this.running.values()].map((jm) => jm.cancel()));
    for (const f of this.finished.values()) clearTimeout(f.expiry);
  }
}
