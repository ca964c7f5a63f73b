import type { Window, WindowSerializer } from '../../api/windowing/windows/Window.js';
import type { MergingWindowAssigner } from '../../api/windowing/assigners/WindowAssigner.js';
import type { ListState } from '../../api/state/State.js';

/** Called when windows merge: result window, the merged windows, the result's state window, the state windows merged into it. */
export type MergeFunction<W> = (mergeResult: W, mergedWindows: W[], stateWindowResult: W, mergedStateWindows: W[]) => void;

/**
 * The in-flight windows of one key of a merging assigner, each mapped to the window that holds its
 * state (Flink's MergingWindowSet). A window that grows by merging keeps its original state window,
 * so merging moves only the smaller windows' state. Persisted in keyed list state
 * "merging-window-set" as [window, state window] pairs.
 */
export class MergingWindowSet<W extends Window> {
  /** window key → [window, state window]. */
  private readonly mapping = new Map<string, [W, W]>();
  /** The persisted mapping: window key → state window key. */
  private readonly initial = new Map<string, string>();

  constructor(private readonly assigner: MergingWindowAssigner<unknown, W>, private readonly serializer: WindowSerializer<W>,
    private readonly state: ListState<[string, string]>) {
    for (const [w, s] of state.get()) {
      this.mapping.set(w, [serializer.fromKey(w), serializer.fromKey(s)]);
      this.initial.set(w, s);
    }
  }

  /** Writes the mapping back to keyed state if it changed (Flink compares with the initial mapping, too). */
  persist(): void {
    if (this.unchanged()) return;
    this.state.update([...this.mapping].map(([k, [, s]]) => [k, this.serializer.toKey(s)] as [string, string]));
  }

  private unchanged(): boolean {
    if (this.mapping.size !== this.initial.size) return false;
    for (const [k, [, s]] of this.mapping) if (this.initial.get(k) !== this.serializer.toKey(s)) return false;
    return true;
  }

  /** The window holding the state of in-flight `window`, or undefined if it is not in flight. */
  getStateWindow(window: W): W | undefined { return this.mapping.get(this.serializer.toKey(window))?.[1]; }

  /** Removes `window` from the in-flight windows. */
  retireWindow(window: W): void {
    if (!this.mapping.delete(this.serializer.toKey(window))) throw new Error(`Window ${String(window)} is not in in-flight window set.`);
  }

  isEmpty(): boolean { return this.mapping.size === 0; }
  size(): number { return this.mapping.size; }

  /**
   * Adds `newWindow`, merging it with in-flight windows as the assigner says. Returns the window it
   * ended up in: itself, or the merged window. The merge function never sees `newWindow` among the
   * merged windows (it had no state yet).
   */
  addWindow(newWindow: W, mergeFunction: MergeFunction<W>): W {
    const key = (w: W): string => this.serializer.toKey(w);
    const windows = [...[...this.mapping.values()].map(([w]) => w), newWindow];
    const mergeResults: Array<[W, W[]]> = [];
    this.assigner.mergeWindows(windows, (toBeMerged, mergeResult) => { mergeResults.push([mergeResult, [...toBeMerged]]); });

    let resultWindow = newWindow;
    let mergedNewWindow = false;
    for (const [mergeResult, mergedWindows] of mergeResults) {
      const ni = mergedWindows.findIndex((w) => w.equals(newWindow));
      if (ni >= 0) { mergedWindows.splice(ni, 1); mergedNewWindow = true; resultWindow = mergeResult; }
      // The first (earliest) merged window's state window holds the merged state.
      const mergedStateWindow = this.mapping.get(key(mergedWindows[0]))![1];
      const mergedStateWindows: W[] = [];
      for (const w of mergedWindows) {
        const res = this.mapping.get(key(w));
        if (res !== undefined) { this.mapping.delete(key(w)); mergedStateWindows.push(res[1]); }
      }
      this.mapping.set(key(mergeResult), [mergeResult, mergedStateWindow]);
      const si = mergedStateWindows.findIndex((w) => w.equals(mergedStateWindow));
      if (si >= 0) mergedStateWindows.splice(si, 1);
      // Nothing to merge when one existing window only absorbs the new one without growing.
      if (!(mergedWindows.length === 1 && mergedWindows[0].equals(mergeResult))) {
        mergeFunction(mergeResult, mergedWindows, mergedStateWindow, mergedStateWindows);
      }
    }
    if ((mergeResults.length === 0 || (resultWindow.equals(newWindow) && !mergedNewWindow)) && !this.mapping.has(key(resultWindow))) {
      this.mapping.set(key(resultWindow), [resultWindow, resultWindow]);
    }
    return resultWindow;
  }
}
