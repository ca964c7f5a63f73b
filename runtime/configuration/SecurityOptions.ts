// Security options. The cluster secret authenticates every control- and data-plane connection.
import { stringOption } from './ConfigOption.js';

export const CLUSTER_SECRET = stringOption('security.cluster.secret', {
  description: "Shared secret of the cluster's internal connections; unset = generated at cluster start and passed to TaskManagers in their launch environment. Never logged.",
});
