// File system options for hdfs:// paths (WebHDFS).
import { stringOption } from './ConfigOption.js';

export const WEBHDFS_ADDRESS = stringOption('fs.hdfs.webhdfs.address', {
  description: "NameNode HTTP address for WebHDFS ('namenode:9870'); unset = dfs.namenode.http-address from fs.hdfs.hadoopconf / HADOOP_CONF_DIR.",
});

export const HADOOP_CONF_DIR = stringOption('fs.hdfs.hadoopconf', {
  description: 'Directory with core-site.xml / hdfs-site.xml / yarn-site.xml; unset = HADOOP_CONF_DIR.',
});

export const HDFS_USER = stringOption('fs.hdfs.user', {
  description: 'User for WebHDFS/YARN requests without Kerberos (user.name); unset = HADOOP_USER_NAME or the OS user.',
});
