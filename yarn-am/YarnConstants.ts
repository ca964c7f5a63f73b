// Names shared by the tsflink YARN client (cli/commands/yarn-*.ts) and the ApplicationMaster.

/** Environment of the AM container. */
export const ENV_CLUSTER_SECRET = 'TSFLINK_CLUSTER_SECRET';
/** hdfs://…/.tsflink/<appId> — deleted by the AM when the application ends. */
export const ENV_STAGING_DIR = 'TSFLINK_YARN_STAGING_DIR';
/** 'application' (run one job's main, then end) or 'session' (wait for REST submissions). */
export const ENV_CLUSTER_MODE = 'TSFLINK_YARN_CLUSTER_MODE';
export const ENV_APPLICATION_ID = 'TSFLINK_YARN_APPLICATION_ID';
/** The client's HDFS user, so AM and TaskManagers access HDFS as the submitter. */
export const ENV_HADOOP_USER_NAME = 'HADOOP_USER_NAME';

/** LocalResource name of the shipped runtime: containers find it unpacked in ./tsflink/. */
export const RUNTIME_RESOURCE_NAME = 'tsflink';

/** Local resource names (files in the container's working directory). */
export const FILE_CONFIG = 'config.yaml';
export const FILE_JOB_BUNDLE = 'job.mjs';
/** { entry, args } of the application's job. */
export const FILE_JOB_SPEC = 'tsflink-job.json';
/** Hadoop client configuration shipped next to the tsflink config (HADOOP_CONF_DIR = the container's cwd). */
/** yarn.ship-node: the Node distribution, an ARCHIVE resource unpacked into ./node/ of every container. */
export const FILE_NODE_ARCHIVE = 'node.tar.gz';
export const NODE_RESOURCE_NAME = 'node';
/** Path of the node binary relative to the container's working directory (when Node is shipped). */
export const ENV_NODE_PATH = 'TSFLINK_YARN_NODE';
/** yarn.ship-files: `name:FILE|ARCHIVE` entries (comma-separated) of the staged files every container gets. */
export const ENV_SHIP_FILES = 'TSFLINK_YARN_SHIP_FILES';
/** HDFS path of the shipped runtime archive (the AM gives it to TaskManagers too). */
export const ENV_RUNTIME_ARCHIVE = 'TSFLINK_YARN_RUNTIME_ARCHIVE';
/** Staging subdirectory of the shipped files (their local resource names are their base names). */
export const SHIP_DIR = 'ship';
/** Where a shipped file lives in the staging directory (archives keep a .tar.gz name: YARN picks the unpacker by extension). */
export function shipStagingName(name: string, type: 'FILE' | 'ARCHIVE'): string {
  return `${SHIP_DIR}/${name}${type === 'ARCHIVE' ? '.tar.gz' : ''}`;
}
export const HADOOP_SITE_FILES = ['core-site.xml', 'hdfs-site.xml', 'yarn-site.xml'] as const;

export const DEFAULT_APPLICATION_NAME = 'tsflink application cluster';
export const DEFAULT_SESSION_NAME = 'tsflink session cluster';

export interface JobSpec {
  /** The user's job file on the client (for messages). */
  entry: string;
  args: string[];
  /** The tsflink runtime URL the bundle imports (the client's); the AM re-pins it to its own. */
  runtime?: string;
}

export type ClusterMode = 'application' | 'session';

/**
 * Alias of the cluster secret in the containers' credentials (the launch context's `tokens`):
 * the NodeManager hands it over through $HADOOP_TOKEN_FILE_LOCATION, so it never appears in the
 * launch script or its copy in the container log directory (as an environment variable would).
 */
export const SECRET_ALIAS = 'tsflink.cluster.secret';

/**
 * A container's own working files (uploads, TaskManager work dirs). Never inside ./tsflink/: that
 * is the NodeManager's PUBLIC cache of the runtime, shared by every container on the node (and
 * read-only for applications on a secure cluster).
 */
export const CONTAINER_WORK_DIR = 'tsflink-work';
