export * from './errors.js';
export * from './varint.js';
export * from './framing.js';
export * from './sasl.js';
export * from './credentials.js';
export * from './connection.js';
export * from './client.js';
export * from './config.js';
export { packageRoot, pbDecode, pbEncode, pbEncodeDelimited, type PbObject } from './protos.js';
