// Diagnostic trace of one checkpoint's path (coordinator → TaskExecutor → slot → source → barrier per channel →
// alignment), with wall-clock timestamps comparable across worker threads. Off unless TSFLINK_CHECKPOINT_TRACE=1.
const enabled = typeof process !== 'undefined' && process.env.TSFLINK_CHECKPOINT_TRACE === '1';

export function traceCheckpoint(step: string, checkpointId: number, where = ''): void {
  if (!enabled) return;
  process.stderr.write(`CPTRACE ${(performance.timeOrigin + performance.now()).toFixed(3)} ${checkpointId} ${step} ${where}\n`);
}
