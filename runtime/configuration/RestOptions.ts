// REST endpoint and web UI options (Flink RestOptions + WebOptions).
import { booleanOption, intOption, memoryOption, stringOption } from './ConfigOption.js';

export const ADDRESS = stringOption('rest.address', {
  description: 'Address clients use to reach the REST endpoint; unset = jobmanager.rpc.address.',
});

export const PORT = intOption('rest.port', {
  defaultValue: 8081,
  min: 0,
  max: 65535,
  description: 'Port of the REST endpoint and web UI (clients connect here; 0 = any free port).',
});

export const BIND_ADDRESS = stringOption('rest.bind-address', {
  // Binding to loopback by default keeps an unauthenticated REST API off the network.
  defaultValue: '127.0.0.1',
  description: "Address the REST server binds to; use '0.0.0.0' to accept remote connections.",
});

export const BIND_PORT = stringOption('rest.bind-port', {
  description: "Port or range ('50100-50200') the REST server binds to; unset = rest.port.",
});

export const SERVER_MAX_CONTENT_LENGTH = memoryOption('rest.server.max-content-length', {
  defaultValue: 100 * 1024 * 1024,
  min: 1,
  description: 'Maximum size of a REST request (job bundle uploads).',
});

export const WEB_SUBMIT_ENABLE = booleanOption('web.submit.enable', {
  defaultValue: true,
  description: 'Allow uploading and running job bundles from the web UI.',
});

export const WEB_CANCEL_ENABLE = booleanOption('web.cancel.enable', {
  defaultValue: true,
  description: 'Show the Cancel button in the web UI.',
});

export const WEB_REFRESH_INTERVAL = intOption('web.refresh-interval', {
  defaultValue: 3000,
  min: 100,
  description: 'Web UI refresh interval in milliseconds.',
});
