// The CLI's access to YARN (yarn-application, yarn-session, run -t yarn-session): the descriptor is
// loaded on first use, and its input errors (no Hadoop configuration, bad sizes, …) are usage errors.
import { CliError, ExitCode } from './CliError.js';
import type { YarnClusterDescriptor, YarnDeployOptions, YarnDeployment } from '../yarn-am/YarnClusterDescriptor.js';

/** A new YarnClusterDescriptor (the caller closes it). */
export async function openYarnClusterDescriptor(): Promise<YarnClusterDescriptor> {
  const { YarnClusterDescriptor, YarnDeploymentInputError } = await import('../yarn-am/YarnClusterDescriptor.js');
  try {
    return new YarnClusterDescriptor();
  } catch (e) {
    throw e instanceof YarnDeploymentInputError ? new CliError(e.message, ExitCode.USAGE) : e;
  }
}

/** `descriptor.deploy(opts)`, rejected input as a usage error. */
export async function deployOnYarn(descriptor: YarnClusterDescriptor, opts: YarnDeployOptions): Promise<YarnDeployment> {
  const { YarnDeploymentInputError } = await import('../yarn-am/YarnClusterDescriptor.js');
  try {
    return await descriptor.deploy(opts);
  } catch (e) {
    if (e instanceof YarnDeploymentInputError) throw new CliError(e.message, ExitCode.USAGE, { cause: e });
    throw e;
  }
}
