import type { StreamEnvironment } from '../environment/StreamEnvironment.js';
import type { Transformation } from '../dag/Transformation.js';
import { MapStateDescriptor } from '../state/StateDescriptor.js';
import { describe } from '../functions/Functions.js';

/**
 * A stream sent to every parallel instance of the operator it is connected to, together with the
 * broadcast states its records update (Flink's BroadcastStream): `stream.broadcast(desc…)`, then
 * `other.connect(broadcastStream).process(…)`.
 */
export class BroadcastStream<T> {
  private readonly descriptors: readonly MapStateDescriptor<unknown, unknown>[];

  constructor(readonly environment: StreamEnvironment, readonly transformation: Transformation<T>, descriptors: readonly MapStateDescriptor<unknown, unknown>[]) {
    if (descriptors.length === 0) throw new Error('broadcast(...descriptors): give at least one MapStateDescriptor for the broadcast state.');
    const names = new Set<string>();
    for (const d of descriptors) {
      if (!(d instanceof MapStateDescriptor)) throw new TypeError(`broadcast(...descriptors): broadcast state is a map; expected a MapStateDescriptor, got ${describe(d)}.`);
      if (names.has(d.name)) throw new Error(`broadcast(...descriptors): the broadcast state '${d.name}' is given twice.`);
      names.add(d.name);
    }
    this.descriptors = [...descriptors];
  }

  getExecutionEnvironment(): StreamEnvironment { return this.environment; }
  getTransformation(): Transformation<T> { return this.transformation; }
  getBroadcastStateDescriptors(): readonly MapStateDescriptor<unknown, unknown>[] { return this.descriptors; }
}
