// The job bundle as the processes that run it see it: the JobManager and every TaskManager slot
// import it to rebuild the job's StreamGraph (tsflink's counterpart of Flink's user-code jars and
// their class loader). Building bundles is the client's job (client/JobBundler.ts).

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../configuration/packageRoot.js';

export interface JobBundle {
  /** Absolute path of the job file the bundle was built from. */
  readonly entry: string;
  /** Absolute path of the bundled .mjs file. */
  readonly path: string;
  /** sha256 hex of the bundle's bytes. */
  readonly hash: string;
  /** npm packages left out of the bundle (native addons, 'pipeline.external-packages'): imported from the client's install path. */
  readonly externalPackages?: readonly string[];
}

export type JobBundleErrorKind = 'not-found' | 'unsupported-extension' | 'build-failed' | 'no-main' | 'load-failed';

/** A problem with the user's job file (bad input: the CLI exits with the usage code). */
export class JobBundleError extends Error {
  readonly kind: JobBundleErrorKind;
  constructor(kind: JobBundleErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'JobBundleError';
    this.kind = kind;
  }
}

/**
 * Absolute path of the compiled package root module: <package root>/dist/runtime/index.js.
 * $TSFLINK_RUNTIME_ENTRY overrides it (e.g. a test harness that runs the runtime from sources).
 */
export function tsflinkRuntimeEntry(): string {
  const override = process.env['TSFLINK_RUNTIME_ENTRY'];
  return override ? resolve(override) : join(packageRoot(), 'dist', 'runtime', 'index.js');
}

/** The `file://` URL bundles made here import as 'tsflink'. */
export function tsflinkRuntimeUrl(): string {
  return pathToFileURL(tsflinkRuntimeEntry()).href;
}

/**
 * Re-pins a bundle made by another installation (`from`: the runtime URL it imports) to this
 * process's runtime, so it loads the same module instance here (other hosts, YARN containers).
 */
export function repinBundleCode(code: string, from: string): string {
  const own = tsflinkRuntimeUrl();
  return from === own ? code : code.split(JSON.stringify(from)).join(JSON.stringify(own));
}

/**
 * Loads the runtime that job bundles import as 'tsflink' into this isolate ahead of any job: a slot
 * thread does this when it starts, so a job's first task pays only for its own (small) bundle and
 * main, not for the runtime's few hundred modules (100–200 ms per slot, inside the job's runtime and
 * different in every slot, which skewed p>1 starts). The import is shared: a bundle imported while it
 * is still loading waits for the same module instance.
 */
export async function preloadTsflinkRuntime(): Promise<void> {
  await import(tsflinkRuntimeUrl());
}

/**
 * Imports the bundle and returns its default export (the job's `main`). The bundle's bytes are
 * checked against its hash first, so a shipped bundle that changed is never evaluated.
 */
export async function loadJobMain(bundle: JobBundle): Promise<(args: string[]) => unknown> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(bundle.path);
  } catch (e) {
    throw new JobBundleError('load-failed', `Cannot read job bundle ${bundle.path} (built from ${bundle.entry}): ${(e as Error).message}`, { cause: e });
  }
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== bundle.hash) {
    throw new JobBundleError('load-failed', `Job bundle ${bundle.path} does not match its hash (expected ${bundle.hash}, found ${actual}); bundle the job again.`);
  }
  // Stack traces of user code should show job.ts lines (the bundle carries an inline source map).
  process.setSourceMapsEnabled(true);
  const mod = (await import(pathToFileURL(bundle.path).href)) as { default?: unknown };
  const main = mod.default;
  if (main === undefined) {
    throw new JobBundleError('no-main', `${bundle.entry} has no default export. A tsflink job must \`export default async function main(args: string[])\`.`);
  }
  if (typeof main !== 'function') {
    throw new JobBundleError(
      'no-main',
      `The default export of ${bundle.entry} is ${main === null ? 'null' : `a ${typeof main}`}, not a function. A tsflink job must \`export default async function main(args: string[])\`.`,
    );
  }
  return main as (args: string[]) => unknown;
}
