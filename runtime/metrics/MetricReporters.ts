// Flink's ReporterSetup: the reporters named by metrics.reporter.<name>.factory.class (filtered by
// metrics.reporters), started in every JobManager and TaskManager process on its registry.
import type { Configuration } from '../configuration/index.js';
import { MetricOptions } from '../configuration/index.js';
import type { MetricRegistry } from './MetricRegistry.js';
import { PrometheusReporter } from './prometheus/PrometheusReporter.js';
import { createMetricFilter } from './MetricFilter.js';

export const PROMETHEUS_FACTORY = 'org.apache.flink.metrics.prometheus.PrometheusReporterFactory';
const FACTORIES: Record<string, 'prometheus'> = { [PROMETHEUS_FACTORY]: 'prometheus', prometheus: 'prometheus' };

export interface StartedReporter { readonly name: string; readonly kind: 'prometheus'; readonly host: string; readonly port: number; close(): Promise<void> }

/** Flink's map syntax `k1:v1,k2:v2`. */
function parseAdditional(spec: string | undefined, key: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (spec ?? '').split(',').map((x) => x.trim()).filter((x) => x !== '')) {
    const i = part.indexOf(':');
    if (i <= 0) throw new Error(`Invalid ${key} '${spec}': expected key:value pairs separated by commas, e.g. cluster_name:prod,region:eu.`);
    out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}

/** Starts every configured reporter; a bad factory or port fails start-up naming the key. */
export async function startMetricReporters(conf: Configuration, registry: MetricRegistry, defaultHost: string, log?: (msg: string) => void): Promise<StartedReporter[]> {
  const raw = conf.toMap();
  const names = new Set<string>();
  for (const k of Object.keys(raw)) {
    const m = /^metrics\.reporter\.([^.]+)\.(?:factory\.)?class$/.exec(k);
    if (m) names.add(m[1]!);
  }
  const allow = conf.getOptional(MetricOptions.REPORTERS_LIST);
  const started: StartedReporter[] = [];
  try {
    for (const name of names) {
      if (allow && !allow.includes(name)) continue;
      const p = `metrics.reporter.${name}.`;
      const factoryKey = raw[`${p}factory.class`] !== undefined ? `${p}factory.class` : `${p}class`;
      const factory = raw[factoryKey]!.trim();
      const kind = FACTORIES[factory];
      if (!kind) {
        throw new Error(`Unknown metric reporter '${factory}' (${factoryKey}): tsflink has ${PROMETHEUS_FACTORY} (alias 'prometheus'). Remove the reporter or set that factory.`);
      }
      const filter = raw[`${p}filterLabelValueCharacters`];
      if (filter !== undefined && filter !== 'true' && filter !== 'false') throw new Error(`Invalid ${p}filterLabelValueCharacters '${filter}': expected true or false.`);
      const reporter = new PrometheusReporter(() => registry.collect(), {
        port: raw[`${p}port`] ?? '9249', portKey: `${p}port`, host: raw[`${p}host`] ?? defaultHost, filterLabelValueCharacters: filter !== 'false',
        labels: {
          excludes: new Set((raw[`${p}scope.variables.excludes`] ?? '').split(/[;,]/).map((v) => v.trim().replace(/^<|>$/g, '')).filter((v) => v !== '')),
          additional: parseAdditional(raw[`${p}scope.variables.additional`], `${p}scope.variables.additional`),
          filter: createMetricFilter(raw[`${p}filter.includes`], raw[`${p}filter.excludes`], p),
        },
      });
      const port = await reporter.open();
      log?.(`Metric reporter '${name}' (Prometheus) serving http://${reporter.host}:${port}/metrics`);
      const forget = registry.addReporterEndpoint({ name, host: reporter.host, port });
      started.push({ name, kind, host: reporter.host, port, close: () => { forget(); return reporter.close(); } });
    }
  } catch (e) {
    await Promise.all(started.map((r) => r.close()));
    throw e;
  }
  return started;
}
