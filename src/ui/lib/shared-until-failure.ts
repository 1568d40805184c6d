/** `load()` once, shared by every caller; a failure is forgotten, so the next caller tries again. */
export function sharedUntilFailure<T>(load: () => Promise<T>): () => Promise<T> {
  let shared: Promise<T> | undefined;
  return () => {
    if (shared === undefined) {
      const loading = load();
      shared = loading;
      loading.catch(() => {
        if (shared === loading) shared = undefined;
      });
    }
    return shared;
  };
}
