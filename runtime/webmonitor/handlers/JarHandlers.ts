// Flink's jar handlers (flink-runtime-web: JarUploadHandler, JarListHandler, JarDeleteHandler,
// JarPlanHandler, JarRunHandler) for tsflink's job files: the web UI uploads a job file (.ts, .mts,
// .mjs, .js: an ES module whose default export is main), and "run" bundles it, runs main here to
// plan the JobGraph (as `tsflink run` does on a client) and submits it to the Dispatcher.
// Registered only with web.submit.enable, as in Flink.
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FastifyRequest } from 'fastify';
import { Configuration, CoreOptions } from '../../configuration/index.js';
import type { Dispatcher } from '../../jobmanager/dispatcher/Dispatcher.js';
import { bundleJob, SUPPORTED_JOB_EXTENSIONS } from '../../client/JobBundler.js';
import { loadJobMain, tsflinkRuntimeUrl, type JobBundle } from '../../usercode/JobBundle.js';
import { captureStreamGraph } from '../../usercode/PlanningEnvironment.js';
import { StreamingJobGraphGenerator } from '../../graph/jobgraph/StreamingJobGraphGenerator.js';
import type { JobGraphSpec } from '../../graph/jobgraph/JobGraph.js';
import { jobPlan, type JobPlan } from '../../rest/messages/JobPlanInfo.js';
import { RestHandlerException } from '../../rest/messages/ErrorResponseBody.js';
import { type RestHandlerContext, param } from '../../rest/handlers/RestHandlerContext.js';

/** Flink's multipart field name of the upload. */
export const JAR_FILE_PART = 'jarfile';
const JAR_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}_[A-Za-z0-9._-]{1,200}$/;
const jarParams = { type: 'object', required: ['jarid'], properties: { jarid: { type: 'string', minLength: 1, maxLength: 260 } } } as const;

export interface JarUploadResponseBody { filename: string; status: 'success' }
export interface JarListInfo {
  address: string;
  files: Array<{ id: string; name: string; uploaded: number; entry: Array<{ name: string; description: string | null }> }>;
}
/** POST /jars/:jarid/run and /plan (Flink's JarRunRequestBody; entryClass has no meaning for an ES module). */
export interface JarRunRequestBody {
  programArgsList?: string[];
  programArgs?: string;
  parallelism?: number;
  savepointPath?: string;
  allowNonRestoredState?: boolean;
  restoreMode?: 'CLAIM' | 'NO_CLAIM' | 'LEGACY';
  jobId?: string;
  flinkConfiguration?: Record<string, string>;
}
export interface JarRunResponseBody { jobid: string }

const runBodySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    entryClass: { type: ['string', 'null'] },
    programArgsList: { type: 'array', items: { type: 'string' } },
    programArgs: { type: 'string' },
    parallelism: { type: ['integer', 'null'], minimum: 1 },
    savepointPath: { type: ['string', 'null'] },
    allowNonRestoredState: { type: ['boolean', 'null'] },
    restoreMode: { type: ['string', 'null'], enum: ['CLAIM', 'NO_CLAIM', 'LEGACY', null] },
    claimMode: { type: ['string', 'null'], enum: ['CLAIM', 'NO_CLAIM', 'LEGACY', null] },
    jobId: { type: ['string', 'null'], pattern: '^[0-9a-fA-F]{32}$' },
    flinkConfiguration: { type: 'object', additionalProperties: { type: 'string' } },
  },
} as const;

export interface JarHandlersOptions {
  dispatcher: Dispatcher;
  /** Where uploaded job files are kept (Flink's web.upload.dir/flink-web-upload). */
  jarDir: string;
  log: { info(msg: string): void };
}

/** Splits Flink's `programArgs` string on whitespace, keeping quoted parts together. */
export function tokenizeArguments(args: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(args); m; m = re.exec(args)) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? m[3] ?? ''));
  return out;
}

