import { WindowAssigner } from './WindowAssigner.js';
import { GlobalWindow } from '../windows/GlobalWindow.js';
import { NeverTrigger, EndOfStreamTrigger } from '../triggers/NeverTrigger.js';
import type { Trigger } from '../triggers/Trigger.js';
import type { WindowSerializer } from '../windows/Window.js';

/** One window per key holding all its elements (Flink's GlobalWindows); set a trigger, the default never fires. */
export class GlobalWindows extends WindowAssigner<unknown, GlobalWindow> {
  private constructor(private readonly defaultTrigger: Trigger<unknown, GlobalWindow>) { super(); }
  static create(): GlobalWindows { return new GlobalWindows(new NeverTrigger()); }
  /** The default trigger fires once, at the end of input. */
  static createWithEndOfStreamTrigger(): GlobalWindows { return new GlobalWindows(new EndOfStreamTrigger()); }
  assignWindows(): GlobalWindow[] { return [GlobalWindow.get()]; }
  getDefaultTrigger(): Trigger<unknown, GlobalWindow> { return this.defaultTrigger; }
  getWindowSerializer(): WindowSerializer<GlobalWindow> { return GlobalWindow.serializer; }
  isEventTime(): boolean { return false; }
  override toString(): string { return 'GlobalWindows()'; }
}
