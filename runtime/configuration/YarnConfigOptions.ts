// YARN deployment options (Flink YarnConfigOptions).
import { durationOption, intOption, listOption, stringOption } from './ConfigOption.js';

export const APPLICATION_ATTEMPTS = intOption('yarn.application-attempts', {
  defaultValue: 2,
  min: 1,
  description: "ApplicationMaster attempts (capped by YARN's yarn.resourcemanager.am.max-attempts); with more than 1, high availability defaults to FILESYSTEM under the staging directory and a later attempt resumes the jobs from their latest checkpoints.",
});

export const APPLICATION_ATTEMPT_FAILURE_VALIDITY_INTERVAL = durationOption('yarn.application-attempt-failures-validity-interval', {
  defaultValue: 10_000,
  min: 0,
  description: 'Only AM failures within this interval count towards yarn.application-attempts.',
});

export const APPLICATION_QUEUE = stringOption('yarn.application.queue', {
  description: 'YARN queue to submit to; unset = the default queue.',
});

export const APPLICATION_NAME = stringOption('yarn.application.name', {
  description: "YARN application name; unset = 'tsflink session cluster' / 'tsflink application cluster'.",
});

export const APPLICATION_TYPE = stringOption('yarn.application.type', {
  defaultValue: 'tsflink',
  description: 'YARN application type shown by the ResourceManager.',
});

export const APPLICATION_PRIORITY = intOption('yarn.application.priority', {
  defaultValue: -1,
  description: 'YARN application priority (-1 = the queue default).',
});

export const NODE_LABEL = stringOption('yarn.application.node-label', {
  description: 'Node label expression for the application containers.',
});

export const APPLICATION_ID = stringOption('yarn.application.id', {
  description: 'YARN application id of the session cluster to submit to (application_…).',
});

export const VCORES = intOption('yarn.containers.vcores', {
  defaultValue: -1,
  min: -1,
  description: 'Virtual cores per TaskManager container; -1 = taskmanager.numberOfTaskSlots.',
});

export const APP_MASTER_VCORES = intOption('yarn.appmaster.vcores', {
  defaultValue: 1,
  min: 1,
  description: 'Virtual cores of the ApplicationMaster container.',
});

export const SHIP_NODE = stringOption('yarn.ship-node', {
  description: 'Node.js distribution (directory or .tar.gz) shipped to the containers; unset = `node` on the NodeManager hosts.',
});

export const SHIP_FILES = listOption('yarn.ship-files', {
  description: "Extra local files or directories shipped to the containers (';'-separated).",
});

export const PROVIDED_LIB_DIRS = listOption('yarn.provided.lib.dirs', {
  description: 'HDFS directories holding a pre-uploaded tsflink runtime, registered as PUBLIC resources instead of uploading it.',
});

export const PROPERTIES_FILE_LOCATION = stringOption('yarn.properties-file.location', {
  description: 'Directory of the .yarn-properties-<user> file written by yarn-session; unset = the OS temp dir.',
});

export const STAGING_DIRECTORY = stringOption('yarn.staging-directory', {
  description: 'HDFS directory for .tsflink/<appId>/ staging files; unset = the user home directory on HDFS.',
});

export const APPLICATION_TAGS = listOption('yarn.tags', {
  description: 'Tags of the YARN application.',
});

export const HEARTBEAT_INTERVAL = intOption('yarn.heartbeat.interval', {
  defaultValue: 5,
  min: 1,
  description: 'ApplicationMaster heartbeat to the YARN ResourceManager, in seconds (as in Flink).',
});

export const CONTAINER_REQUEST_HEARTBEAT_INTERVAL = intOption('yarn.heartbeat.container-request-interval', {
  defaultValue: 500,
  min: 1,
  description: 'Heartbeat interval in milliseconds while container requests are pending (as in Flink).',
});
