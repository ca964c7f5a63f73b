// File system options for hdfs:// paths (WebHDFS).
import { intOption, registerKnownPrefix, stringOption } from './ConfigOption.js';

export const WEBHDFS_ADDRESS = stringOption('fs.hdfs.webhdfs.address', {
  description: "NameNode HTTP address for WebHDFS ('namenode:9870'); unset = dfs.namenode.http-address from fs.hdfs.hadoopconf / HADOOP_CONF_DIR.",
});

export const HADOOP_CONF_DIR = stringOption('fs.hdfs.hadoopconf', {
  description: 'Directory with core-site.xml / hdfs-site.xml / yarn-site.xml; unset = HADOOP_CONF_DIR.',
});

export const HDFS_USER = stringOption('fs.hdfs.user', {
  description: 'User for WebHDFS/YARN requests without Kerberos (user.name); unset = HADOOP_USER_NAME or the OS user.',
});

// Read by hdfs/HadoopConfiguration.ts as plain numbers (milliseconds in the key names), hence 'int'.
export const RETRY_MAX_ATTEMPTS = intOption('fs.hdfs.retry.max-attempts', {
  defaultValue: 5,
  min: 1,
  description: 'WebHDFS: attempts of a request before it fails (with exponential backoff between attempts).',
});

export const RETRY_INITIAL_BACKOFF_MS = intOption('fs.hdfs.retry.initial-backoff-ms', {
  defaultValue: 200,
  min: 0,
  description: 'WebHDFS: backoff before the first retry, in milliseconds.',
});

export const RETRY_MAX_BACKOFF_MS = intOption('fs.hdfs.retry.max-backoff-ms', {
  defaultValue: 5000,
  min: 0,
  description: 'WebHDFS: upper bound of the retry backoff, in milliseconds.',
});

export const REQUEST_TIMEOUT_MS = intOption('fs.hdfs.request-timeout-ms', {
  defaultValue: 60_000,
  min: 1,
  description: 'WebHDFS: timeout of one HTTP request, in milliseconds.',
});

// Hadoop properties overriding the *-site.xml files (Flink's `flink.hadoop.<hadoop key>` convention).
registerKnownPrefix('flink.hadoop.');
