import { describe, expect, it, vi, beforeEach, afterEach } from 'vitest';
import { createSearcher, kindLabel, resultsAnnouncement, safeLink } from './search';

describe('createSearcher', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('waits for typing to pause, then searches once', async () => {
    const fetcher = vi.fn(async (q: string) => q.toUpperCase());
    const onResult = vi.fn();
    const s = createSearcher(fetcher, { onResult, onError: vi.fn() }, 150);
    s.input('h');
    vi.advanceTimersByTime(100);
    s.input('hb');
    vi.advanceTimersByTime(100);
    s.input('hba');
    expect(fetcher).not.toHaveBeenCalled();
    vi.advanceTimersByTime(150);
    expect(fetcher).toHaveBeenCalledTimes(1);
    expect(fetcher.mock.calls[0][0]).toBe('hba');
    await vi.runAllTimersAsync();
    expect(onResult).toHaveBeenCalledWith('hba', 'HBA');
  });

  it('aborts a running request when a newer query starts, and ignores its answer', async () => {
    const signals: AbortSignal[] = [];
    const resolvers: Array<(v: string) => void> = [];
    const fetcher = (_q: string, signal: AbortSignal) => {
      signals.push(signal);
      return new Promise<string>((resolve) => resolvers.push(resolve));
    };
    const onResult = vi.fn();
    const s = createSearcher(fetcher, { onResult, onError: vi.fn() }, 150);
    s.input('hb');
    vi.advanceTimersByTime(150);
    s.input('hba1c');
    expect(signals[0].aborted).toBe(true);
    vi.advanceTimersByTime(150);
    resolvers[1]('new');
    resolvers[0]('old'); // the stale answer arrives last
    await vi.runAllTimersAsync();
    expect(onResult).toHaveBeenCalledTimes(1);
    expect(onResult).toHaveBeenCalledWith('hba1c', 'new');
  });

  it('clears at once for an empty query and reports errors', async () => {
    const onClear = vi.fn();
    const onError = vi.fn();
    const s = createSearcher(async () => Promise.reject(new Error('boom')), { onResult: vi.fn(), onError, onClear }, 150);
    s.input('   ');
    expect(onClear).toHaveBeenCalled();
    s.input('x');
    vi.advanceTimersByTime(150);
    await vi.runAllTimersAsync();
    expect(onError).toHaveBeenCalledTimes(1);
  });

  it('ignores AbortError and stops on cancel', async () => {
    const onError = vi.fn();
    const fetcher = vi.fn((_q: string, signal: AbortSignal) => new Promise<string>((_r, reject) => signal.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' })))));
    const s = createSearcher(fetcher, { onResult: vi.fn(), onError }, 150);
    s.input('x');
    vi.advanceTimersByTime(150);
    s.cancel();
    await vi.runAllTimersAsync();
    expect(onError).not.toHaveBeenCalled();
    s.input('y');
    s.cancel();
    vi.advanceTimersByTime(500);
    expect(fetcher).toHaveBeenCalledTimes(1);
  });
});

describe('search words', () => {
  it('labels kinds in plain English', () => {
    expect(kindLabel('result')).toBe('Test result');
    expect(kindLabel('immunisation')).toBe('Vaccination');
    expect(kindLabel('claim')).toBe('Claim');
  });
  it('announces the number of results', () => {
    expect(resultsAnnouncement(0, 'xyz')).toBe('No results for xyz');
    expect(resultsAnnouncement(1, 'hb')).toBe('1 result for hb');
    expect(resultsAnnouncement(1200, 'a')).toBe('1,200 results for a');
  });
  it('only follows links within the app', () => {
    expect(safeLink('#/results/r-1')).toBe('#/results/r-1');
    expect(safeLink('javascript:alert(1)')).toBe('#/');
    expect(safeLink('https://evil.example')).toBe('#/');
    expect(safeLink('')).toBe('#/');
  });
});
