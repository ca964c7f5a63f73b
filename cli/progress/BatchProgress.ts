// Live progress of an attached BATCH job for `tsflink run`: on a TTY one bar for the job (vertices finished
// of all) and one per running stage (its subtasks finished), with records and bytes read; elsewhere plain
// lines, printed when the progress changed. Both read GET /jobs/:jobid (or the same view of an embedded job).
import cliProgress from 'cli-progress';
import type { JobDetailsInfo, JobVertexDetailsInfo } from '../../runtime/rest/messages/JobDetailsInfo.js';
import type { SubmittedJob } from '../../runtime/client/ProgramRunner.js';

export type ProgressMode = 'bars' | 'lines';

/** What `--progress auto|always|never` means for a stream. */
export function progressMode(flag: string, stream: { isTTY?: boolean }): ProgressMode | null {
  if (flag === 'never') return null;
  if (stream.isTTY === true) return 'bars';
  return flag === 'always' ? 'lines' : null;
}

const TERMINAL = new Set(['FINISHED', 'FAILED', 'CANCELED', 'SUSPENDED']);

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

const fmt = new Intl.NumberFormat('en-US');

interface Totals { finished: number; total: number; readRecords: number; readBytes: number; writeRecords: number; writeBytes: number }

function totals(d: JobDetailsInfo): Totals {
  const t: Totals = { finished: 0, total: d.vertices.length, readRecords: 0, readBytes: 0, writeRecords: 0, writeBytes: 0 };
  for (const v of d.vertices) {
    if (v.status === 'FINISHED') t.finished++;
    t.readRecords += v.metrics['read-records'];
    t.readBytes += v.metrics['read-bytes'];
    t.writeRecords += v.metrics['write-records'];
    t.writeBytes += v.metrics['write-bytes'];
  }
  return t;
}

const running = (d: JobDetailsInfo): JobVertexDetailsInfo[] => d.vertices.filter((v) => v.status === 'RUNNING' || v.status === 'INITIALIZING' || v.status === 'DEPLOYING');

/** One plain progress line (non-TTY). */
export function progressLine(d: JobDetailsInfo): string {
  const t = totals(d);
  const stages = running(d).map((v) => `${v.name} ${v.tasks.FINISHED}/${v.parallelism}`);
  return `Progress ${d.jid}: ${d.state}, ${t.finished}/${t.total} vertices finished, read ${fmt.format(t.readRecords)} records (${formatBytes(t.readBytes)}), ` +
    `wrote ${fmt.format(t.writeRecords)} records (${formatBytes(t.writeBytes)})${stages.length ? `; running: ${stages.join(', ')}` : ''}`;
}

/** Follows one job until it reached a terminal state, or until stop(). */
export class BatchProgress {
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> = Promise.resolve();
  private lastLine = '';
  private last: JobDetailsInfo | undefined;
  private multi: cliProgress.MultiBar | undefined;
  private jobBar: cliProgress.SingleBar | undefined;
  private readonly stageBars = new Map<string, cliProgress.SingleBar>();
  private done = false;

  constructor(
    private readonly job: SubmittedJob,
    private readonly mode: ProgressMode,
    private readonly out: NodeJS.WritableStream & { isTTY?: boolean },
    private readonly intervalMs = 500,
  ) {}

  start(): void {
    const tick = (): void => {
      this.polling = this.poll().finally(() => {
        if (!this.done) this.timer = setTimeout(tick, this.intervalMs);
      });
    };
    tick();
  }

  /** Renders the final state once more and ends the bars (the job ended or the program returned). */
  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    await this.polling;
    if (!this.done) await this.poll();
    this.done = true;
    if (this.timer) clearTimeout(this.timer);
    this.multi?.stop();
    this.multi = undefined;
  }

  private async poll(): Promise<void> {
    let d: JobDetailsInfo;
    try {
      d = await this.job.details();
    } catch {
      return; // the job's JobManager is not reachable right now: try at the next tick
    }
    if (this.done) return;
    this.last = d;
    if (this.mode === 'lines') this.renderLine(d);
    else this.renderBars(d);
    if (TERMINAL.has(d.state)) {
      this.done = true;
      this.multi?.stop();
      this.multi = undefined;
    }
  }

  private renderLine(d: JobDetailsInfo): void {
    const line = progressLine(d);
    if (line === this.lastLine) return;
    this.lastLine = line;
    this.out.write(`${line}\n`);
  }

  private renderBars(d: JobDetailsInfo): void {
    const t = totals(d);
    if (!this.multi) {
      this.multi = new cliProgress.MultiBar({
        stream: this.out as NodeJS.WritableStream as never,
        hideCursor: true,
        clearOnComplete: false,
        autopadding: true,
        format: (o, p, payload: { label: string; info: string }) => {
          const size = o.barsize ?? 30;
          const done = Math.round(p.progress * size);
          return `${payload.label.padEnd(28).slice(0, 28)} ${'█'.repeat(done)}${'░'.repeat(size - done)} ${p.value}/${p.total} ${payload.info}`;
        },
      });
      this.jobBar = this.multi.create(t.total, 0, { label: d.name, info: '' });
    }
    this.jobBar!.setTotal(t.total);
    this.jobBar!.update(t.finished, {
      label: `${d.name} (${d.state})`,
      info: `vertices · read ${fmt.format(t.readRecords)} rec ${formatBytes(t.readBytes)}`,
    });
    const now = new Set<string>();
    for (const v of running(d)) {
      now.add(v.id);
      let bar = this.stageBars.get(v.id);
      if (!bar) {
        bar = this.multi.create(v.parallelism, 0, { label: v.name, info: '' });
        this.stageBars.set(v.id, bar);
      }
      bar.update(v.tasks.FINISHED, { label: `  ${v.name}`, info: `subtasks · read ${fmt.format(v.metrics['read-records'])} rec ${formatBytes(v.metrics['read-bytes'])}` });
    }
    for (const [id, bar] of this.stageBars) {
      if (now.has(id)) continue;
      this.multi.remove(bar);
      this.stageBars.delete(id);
    }
  }

  /** The last details seen (tests). */
  get lastDetails(): JobDetailsInfo | undefined { return this.last; }
}
