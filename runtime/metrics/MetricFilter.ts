// Flink's DefaultMetricFilter (metrics.reporter.<name>.filter.includes / .filter.excludes): entries
// `<scope>[:<name>[,<name>]*[:<type>[,<type>]*]]`, `*` a wildcard, several entries separated by ';'.
import type { MetricType } from './Metrics.js';

const TYPES: readonly MetricType[] = ['counter', 'gauge', 'meter', 'histogram'];

interface Entry { scope: RegExp; names: RegExp[]; types: ReadonlySet<MetricType> }

const wildcard = (p: string): RegExp => new RegExp(`^${p.split('*').map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);

function parse(spec: string, key: string): Entry[] {
  return spec.split(';').map((e) => e.trim()).filter((e) => e !== '').map((e) => {
    const [scope = '*', names = '*', types = '*', ...rest] = e.split(':');
    if (rest.length > 0) throw new Error(`Invalid ${key} entry '${e}': expected <scope>[:<name>[,<name>]][:<type>[,<type>]].`);
    const ts = new Set<MetricType>();
    for (const t of types.split(',').map((x) => x.trim().toLowerCase())) {
      if (t === '*') { for (const x of TYPES) ts.add(x); continue; }
      if (!(TYPES as readonly string[]).includes(t)) throw new Error(`Invalid ${key} entry '${e}': unknown metric type '${t}' (counter, gauge, meter, histogram or *).`);
      ts.add(t as MetricType);
    }
    return { scope: wildcard(scope.trim()), names: names.split(',').map((n) => wildcard(n.trim())), types: ts };
  });
}

export type MetricFilter = (logicalScope: string, name: string, type: MetricType) => boolean;

/** includes default `*:*:*` (everything), excludes default none. */
export function createMetricFilter(includes: string | undefined, excludes: string | undefined, keyPrefix: string): MetricFilter {
  const inc = parse(includes ?? '*:*:*', `${keyPrefix}filter.includes`);
  const exc = parse(excludes ?? '', `${keyPrefix}filter.excludes`);
  const hit = (es: Entry[], scope: string, name: string, type: MetricType): boolean =>
    es.some((e) => e.types.has(type) && e.scope.test(scope) && e.names.some((n) => n.test(name)));
  return (scope, name, type) => hit(inc, scope, name, type) && !hit(exc, scope, name, type);
}
