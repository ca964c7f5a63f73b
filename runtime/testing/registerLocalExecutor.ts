// Vitest setup: tests import the API from its source files, not through the package root that
// registers the local executor for `node job.js`; register it here the same way.
import { registerLocalExecutor } from '../minicluster/LocalExecutorFactory.js';

registerLocalExecutor();
