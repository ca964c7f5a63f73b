// Side-effect imports: every option group registers its keys with the registry.
import './CoreOptions.js';
import './PipelineOptions.js';
import './ExecutionOptions.js';
import './CheckpointingOptions.js';
import './StateRecoveryOptions.js';
import './StateBackendOptions.js';
import './RestartStrategyOptions.js';
import './TaskManagerOptions.js';
import './NettyShuffleOptions.js';
import './JobManagerOptions.js';
import './ResourceManagerOptions.js';
import './RestOptions.js';
import './HeartbeatManagerOptions.js';
import './SecurityOptions.js';
import './FileSystemOptions.js';
import './YarnConfigOptions.js';
import './SchedulerOptions.js';