export function registerJarHandlers(ctx: RestHandlerContext, opts: JarHandlersOptions): void {
  const { jarDir } = opts;
  const path = (req: FastifyRequest): string => {
    const id = param(req, 'jarid');
    if (!JAR_ID.test(id)) throw new RestHandlerException(400, `Invalid jar id '${id}': use an "id" from GET /jars.`);
    return join(jarDir, id);
  };
  const existing = async (req: FastifyRequest): Promise<string> => {
    const p = path(req);
    if (!(await stat(p).catch(() => null))?.isFile()) throw new RestHandlerException(404, `Jar file ${param(req, 'jarid')} not found (GET /jars lists the uploaded job files).`);
    return p;
  };

  ctx.route('POST', '/jars/upload', {}, async (req): Promise<JarUploadResponseBody> => {
    if (!req.isMultipart()) throw new RestHandlerException(400, `POST /jars/upload expects multipart/form-data with the job file in part '${JAR_FILE_PART}'.`);
    await mkdir(jarDir, { recursive: true, mode: 0o700 });
    let stored: string | undefined;
    for await (const part of req.parts()) {
      if (part.type !== 'file' || part.fieldname !== JAR_FILE_PART || stored) {
        if (part.type === 'file') part.file.resume();
        throw new RestHandlerException(400, `POST /jars/upload takes one file part '${JAR_FILE_PART}' (the job file), got part '${part.fieldname}'.`);
      }
      const name = checkJobFileName(part.filename);
      const target = join(jarDir, `${randomUUID()}_${name}`);
      try {
        await pipeline(part.file, createWriteStream(target, { flags: 'wx', mode: 0o600 }));
      } catch (e) {
        await rm(target, { force: true });
        throw e;
      }
      if (part.file.truncated) {
        await rm(target, { force: true });
        throw new RestHandlerException(413, `The job file exceeds rest.server.max-content-length.`);
      }
      stored = target;
    }
    if (!stored) throw new RestHandlerException(400, `POST /jars/upload: missing the file part '${JAR_FILE_PART}'.`);
    opts.log.info(`Job file uploaded: ${stored}`);
    return { filename: stored, status: 'success' };
  });

  ctx.route('GET', '/jars', {}, async (req): Promise<JarListInfo> => {
    const names = (await readdir(jarDir).catch(() => [] as string[])).filter((n) => JAR_ID.test(n));
    const files = await Promise.all(names.map(async (id) => ({
      id, name: id.slice(37), uploaded: Math.round((await stat(join(jarDir, id))).mtimeMs), entry: [{ name: 'main', description: 'the default export of the job file' }],
    })));
    files.sort((a, b) => b.uploaded - a.uploaded);
    return { address: `${req.protocol}://${req.headers.host ?? req.hostname}`, files };
  });

  ctx.route('DELETE', '/jars/:jarid', { params: jarParams }, async (req) => {
    await rm(await existing(req));
    return {};
  });

  ctx.route('POST', '/jars/:jarid/plan', { params: jarParams }, async (req): Promise<{ plan: JobPlan }> => {
    const planned = await plan(await existing(req), jarDir, runBody(req), ctx.configuration);
    return { plan: jobPlan(planned.jobGraph) };
  });

  ctx.route('POST', '/jars/:jarid/run', { params: jarParams }, async (req): Promise<JarRunResponseBody> => {
    const planned = await plan(await existing(req), jarDir, runBody(req), ctx.configuration);
    const { jobGraph, bundle, args, defaultParallelism, base } = planned;
    try {
      await opts.dispatcher.submitJobFromBundle({
        jobGraph, args, defaultParallelism, baseConfiguration: base.toMap(),
        bundle: { entry: bundle.entry, path: bundle.path, hash: bundle.hash, runtime: tsflinkRuntimeUrl() },
      });
    } catch (e) {
      const msg = (e as Error).message;
      throw new RestHandlerException(msg.startsWith('DuplicateJobSubmissionException') ? 409 : 400, `Job ${jobGraph.jobId} was rejected: ${msg}`);
    }
    opts.log.info(`Job '${jobGraph.jobName}' (${jobGraph.jobId}) submitted from job file ${bundle.entry}.`);
    return { jobid: jobGraph.jobId };
  });
}

/** The run/plan request body; none (as Flink allows) means all defaults. */
function runBody(req: FastifyRequest): JarRunRequestBody | undefined {
  if (req.body === undefined || req.body === null || req.body === '') return undefined;
  const validate = req.compileValidationSchema(runBodySchema);
  if (!validate(req.body)) {
    const errs = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
    throw new RestHandlerException(400, `Invalid body of ${req.method} ${req.url.split('?')[0]}: ${errs.join('; ')}. Expected {"programArgsList"?: [..], "programArgs"?: "..", "parallelism"?: n, "savepointPath"?: "..", "allowNonRestoredState"?: bool, "flinkConfiguration"?: {..}}.`);
  }
  return req.body as JarRunRequestBody;
}

