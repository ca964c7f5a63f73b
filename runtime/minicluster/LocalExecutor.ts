import type { PipelineExecutor } from '../api/environment/JobClient.js';
import type { StreamGraph } from '../graph/streamgraph/StreamGraph.js';
import { StreamingJobGraphGenerator } from '../graph/jobgraph/StreamingJobGraphGenerator.js';
import { MiniCluster } from './MiniCluster.js';
import { TaskExecutor } from '../taskmanager/TaskExecutor.js';
import { ClusterJobClient } from './ClusterJobClient.js';
import { NettyShuffleOptions, TaskManagerOptions, PipelineOptions, HeartbeatManagerOptions } from '../configuration/index.js';

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
    const te = new TaskExecutor(slots, (id) => cluster.dispatcher.jobMasterGateway(id), (id) => cluster.dispatcher.userGraph(id), {
      bufferSize: conf.get(TaskManagerOptions.MEMORY_SEGMENT_SIZE),
      buffersPerChannel: conf.get(NettyShuffleOptions.NETWORK_BUFFERS_PER_CHANNEL),
      floatingBuffersPerGate: conf.get(NettyShuffleOptions.NETWORK_EXTRA_BUFFERS_PER_GATE),
    }, conf.get(PipelineOptions.AUTO_WATERMARK_INTERVAL), conf.get(HeartbeatManagerOptions.HEARTBEAT_INTERVAL));
    cluster.addTaskExecutor(te, slots);
    const jm = cluster.submitJob({ jobGraph, defaultParallelism: 1 }, sg);
    return new ClusterJobClient(jm, () => cluster.close());
  }
}
