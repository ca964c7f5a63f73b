export type TtlUpdateType = 'OnCreateAndWrite' | 'OnReadAndWrite' | 'Disabled';
export type TtlStateVisibility = 'NeverReturnExpired' | 'ReturnExpiredIfNotCleanedUp';

/** Flink's CleanupStrategies: expired entries are always dropped on read; these add background cleanup. */
export interface TtlCleanupStrategies {
  /** Leave expired entries out of full snapshots (checkpoints and savepoints). */
  readonly fullSnapshot: boolean;
  /** Check this many entries for expiry on each state access (and per record if runForEveryRecord). */
  readonly incremental: { readonly cleanupSize: number; readonly runForEveryRecord: boolean } | null;
}
const NO_CLEANUP: TtlCleanupStrategies = Object.freeze({ fullSnapshot: false, incremental: null });

/** Time-to-live of keyed state entries (processing time, milliseconds). */
export class StateTtlConfig {
  private constructor(
    readonly ttl: number,
    readonly updateType: TtlUpdateType,
    readonly stateVisibility: TtlStateVisibility,
    readonly cleanupStrategies: TtlCleanupStrategies = NO_CLEANUP,
  ) {}
  static newBuilder(ttlMs: number): StateTtlConfigBuilder { return new StateTtlConfigBuilder(ttlMs); }
  /** @internal */ static create(ttl: number, u: TtlUpdateType, v: TtlStateVisibility, c: TtlCleanupStrategies = NO_CLEANUP): StateTtlConfig {
    return new StateTtlConfig(ttl, u, v, c);
  }
}

export class StateTtlConfigBuilder {
  private updateType: TtlUpdateType = 'OnCreateAndWrite';
  private visibility: TtlStateVisibility = 'NeverReturnExpired';
  private fullSnapshot = false;
  private incremental: TtlCleanupStrategies['incremental'] = null;
  constructor(private ttl: number) {
    if (!(ttl > 0)) throw new RangeError(`State TTL must be a positive number of milliseconds, got ${ttl}.`);
  }
  setUpdateType(t: TtlUpdateType): this { this.updateType = t; return this; }
  updateTtlOnCreateAndWrite(): this { return this.setUpdateType('OnCreateAndWrite'); }
  updateTtlOnReadAndWrite(): this { return this.setUpdateType('OnReadAndWrite'); }
  setStateVisibility(v: TtlStateVisibility): this { this.visibility = v; return this; }
  neverReturnExpired(): this { return this.setStateVisibility('NeverReturnExpired'); }
  returnExpiredIfNotCleanedUp(): this { return this.setStateVisibility('ReturnExpiredIfNotCleanedUp'); }
  setTtl(ms: number): this { this.ttl = ms; return this; }
  cleanupFullSnapshot(): this { this.fullSnapshot = true; return this; }
  /** Flink's defaults: 5 entries per access, not per record. */
  cleanupIncrementally(cleanupSize = 5, runForEveryRecord = false): this {
    if (!Number.isInteger(cleanupSize) || cleanupSize < 1) throw new RangeError(`StateTtlConfig.cleanupIncrementally: cleanupSize must be a positive integer, got ${cleanupSize}.`);
    this.incremental = { cleanupSize, runForEveryRecord };
    return this;
  }
  disableCleanupInBackground(): this { this.incremental = null; return this; }
  build(): StateTtlConfig {
    return StateTtlConfig.create(this.ttl, this.updateType, this.visibility, Object.freeze({ fullSnapshot: this.fullSnapshot, incremental: this.incremental }));
  }
}
