import type { JobSubmissionInfo } from '../jobmanager/gateways.js';
import type { StreamGraph } from '../graph/streamgraph/StreamGraph.js';

/**
 * Turns a submitted job's user code back into its operators. A JobGraph cannot carry JavaScript
 * closures, so the JobManager and every slot rebuild the job's StreamGraph from its bundle
 * (tsflink's counterpart of Flink's user-code class loader). Entry points hand one in; the
 * JobManager never loads user programs itself.
 */
export interface UserCodeLoader {
  /**
   * The StreamGraph of the job's `jobGraph.executionIndex`-th execute(), checked against the
   * submitted JobGraph's fingerprint. `where` names the process in errors ("the JobManager", "slot 2").
   */
  loadStreamGraph(job: JobSubmissionInfo, where: string): Promise<StreamGraph>;
}
