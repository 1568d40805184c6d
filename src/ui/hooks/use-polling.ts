import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export interface Polled<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  /** Loads again now (e.g. after a change). */
  refresh: () => void;
}

/**
 * Loads `load` now and again `intervalMs` after each load finishes (never two at once), while the page is
 * visible; reloads when `deps` change. Keeps the last data while a reload is under way or fails.
 */
export function usePolling<T>(
  load: () => Promise<T>,
  intervalMs: number,
  deps: readonly unknown[],
): Polled<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      if (stopped) return;
      if (document.hidden) {
        timer = setTimeout(run, intervalMs);
        return;
      }
      setLoading(true);
      try {
        const next = await loadRef.current();
        if (!stopped) {
          setData(next);
          setError(undefined);
        }
      } catch (failure) {
        if (!stopped) setError(failure as Error);
      } finally {
        if (!stopped) {
          setLoading(false);
          timer = setTimeout(run, intervalMs);
        }
      }
    };
    const onVisible = () => {
      if (!document.hidden && timer !== undefined) {
        clearTimeout(timer);
        void run();
      }
    };
    document.addEventListener('visibilitychange', onVisible);
    void run();
    return () => {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [...deps, tick, intervalMs]);

  const refresh = useCallback(() => setTick((n) => n + 1), []);
  return { data, error, loading, refresh };
}
