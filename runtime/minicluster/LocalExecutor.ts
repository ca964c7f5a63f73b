import type { PipelineExecutor } from '../api/environment/JobClient.js';
import type { StreamGraph } from '../graph/streamgraph/StreamGraph.js';
import { StreamingJobGraphGenerator } from '../graph/jobgraph/StreamingJobGraphGenerator.js';
import { MiniCluster } from './MiniCluster.js';
import { TaskExecutor } from '../taskmanager/TaskExecutor.js';
import { ClusterJobClient } from './ClusterJobClient.js';
import { PipelineOptions, HeartbeatManagerOptions } from '../configuration/index.js';
import { networkConfigFromConfiguration } from '../taskmanager/NetworkEnvironmentConfiguration.js';

/**
 * Runs a pipeline built in a script or test: a MiniCluster whose one TaskManager runs every
 * subtask in the calling thread, so closures work. Sized to the job, torn down after it.
 */
export class LocalExecutor implements PipelineExecutor {
  async execute(sg: StreamGraph): ReturnType<PipelineExecutor['execute']> {
    const jobGraph = new StreamingJobGraphGenerator(sg).generate();
    const conf = sg.configuration;
    const cluster = new MiniCluster();
    const slots = jobGraph.vertices.reduce((m, v) => Math.max(m, v.parallelism), 1) * new Set(jobGraph.vertices.map((v) => v.slotSharingGroup)).size;
    const te = new TaskExecutor(slots, (id) => cluster.dispatcher.jobMasterGateway(id), (id) => cluster.dispatcher.userGraph(id), networkConfigFromConfiguration(conf), conf.get(PipelineOptions.AUTO_WATERMARK_INTERVAL), conf.get(HeartbeatManagerOptions.HEARTBEAT_INTERVAL));
    cluster.addTaskExecutor(te, slots);
    const jm = cluster.submitJob({ jobGraph, defaultParallelism: 1 }, sg);
    return new ClusterJobClient(jm, () => cluster.close());
  }
}
