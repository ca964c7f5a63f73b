// Flink's PrometheusReporter (flink-metrics-prometheus, AbstractPrometheusReporter): every
// process serves its metrics at http://<host>:<port>/metrics in the Prometheus text format,
// with Flink's names (flink_<logical scope>_<name>), labels (the scope variables) and types.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import type { MetricGroupDump } from '../dump/MetricDump.js';
import type { MetricFilter } from '../MetricFilter.js';

/** Characters Prometheus allows in names (and label values, with filterLabelValueCharacters). */
const INVALID = /[^a-zA-Z0-9:_]/g;
export const filterCharacters = (s: string): string => s.replace(INVALID, '_');
/** Flink's histogram quantiles, reported as a summary. */
const QUANTILES: ReadonlyArray<readonly [string, 'p50' | 'p75' | 'p95' | 'p98' | 'p99' | 'p999']> =
  [['0.5', 'p50'], ['0.75', 'p75'], ['0.95', 'p95'], ['0.98', 'p98'], ['0.99', 'p99'], ['0.999', 'p999']];

export interface PrometheusReporterOptions {
  /** Port or range: '9249', '9250-9260', '9250,9252'. The first free one is taken. */
  port: string;
  host: string;
  /** Label values stripped to [a-zA-Z0-9:_] (Flink's default true). */
  filterLabelValueCharacters: boolean;
  /** Which option the port came from, for error messages. */
  portKey: string;
  labels?: LabelOptions;
}

interface Sample { labels: Record<string, string>; value: number; metricName?: string }
interface Family { name: string; help: string; type: 'gauge' | 'summary'; values: Sample[] }

/** Flink's `scope.variables.excludes` / `scope.variables.additional` of a reporter. */
export interface LabelOptions {
  /** Variables left out of the labels (names without <>). */
  readonly excludes?: ReadonlySet<string>;
  /** Labels added to every series. */
  readonly additional?: Readonly<Record<string, string>>;
  /** Which metrics are reported (filter.includes / filter.excludes); default all. */
  readonly filter?: MetricFilter;
}

/** The text of one scrape: families by name, counters/gauges/meters as gauges, histograms as summaries. */
export async function toPrometheusText(dumps: readonly MetricGroupDump[], filterLabelValues = true, labelOptions: LabelOptions = {}): Promise<string> {
  const families = new Map<string, Family>();
  for (const g of dumps) {
    const scope = g.logicalScope.split('.').map(filterCharacters).join('_');
    const labels: Record<string, string> = {};
    for (const [k, v] of Object.entries(g.variables)) {
      const name = k.replace(/^<|>$/g, '');
      if (!labelOptions.excludes?.has(name)) labels[filterCharacters(name)] = filterLabelValues ? filterCharacters(v) : v;
    }
    for (const [k, v] of Object.entries(labelOptions.additional ?? {})) labels[filterCharacters(k)] = filterLabelValues ? filterCharacters(v) : v;
    for (const m of g.metrics) {
      if (labelOptions.filter && !labelOptions.filter(g.logicalScope, m.name, m.type)) continue;
      const name = `flink_${scope}_${filterCharacters(m.name)}`;
      const type = m.type === 'histogram' ? 'summary' : 'gauge';
      let f = families.get(name);
      if (!f) { f = { name, help: `${m.name} (scope: ${scope})`, type, values: [] }; families.set(name, f); }
      if (f.type !== type) continue; // one family has one type
      if (m.type === 'histogram') {
        for (const [q, key] of QUANTILES) f.values.push({ labels: { ...labels, quantile: q }, value: m.value[key] });
        f.values.push({ labels, value: m.value.count, metricName: `${name}_count` });
        continue;
      }
      const v = m.value;
      // Flink: numbers as they are, booleans 1/0, null 0; strings are not reported.
      if (typeof v === 'number') f.values.push({ labels, value: v });
      else if (typeof v === 'boolean') f.values.push({ labels, value: v ? 1 : 0 });
      else if (v === null) f.values.push({ labels, value: 0 });
    }
  }
  const registry = new Registry();
  for (const f of families.values()) {
    if (f.values.length === 0) continue;
    // prom-client formats any object with name/help/type/get() (its collector contract).
    registry.registerMetric({ name: f.name, help: f.help, type: f.type, get: async () => ({ ...f, aggregator: 'sum' }), reset: () => undefined } as unknown as Parameters<Registry['registerMetric']>[0]);
  }
  return registry.metrics();
}

/** Ports of a spec: '9249', '9250-9260', a comma-separated list of those. */
export function parsePortRange(spec: string, key: string): number[] {
  const out: number[] = [];
  for (const part of spec.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    const from = m ? Number(m[1]) : NaN;
    const to = m?.[2] !== undefined ? Number(m[2]) : from;
    if (!m || from > 65535 || to > 65535 || to < from) {
      throw new Error(`Invalid ${key} '${spec}': expected a port (9249), a range (9250-9260) or a comma-separated list of them, ports 0-65535.`);
    }
    for (let p = from; p <= to; p++) out.push(p);
  }
  return out;
}

export class PrometheusReporter {
  private server: Server | null = null;
  private boundPort = 0;

  constructor(private readonly collect: () => Promise<readonly MetricGroupDump[]>, private readonly opts: PrometheusReporterOptions) {}

  get port(): number { return this.boundPort; }
  get host(): string { return this.opts.host; }

  /** Binds the first free port of the range (several processes on one host each take their own). */
  async open(): Promise<number> {
    const ports = parsePortRange(this.opts.port, this.opts.portKey);
    let last: unknown;
    for (const port of ports) {
      const server = createServer((req, res) => { void this.handle(req.url ?? '/', res); });
      try {
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(port, this.opts.host, () => { server.off('error', reject); resolve(); });
        });
      } catch (e) {
        last = e;
        server.close();
        if ((e as { code?: string }).code === 'EADDRINUSE') continue;
        throw new Error(`Prometheus reporter cannot listen on ${this.opts.host}:${port} (${this.opts.portKey}): ${(e as Error).message}`, { cause: e });
      }
      this.server = server;
      this.boundPort = (server.address() as AddressInfo).port;
      return this.boundPort;
    }
    throw new Error(`Prometheus reporter: every port of ${this.opts.portKey}='${this.opts.port}' on ${this.opts.host} is in use (${(last as Error | undefined)?.message ?? 'no port'}). ` +
      'Give a range with one port per process on this host, e.g. 9250-9260.');
  }

  private async handle(url: string, res: import('node:http').ServerResponse): Promise<void> {
    const path = url.split('?')[0];
    if (path !== '/metrics' && path !== '/') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`Not found: ${path} (metrics are at /metrics)\n`);
      return;
    }
    try {
      const text = await toPrometheusText(await this.collect(), this.opts.filterLabelValueCharacters, this.opts.labels);
      res.writeHead(200, { 'content-type': Registry.PROMETHEUS_CONTENT_TYPE }).end(text);
    } catch (e) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(`Collecting metrics failed: ${(e as Error).message}\n`);
    }
  }

  async close(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (s) await new Promise<void>((r) => { s.close(() => r()); s.closeAllConnections(); });
  }
}
