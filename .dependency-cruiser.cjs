// Import rules for the product code (`npm run lint:deps`; part of `npm test`).
// docs/architecture.md explains the layers these rules keep apart. Tests and fixtures may import anything.

// What code outside runtime/ (cli/, hdfs/, yarn-am/) may use of it: the package entry, configuration,
// the entry points and client, user-code loading, security, the REST server and its message types,
// the ResourceManager's SlotManager (the YARN driver's SPI) and the JobGraph's JSON shape.
const RUNTIME_PUBLIC = [
  '^runtime/index\\.ts$',
  '^runtime/configuration/',
  '^runtime/entrypoint/',
  '^runtime/client/',
  '^runtime/usercode/',
  '^runtime/security/',
  '^runtime/rest/RestServerEndpoint\\.ts$',
  '^runtime/rest/messages/',
  '^runtime/jobmanager/resourcemanager/SlotManager\\.ts$',
  '^runtime/graph/jobgraph/JobGraphJson\\.ts$',
  '^runtime/schedule/(SchedulesService|ScheduleSpec)\\.ts$',
];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import circles anywhere in the product, type-only imports included: break them with an interface in its own file.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'api-not-to-cluster',
      severity: 'error',
      comment:
        'The DataStream API knows no cluster: the environment finds its PipelineExecutor in PipelineExecutorServiceLoader, ' +
        'filled by the entry points (CLI, tsflink run, JobManager entrypoint, YARN AM).',
      from: { path: '^runtime/api/' },
      to: { path: '^runtime/(minicluster|jobmanager|client|rest|taskmanager|network)/' },
    },
    {
      name: 'jobmanager-not-to-client',
      severity: 'error',
      comment: 'The JobManager receives JobGraphs; user code reaches it only through the UserCodeLoader its entry point hands in.',
      from: { path: '^runtime/jobmanager/' },
      to: { path: '^runtime/client/' },
    },
    {
      name: 'runtime-not-to-deployments',
      severity: 'error',
      comment: 'The runtime does not know its deployments: cli/ and yarn-am/ build on runtime/, never the other way.',
      from: { path: '^(runtime|hdfs)/' },
      to: { path: '^(cli|yarn-am)/' },
    },
    {
      name: 'outside-runtime-only-public-modules',
      severity: 'error',
      comment: 'cli/, hdfs/ and yarn-am/ reach the runtime only through its public modules (RUNTIME_PUBLIC in .dependency-cruiser.cjs).',
      from: { path: '^(cli|hdfs|yarn-am)/' },
      to: { path: '^runtime/', pathNot: RUNTIME_PUBLIC },
    },
    {
      name: 'hdfs-only-through-index',
      severity: 'error',
      comment: 'Outside hdfs/, file systems are used through hdfs/index.ts (FileSystems.get and the FileSystem interface).',
      from: { pathNot: '^hdfs/' },
      to: { path: '^hdfs/', pathNot: '^hdfs/index\\.ts$' },
    },
    {
      name: 'product-not-to-testing',
      severity: 'error',
      comment: 'runtime/testing/ holds test helpers; product code does not depend on them.',
      from: { pathNot: '^runtime/testing/' },
      to: { path: '^runtime/testing/' },
    },
    {
      name: 'not-to-dev-dep',
      severity: 'error',
      comment: 'Product code imports only runtime dependencies (package.json "dependencies"); dev dependencies are absent in an install. ' +
        'The web dashboard\'s sources are bundled at build time (runtime/webmonitor/build.mjs), so their libraries are dev dependencies.',
      from: { path: '^(runtime|cli|hdfs|yarn-am)/', pathNot: '^runtime/(testing|webmonitor/web-dashboard)/' },
      to: { dependencyTypes: ['npm-dev'] },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      comment: 'An import that resolves to nothing is a broken build waiting to happen.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // swc parses TypeScript 7 sources; tsPreCompilationDeps keeps type-only imports in the graph.
    parser: 'swc',
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
    exclude: { path: '(\\.test\\.ts$|\\.stress\\.test\\.ts$|/fixtures/|(^|/)node_modules/|(^|/)dist/|\\.d\\.ts$)' },
    reporterOptions: {
      dot: {
        collapsePattern: '^(runtime/[^/]+|hdfs|cli|yarn-am)/',
      },
    },
  },
};
