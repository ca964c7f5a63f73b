// Polling at web.refresh-interval, and the hash router.
import { createContext } from 'preact';
import { useContext, useEffect, useRef, useState } from 'preact/hooks';
import { RestError } from './api';

export interface Polled<T> { data: T | undefined; error: RestError | Error | undefined; reload: () => void }

export const RefreshInterval = createContext(3000);

/** Loads `load()` now and every refresh interval while mounted (and again when `deps` change). */
export function usePoll<T>(load: () => Promise<T>, deps: readonly unknown[], opts: { once?: boolean } = {}): Polled<T> {
  const interval = useContext(RefreshInterval);
  // Results are kept with the deps they were loaded for: after a change of deps (another job's
  // page) the render before the effect runs must not show the previous deps' data.
  const key = JSON.stringify(deps);
  const [state, setState] = useState<{ key: string; data: T | undefined; error: RestError | Error | undefined }>({ key, data: undefined, error: undefined });
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let loaded = false;
    let running = false;
    const run = async (): Promise<void> => {
      running = true;
      // A hidden tab polls nothing (many open dashboards would load the JobManager); it catches up when shown.
      if (!loaded || !document.hidden) {
        try {
          const data = await loadRef.current();
          if (live) setState({ key, data, error: undefined });
        } catch (e) {
          if (live) setState((s) => ({ key, data: s.key === key ? s.data : undefined, error: e as Error }));
        }
        loaded = true;
      }
      running = false;
      if (live && !opts.once) timer = setTimeout(() => void run(), interval);
    };
    const onVisible = (): void => {
      // A load in flight reschedules itself; otherwise refresh now instead of at the next tick.
      if (document.hidden || opts.once || !live || running) return;
      if (timer) clearTimeout(timer);
      void run();
    };
    setState({ key, data: undefined, error: undefined });
    void run();
    document.addEventListener('visibilitychange', onVisible);
    return () => { live = false; if (timer) clearTimeout(timer); document.removeEventListener('visibilitychange', onVisible); };
  }, [...deps, interval, tick]);
  const current = state.key === key ? state : { data: undefined, error: undefined };
  return { data: current.data, error: current.error, reload: () => setTick((t) => t + 1) };
}

/** The path of the hash route (`#/job/running/<id>` → `['job', 'running', '<id>']`). */
export function useRoute(): string[] {
  const parse = (): string[] => location.hash.replace(/^#\/?/, '').split('?')[0]!.split('/').filter((s) => s !== '').map(decodeURIComponent);
  const [route, setRoute] = useState(parse);
  useEffect(() => {
    const on = (): void => setRoute(parse());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

export function navigate(path: string): void { location.hash = `#/${path}`; }
