export type TtlUpdateType = 'OnCreateAndWrite' | 'OnReadAndWrite' | 'Disabled';
export type TtlStateVisibility = 'NeverReturnExpired' | 'ReturnExpiredIfNotCleanedUp';

/** Time-to-live of keyed state entries (processing time, milliseconds). */
export class StateTtlConfig {
  private constructor(
    readonly ttl: number,
    readonly updateType: TtlUpdateType,
    readonly stateVisibility: TtlStateVisibility,
  ) {}
  static newBuilder(ttlMs: number): StateTtlConfigBuilder { return new StateTtlConfigBuilder(ttlMs); }
  /** @internal */ static create(ttl: number, u: TtlUpdateType, v: TtlStateVisibility): StateTtlConfig { return new StateTtlConfig(ttl, u, v); }
}

export class StateTtlConfigBuilder {
  private updateType: TtlUpdateType = 'OnCreateAndWrite';
  private visibility: TtlStateVisibility = 'NeverReturnExpired';
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
  cleanupFullSnapshot(): this { return this; }
  cleanupIncrementally(_size?: number, _runForEveryRecord?: boolean): this { return this; }
  build(): StateTtlConfig { return StateTtlConfig.create(this.ttl, this.updateType, this.visibility); }
}