function checkJobFileName(raw: string): string {
  const name = raw.replace(/^.*[\\/]/, '');
  const ext = extname(name).toLowerCase();
  if (!(SUPPORTED_JOB_EXTENSIONS as readonly string[]).includes(ext)) {
    throw new RestHandlerException(400, `Unsupported job file '${name}': a tsflink job file is an ES module (${SUPPORTED_JOB_EXTENSIONS.join(', ')}) whose default export is main.`);
  }
  if (!/^[A-Za-z0-9._-]{1,200}$/.test(name) || name.startsWith('.')) {
    throw new RestHandlerException(400, `Illegal job file name '${raw}': use letters, digits, '.', '_' and '-' only (at most 200 characters).`);
  }
  return name;
}

/** `import … from 'tsflink'`, `export … from 'tsflink'` and `import('tsflink')`. */
const TSFLINK_SPECIFIER = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])tsflink\2/g;

/** `code` with its imports of 'tsflink' pointing at the runtime file `runtimeUrl`. */
export function pinTsflinkImports(code: string, runtimeUrl: string): string {
  return code.replace(TSFLINK_SPECIFIER, (_m, pre: string) => `${pre}${JSON.stringify(runtimeUrl)}`);
}

/**
 * The job file as a bundle: esbuild where it is installed; without it (YARN containers ship no
 * esbuild) a JavaScript file is used as it is, its 'tsflink' imports pinned to this runtime.
 */
async function bundleJobFile(file: string, entry: string, outDir: string): Promise<JobBundle> {
  try {
    return await bundleJob(file, { outDir });
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    if (!(cause?.code === 'ERR_MODULE_NOT_FOUND' && /esbuild/.test(cause.message ?? ''))) throw e;
  }
  if (['.ts', '.mts'].includes(extname(file).toLowerCase())) {
    throw new RestHandlerException(400, `This JobManager cannot compile TypeScript job files: esbuild is not installed here (YARN containers do not ship it). ` +
      `Upload ${entry} as JavaScript (.mjs/.js, a single file importing only 'tsflink' and node: modules), or submit it with 'tsflink run', which bundles on the client.`);
  }
  const code = pinTsflinkImports(await readFile(file, 'utf8'), tsflinkRuntimeUrl());
  const hash = createHash('sha256').update(code).digest('hex');
  await mkdir(outDir, { recursive: true });
  const path = join(outDir, `${hash}.mjs`);
  await writeFile(path, code, { mode: 0o600 });
  return { entry, path, hash };
}

interface Planned { jobGraph: JobGraphSpec; bundle: JobBundle; args: string[]; defaultParallelism: number; base: Configuration }

/** Bundles the job file and runs its main up to the first execute() (Flink's PackagedProgramUtils.createJobGraph). */
async function plan(file: string, jarDir: string, body: JarRunRequestBody | undefined, cluster: Configuration): Promise<Planned> {
  const b = (body ?? {}) as JarRunRequestBody & { claimMode?: string | null };
  const base = cluster.clone();
  for (const [k, v] of Object.entries(b.flinkConfiguration ?? {})) base.setString(k, v, 'flinkConfiguration of the run request');
  if (b.savepointPath) base.setString('execution.state-recovery.path', b.savepointPath, 'savepointPath of the run request');
  if (b.allowNonRestoredState) base.setString('execution.state-recovery.ignore-unclaimed-state', 'true', 'allowNonRestoredState of the run request');
  const claim = b.restoreMode ?? b.claimMode;
  if (claim) base.setString('execution.state-recovery.claim-mode', claim, 'restoreMode of the run request');
  const defaultParallelism = b.parallelism ?? base.getOptional(CoreOptions.DEFAULT_PARALLELISM) ?? 1;
  const args = b.programArgsList ?? (b.programArgs ? tokenizeArguments(b.programArgs) : []);
  const entry = file.slice(jarDir.length + 1 + 37);
  let bundle: JobBundle;
  try {
    bundle = { ...(await bundleJobFile(file, entry, join(jarDir, 'bundles'))), entry };
  } catch (e) {
    if (e instanceof RestHandlerException) throw e;
    throw new RestHandlerException(400, `Could not bundle job file ${entry}: ${(e as Error).message}`);
  }
  try {
    const main = await loadJobMain(bundle);
    const sg = await captureStreamGraph(main, args, { baseConfiguration: base, defaultParallelism, executionIndex: 0, what: `Planning ${entry}` });
    const jobGraph = new StreamingJobGraphGenerator(sg, b.jobId ? b.jobId.toLowerCase() : undefined).generate();
    return { jobGraph, bundle, args, defaultParallelism, base };
  } catch (e) {
    throw new RestHandlerException(400, `Could not plan job file ${entry}: ${(e as Error).message}`);
  }
}

