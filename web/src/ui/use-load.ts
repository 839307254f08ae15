import { useEffect, useState } from 'react';

export type LoadState<T> =
  | { status: 'idle' }
  | { status: 'loading' }
  | { status: 'done'; data: T }
  | { status: 'error'; error: unknown };

/**
 * Runs `load` whenever `key` changes (undefined: nothing to load) and aborts the previous run, so a
 * slow answer to an old request never replaces a newer one.
 */
export function useLoad<T>(key: string | undefined, load: (signal: AbortSignal) => Promise<T>): LoadState<T> {
  const [state, setState] = useState<{ key?: string; value: LoadState<T> }>({ value: { status: 'idle' } });
  useEffect(() => {
    if (key === undefined) return;
    const controller = new AbortController();
    setState({ key, value: { status: 'loading' } });
    load(controller.signal).then(
      (data) => !controller.signal.aborted && setState({ key, value: { status: 'done', data } }),
      (error) => !controller.signal.aborted && setState({ key, value: { status: 'error', error } }),
    );
    return () => controller.abort();
    // `load` is rebuilt every render; `key` alone says when the request changes.
  }, [key]);
  if (key === undefined) return { status: 'idle' };
  // Until the effect for a new key has run, the old key's result must not show.
  return state.key === key ? state.value : { status: 'loading' };
}
