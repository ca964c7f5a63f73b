import type { AggregateFunction, ReduceFunction } from '../functions/Functions.js';
import { resolveFunction } from '../functions/Functions.js';
import type { StateTtlConfig } from './StateTtlConfig.js';

export type StateKind = 'value' | 'list' | 'map' | 'reducing' | 'aggregating';

export abstract class StateDescriptor<S, T> {
  abstract readonly kind: StateKind;
  declare readonly __state?: S;
  ttlConfig: StateTtlConfig | undefined;
  constructor(readonly name: string, readonly defaultValue?: T) {
    if (typeof name !== 'string' || name.length === 0) throw new TypeError('A state descriptor needs a non-empty name.');
  }
  enableTimeToLive(ttl: StateTtlConfig): void { this.ttlConfig = ttl; }
  getName(): string { return this.name; }
}

export class ValueStateDescriptor<T> extends StateDescriptor<'value', T> {
  readonly kind = 'value' as const;
  constructor(name: string, defaultValue?: T) { super(name, defaultValue); }
}
export class ListStateDescriptor<T> extends StateDescriptor<'list', T[]> {
  readonly kind = 'list' as const;
  constructor(name: string) { super(name); }
}
export class MapStateDescriptor<K, V> extends StateDescriptor<'map', Map<K, V>> {
  readonly kind = 'map' as const;
  declare readonly __kv?: [K, V];
  constructor(name: string) { super(name); }
}
export class ReducingStateDescriptor<T> extends StateDescriptor<'reducing', T> {
  readonly kind = 'reducing' as const;
  readonly reduceFunction: (a: T, b: T) => T;
  constructor(name: string, reduceFn: ReduceFunction<T>) {
    super(name);
    this.reduceFunction = resolveFunction<(a: T, b: T) => T>(reduceFn, 'reduce', `ReducingStateDescriptor '${name}'`);
  }
}
export class AggregatingStateDescriptor<IN, ACC, OUT> extends StateDescriptor<'aggregating', ACC> {
  readonly kind = 'aggregating' as const;
  declare readonly __io?: [IN, OUT];
  constructor(name: string, readonly aggregateFunction: AggregateFunction<IN, ACC, OUT>) { super(name); }
}
