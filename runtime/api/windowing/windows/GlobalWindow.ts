import { Window, type WindowSerializer } from './Window.js';
import { MAX_WATERMARK } from '../../eventtime/WatermarkStrategy.js';

/** The one window that holds every element of a key (Flink's GlobalWindow); it never ends by time. */
export class GlobalWindow extends Window {
  private static readonly INSTANCE = new GlobalWindow();
  private constructor() { super(); }
  static get(): GlobalWindow { return GlobalWindow.INSTANCE; }
  maxTimestamp(): number { return MAX_WATERMARK; }
  equals(other: unknown): boolean { return other instanceof GlobalWindow; }
  override toString(): string { return 'GlobalWindow'; }

  static readonly serializer: WindowSerializer<GlobalWindow> = {
    toKey: () => 'global',
    fromKey: (k) => {
      if (k !== 'global') throw new Error(`Window state is corrupt: '${k}' is not a GlobalWindow.`);
      return GlobalWindow.INSTANCE;
    },
  };
}
