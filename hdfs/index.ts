// Public surface of tsflink's file system layer.
export type { CreateOptions, FileStatus, FileSystem } from './FileSystem.js';
export {
  FileSystems,
  closeOutput,
  getFileSystem,
  registerFileSystem,
  supportedSchemes,
  uriScheme,
  type FileSystemFactory,
} from './FileSystems.js';
export * from './errors.js';
export { LocalFileSystem, toLocalPath } from './LocalFileSystem.js';
export { WebHdfsFileSystem, type RetryPolicy, type WebHdfsOptions } from './WebHdfsFileSystem.js';
export {
  HadoopConfiguration,
  resolveWebHdfsEndpoint,
  resolveWebHdfsUriEndpoint,
  resolveHdfsUser,
  parseHdfsUri,
  type WebHdfsEndpoint,
  KEY_WEBHDFS_ADDRESS,
  KEY_HADOOP_CONF_DIR,
  KEY_HDFS_USER,
  KEY_RETRY_MAX_ATTEMPTS,
  KEY_RETRY_INITIAL_BACKOFF,
  KEY_RETRY_MAX_BACKOFF,
  KEY_REQUEST_TIMEOUT,
} from './HadoopConfiguration.js';
export { parseHadoopXml, type HadoopProperty, HadoopXmlError } from './hadoopXml.js';
export { KEY_UMASK, DEFAULT_UMASK, parseUmask } from './umask.js';
export {
  CheckpointStorage,
  writeMetadataFile,
  savepointDirectoryName,
  StateOutputStream,
  type StateHandle,
  type StateScope,
  type CompletedCheckpoint,
  METADATA_FILE,
  SHARED_DIR,
  TASK_OWNED_DIR,
  CHECKPOINT_DIR_PREFIX,
} from './CheckpointStorage.js';
