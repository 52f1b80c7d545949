// Search as you type: waits until typing pauses (debounce), and aborts the
// request for an older query when a newer one starts, so a slow answer for
// "hb" never replaces the answer for "hba1c".

import { isAbort } from './api';

export const SEARCH_DEBOUNCE_MS = 150;

export interface Timers {
  set: (fn: () => void, ms: number) => unknown;
  clear: (id: unknown) => void;
}

const realTimers: Timers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (id) => clearTimeout(id as ReturnType<typeof setTimeout>),
};

export interface Searcher {
  /** Call on every keystroke. An empty query clears the results at once. */
  input(q: string): void;
  /** Stops any pending or running search. */
  cancel(): void;
}

export function createSearcher<T>(
  fetcher: (q: string, signal: AbortSignal) => Promise<T>,
  handlers: { onResult: (q: string, result: T) => void; onError: (q: string, err: unknown) => void; onClear?: () => void; onStart?: (q: string) => void },
  delay = SEARCH_DEBOUNCE_MS,
  timers: Timers = realTimers,
): Searcher {
  let timer: unknown = null;
  let controller: AbortController | null = null;

  function stop() {
    if (timer !== null) timers.clear(timer);
    timer = null;
    controller?.abort();
    controller = null;
  }

  return {
    input(raw: string) {
      stop();
      const q = raw.trim();
      if (!q) {
        handlers.onClear?.();
        return;
      }
      timer = timers.set(() => {
        timer = null;
        const c = new AbortController();
        controller = c;
        handlers.onStart?.(q);
        fetcher(q, c.signal).then(
          (r) => {
            if (c.signal.aborted) return;
            controller = null;
            handlers.onResult(q, r);
          },
          (e) => {
            if (c.signal.aborted || isAbort(e)) return;
            controller = null;
            handlers.onError(q, e);
          },
        );
      }, delay);
    },
    cancel: stop,
  };
}

const KIND_LABELS: Record<string, string> = {
  result: 'Test result',
  condition: 'Condition',
  medication: 'Medicine',
  allergy: 'Allergy',
  immunisation: 'Vaccination',
  visit: 'Appointment or visit',
  document: 'Letter or document',
};

/** Plain words for a search match's or timeline item's kind. */
export function kindLabel(kind: string): string {
  return KIND_LABELS[kind] ?? (kind ? kind.charAt(0).toUpperCase() + kind.slice(1) : 'Record');
}

/** "3 results for hba1c" / "No results for xyz" (the live region's words). */
export function resultsAnnouncement(count: number, q: string): string {
  if (count === 0) return `No results for ${q}`;
  return `${count.toLocaleString('en-GB')} ${count === 1 ? 'result' : 'results'} for ${q}`;
}

/** Only links within the app ("#/..."): anything else from the server is not followed. */
export function safeLink(link: string | null | undefined): string {
  return link && /^#\/[^\s]*$/.test(link) ? link : '#/';
}
