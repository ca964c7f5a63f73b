/** A finite bucket of elements (Flink's Window): its elements are emitted with timestamp maxTimestamp(). */
export abstract class Window {
  /** The largest timestamp that still belongs to this window. */
  abstract maxTimestamp(): number;
  abstract equals(other: unknown): boolean;
}

/**
 * Turns a window into the string that names its state namespace and back (Flink's window
 * TypeSerializer): window contents, trigger state and timers are stored under it.
 */
export interface WindowSerializer<W extends Window> {
  toKey(window: W): string;
  fromKey(key: string): W;
}
