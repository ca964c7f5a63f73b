/** The JobGraph as printed by `tsflink info --json` and served by the REST plan endpoint. */
export interface JobGraphJson {
  jobId: string;
  jobName: string;
  runtimeMode: 'STREAMING' | 'BATCH';
  vertices: Array<{
    id: string; name: string; parallelism: number; maxParallelism: number; slotSharingGroup: string;
    operators: Array<{ id: number; name: string; uid?: string }>;
  }>;
  edges: Array<{ source: string; target: string; partitioner: string; resultPartitionType: 'PIPELINED' | 'BLOCKING' }>;
}
