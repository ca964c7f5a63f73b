/**
 * A minimal ApplicationMaster used by integration/yarn tests (runs inside a YARN container):
 * reads the AMRMToken from $HADOOP_TOKEN_FILE_LOCATION, registers, allocates one container,
 * starts `sleep 30` in it with the NMToken, stops it, waits for its completion in allocate,
 * then unregisters SUCCEEDED. Progress lines go to stdout (the container's stdout log).
 * With TSFLINK_TEST_AM_MODE=heartbeat it only registers and heartbeats until killed.
 */
import { hostname } from 'node:os';
import { readContainerCredentials } from '../../ipc/credentials.js';
import { AMRMClient } from '../AMRMClient.js';
import { NMClient } from '../NMClient.js';
import { formatContainerId, type Container } from '../records.js';

const log = (msg: string): void => {
  process.stdout.write(`[test-am] ${msg}\n`);
};
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  // What the NM wrote to container_tokens: the AMRMToken plus whatever the client put in the CLC's tokens.
  const creds = readContainerCredentials();
  log(`credentials: tokens=${[...creds.tokens.values()].map((t) => `${t.kind}@${t.service}`).join(',')} secrets=${[...creds.secrets.entries()].map(([k, v]) => `${k}=${Buffer.from(v).toString()}`).join(',')}`);
  const am = AMRMClient.fromEnvironment();
  log(`scheduler ${am.endpoint.host}:${am.endpoint.port} (${am.endpoint.source}); container ${process.env['CONTAINER_ID']}`);
  const reg = await am.registerApplicationMaster({ host: hostname(), rpcPort: -1, trackingUrl: '' });
  log(`registered queue=${reg.queue} max=${reg.maximumCapability.memoryMb}MB`);
  if (process.env['TSFLINK_TEST_AM_MODE'] === 'heartbeat') {
    // Stay RUNNING (heartbeating) until the RM kills the attempt.
    for (;;) {
      const r = await am.allocate({ progress: 0.5 });
      if (r.amCommand === 'SHUTDOWN') break;
      await sleep(500);
    }
    am.close();
    return;
  }
  const nm = new NMClient(am.nmTokens);
  let outcome = 'SUCCEEDED' as 'SUCCEEDED' | 'FAILED';
  let diagnostics = '';
  try {
    let container: Container | undefined;
    const ask = [{ priority: 1, resourceName: '*', capability: { memoryMb: 128, vcores: 1 }, numContainers: 1 }];
    for (let i = 0; i < 200 && !container; i++) {
      // Asks replace the RM's outstanding total for their key: send once, not on every heartbeat,
      // or the RM would be told "1 more" again after it already allocated one.
      const r = await am.allocate({ ask: i === 0 ? ask : [], progress: 0.1 });
      container = r.allocatedContainers[0];
      if (!container) await sleep(250);
    }
    if (!container) throw new Error('no container allocated');
    const cid = formatContainerId(container.id);
    log(`allocated ${cid} on ${container.nodeId.host}:${container.nodeId.port}`);
    await nm.startContainer(container, { commands: ['sleep 30 1><LOG_DIR>/stdout 2><LOG_DIR>/stderr'] });
    log(`started ${cid}`);
    const st = await nm.getContainerStatuses(container.nodeId, [container.id]);
    log(`status ${cid} ${st.statuses[0]?.state}`);
    await nm.stopContainer(container.nodeId, container.id);
    log(`stopped ${cid}`);
    let done = false;
    for (let i = 0; i < 200 && !done; i++) {
      const r = await am.allocate({ progress: 0.9 });
      for (const s of r.completedContainerStatuses) {
        if (formatContainerId(s.containerId) === cid) {
          log(`completed ${cid} exit=${s.exitStatus} state=${s.state}`);
          done = true;
        }
      }
      if (!done) await sleep(250);
    }
    if (!done) throw new Error(`${cid} never reported completed`);
    diagnostics = `test-am: container ${cid} started, stopped and completed`;
  } catch (e) {
    outcome = 'FAILED';
    diagnostics = `test-am failed: ${(e as Error).stack ?? String(e)}`;
    log(diagnostics);
  }
  await am.finishApplicationMaster({ finalStatus: outcome, diagnostics });
  log(`unregistered ${outcome}`);
  nm.close();
  am.close();
}

main().catch((e: unknown) => {
  process.stderr.write(`[test-am] fatal: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
