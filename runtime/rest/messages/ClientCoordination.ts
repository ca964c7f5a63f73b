// POST /jobs/:jobid/coordinators/:operatorid (Flink's ClientCoordinationHandler): a client talks to
// an operator coordinator in the JobMaster. Flink's bodies carry serialized Java objects in base64;
// tsflink's carry msgpack. The one coordinator clients reach today is the collect sink's (behind
// executeAndCollect), addressed by the collect sink's stream node id.
import { Unpackr } from 'msgpackr';
import { Packr } from '../../network/Packr.js';

export interface ClientCoordinationRequestBody { serializedCoordinationRequest: string }
export interface ClientCoordinationResponseBody { serializedCoordinationResult: string }

/** Asks for the collected values from `offset` on, at most `maxValues` of them. */
export interface CollectCoordinationRequest { type: 'collect'; offset: number; maxValues: number }
/** `values` from the request's offset; `total` collected so far; `done` once the job is globally terminal (nothing more will come). */
export interface CollectCoordinationResult { values: unknown[]; offset: number; total: number; done: boolean; jobStatus: string }

export const clientCoordinationRequestSchema = {
  type: 'object',
  required: ['serializedCoordinationRequest'],
  additionalProperties: false,
  properties: { serializedCoordinationRequest: { type: 'string', maxLength: 4096 } },
} as const;

// Records are user values: the same lossless encoding as the control plane (-0, bigint, Maps, typed arrays).
const packr = new Packr({ useRecords: false, moreTypes: true });
const unpackr = new Unpackr({ useRecords: false, moreTypes: true, int64AsType: 'bigint' } as ConstructorParameters<typeof Unpackr>[0]);

export function encodeCoordination(value: CollectCoordinationRequest | CollectCoordinationResult): string {
  return Buffer.from(packr.pack(value)).toString('base64');
}

export function decodeCoordination(base64: string): unknown {
  return unpackr.unpack(Buffer.from(base64, 'base64'));
}

/** Validates a decoded request; throws an Error saying what is wrong. */
export function parseCollectRequest(value: unknown): CollectCoordinationRequest {
  const r = value as Partial<CollectCoordinationRequest> | null;
  if (typeof r !== 'object' || r === null || r.type !== 'collect') throw new Error("expected a request of type 'collect'");
  if (!Number.isInteger(r.offset) || (r.offset as number) < 0) throw new Error(`offset must be a non-negative integer, got ${String(r.offset)}`);
  if (!Number.isInteger(r.maxValues) || (r.maxValues as number) < 1) throw new Error(`maxValues must be a positive integer, got ${String(r.maxValues)}`);
  return { type: 'collect', offset: r.offset as number, maxValues: r.maxValues as number };
}
