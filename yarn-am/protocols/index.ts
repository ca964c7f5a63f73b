export * from './records.js';
export * from './YarnClient.js';
export * from './AMRMClient.js';
export * from './NMClient.js';
