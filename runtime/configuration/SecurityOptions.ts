// Security options. The cluster secret authenticates every control- and data-plane connection.
import { booleanOption, stringOption } from './ConfigOption.js';

export const CLUSTER_SECRET = stringOption('security.cluster.secret', {
  description: "Shared secret of the cluster's internal connections; unset = generated at cluster start and passed to TaskManagers in their launch environment. Never logged.",
});

// Internal TLS (Flink's keys): JobManager RPC and the TaskManager data plane; the secret handshake runs inside it.
export const SSL_INTERNAL_ENABLED = booleanOption('security.ssl.internal.enabled', {
  defaultValue: false,
  description: 'TLS with mutual authentication on the JobManager RPC endpoint and the TaskManager data plane (the cluster-secret handshake runs inside it); set it on every process of the cluster. See docs/deployment.md.',
});
export const SSL_INTERNAL_KEYSTORE = stringOption('security.ssl.internal.keystore', {
  description: "This process's certificate and private key: a PKCS#12 file (.p12/.pfx) or a PEM file holding both.",
});
export const SSL_INTERNAL_KEYSTORE_PASSWORD = stringOption('security.ssl.internal.keystore-password', {
  description: 'Password of the PKCS#12 keystore.',
});
export const SSL_INTERNAL_KEY_PASSWORD = stringOption('security.ssl.internal.key-password', {
  description: 'Password of the private key (an encrypted PEM key; for PKCS#12 the keystore password is used when unset).',
});
export const SSL_INTERNAL_TRUSTSTORE = stringOption('security.ssl.internal.truststore', {
  description: 'PEM file of the certificates (or CA) peers must present.',
});
export const SSL_INTERNAL_TRUSTSTORE_PASSWORD = stringOption('security.ssl.internal.truststore-password', {
  description: 'Accepted for compatibility with Flink; a PEM truststore has no password.',
});
export const SSL_ALGORITHMS = stringOption('security.ssl.algorithms', {
  description: "TLS 1.2 cipher suites (comma-separated, OpenSSL names such as ECDHE-RSA-AES128-GCM-SHA256); unset = Node's defaults.",
});
export const SSL_PROTOCOL = stringOption('security.ssl.protocol', {
  defaultValue: 'TLSv1.2',
  description: 'Lowest TLS version accepted (TLSv1.2 or TLSv1.3).',
});

// REST TLS (Flink's keys): the JobManager's REST endpoint (and web UI); clients (CLI, RestClusterClient) read the same keys.
export const SSL_REST_ENABLED = booleanOption('security.ssl.rest.enabled', {
  defaultValue: false,
  description: 'HTTPS on the REST endpoint. The JobManager needs security.ssl.rest.keystore; clients verify it with security.ssl.rest.truststore (else the system CAs). See docs/deployment.md.',
});
export const SSL_REST_KEYSTORE = stringOption('security.ssl.rest.keystore', {
  description: "The REST server's certificate and key (or, with security.ssl.rest.authentication-enabled, the client's): PKCS#12 (.p12/.pfx) or PEM holding both.",
});
export const SSL_REST_KEYSTORE_PASSWORD = stringOption('security.ssl.rest.keystore-password', {
  description: 'Password of the PKCS#12 REST keystore.',
});
export const SSL_REST_KEY_PASSWORD = stringOption('security.ssl.rest.key-password', {
  description: 'Password of the REST private key (an encrypted PEM key; for PKCS#12 the keystore password is used when unset).',
});
export const SSL_REST_TRUSTSTORE = stringOption('security.ssl.rest.truststore', {
  description: "PEM certificates (or CA): for clients, what the REST server's certificate must chain to; for the server with authentication enabled, what clients must present.",
});
export const SSL_REST_TRUSTSTORE_PASSWORD = stringOption('security.ssl.rest.truststore-password', {
  description: 'Accepted for compatibility with Flink; a PEM truststore has no password.',
});
export const SSL_REST_AUTHENTICATION_ENABLED = booleanOption('security.ssl.rest.authentication-enabled', {
  defaultValue: false,
  description: 'Mutual TLS on REST: the server requires a client certificate from security.ssl.rest.truststore; clients present security.ssl.rest.keystore.',
});
export const SSL_VERIFY_HOSTNAME = booleanOption('security.ssl.verify-hostname', {
  defaultValue: true,
  description: "REST clients check that the server's certificate names the host they connect to (subjectAltName). Internal connections never check host names (one shared internal certificate, as in Flink).",
});
