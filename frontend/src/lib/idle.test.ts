import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ACTIVITY_EVENTS, IdleTimer, idleLimitMs, watchActivity } from './idle';

const MIN = 60_000;

describe('idleLimitMs', () => {
  const cases: Array<[number | null | undefined, number | null]> = [
    [15, 15 * MIN],
    [1, MIN],
    [0.5, 30_000],
    [0, null],
    [-1, null],
    [Number.NaN, null],
    [Number.POSITIVE_INFINITY, null],
    [null, null],
    [undefined, null],
  ];
  it.each(cases)('%j', (m, want) => expect(idleLimitMs(m)).toBe(want));
});

describe('IdleTimer', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-01-01T09:00:00Z'));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fires once after the limit with no activity', () => {
    const onIdle = vi.fn();
    const t = new IdleTimer(15 * MIN, onIdle);
    t.start();
    vi.advanceTimersByTime(15 * MIN - 1);
    expect(onIdle).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onIdle).toHaveBeenCalledTimes(1);
    expect(t.running).toBe(false);
    vi.advanceTimersByTime(60 * MIN);
    expect(onIdle).toHaveBeenCalledTimes(1);
  });

  it('activity starts the wait again', () => {
    const onIdle = vi.fn();
    const t = new IdleTimer(15 * MIN, onIdle);
    t.start();
    vi.advanceTimersByTime(10 * MIN);
    t.activity();
    vi.advanceTimersByTime(10 * MIN); // 20 minutes since start, 10 since activity
    expect(onIdle).not.toHaveBeenCalled();
    t.activity();
    vi.advanceTimersByTime(14 * MIN);
    expect(onIdle).not.toHaveBeenCalled();
    vi.advanceTimersByTime(MIN);
    expect(onIdle).toHaveBeenCalledTimes(1);
  });

  it('frequent activity keeps one timeout, not one per event', () => {
    const onIdle = vi.fn();
    const t = new IdleTimer(15 * MIN, onIdle);
    t.start();
    for (let i = 0; i < 1000; i++) {
      vi.advanceTimersByTime(100);
      t.activity();
    }
    expect(vi.getTimerCount()).toBe(1);
    expect(onIdle).not.toHaveBeenCalled();
  });

  it('stop cancels it, and activity after stop does nothing', () => {
    const onIdle = vi.fn();
    const t = new IdleTimer(15 * MIN, onIdle);
    t.start();
    t.stop();
    expect(vi.getTimerCount()).toBe(0);
    t.activity();
    vi.advanceTimersByTime(60 * MIN);
    expect(onIdle).not.toHaveBeenCalled();
    expect(t.running).toBe(false);
  });

  it('start again restarts the wait from now', () => {
    const onIdle = vi.fn();
    const t = new IdleTimer(15 * MIN, onIdle);
    t.start();
    vi.advanceTimersByTime(14 * MIN);
    t.start();
    vi.advanceTimersByTime(14 * MIN);
    expect(onIdle).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(MIN);
    expect(onIdle).toHaveBeenCalledTimes(1);
  });

  it('after the computer slept past the limit, the first activity locks instead of resetting', () => {
    const onIdle = vi.fn();
    const t = new IdleTimer(15 * MIN, onIdle);
    t.start();
    vi.advanceTimersByTime(5 * MIN);
    // The wall clock jumps (sleep) but timers have not run yet.
    vi.setSystemTime(Date.now() + 2 * 60 * MIN);
    t.activity();
    expect(onIdle).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a late timeout (throttled background tab) locks when it runs', () => {
    const onIdle = vi.fn();
    const t = new IdleTimer(15 * MIN, onIdle);
    t.start();
    vi.setSystemTime(Date.now() + 40 * MIN);
    vi.advanceTimersByTime(15 * MIN);
    expect(onIdle).toHaveBeenCalledTimes(1);
  });

  it('works with a clock of its own', () => {
    let now = 0;
    let pending: (() => void) | null = null;
    const onIdle = vi.fn();
    const t = new IdleTimer(1000, onIdle, {
      now: () => now,
      setTimeout: (fn) => (pending = fn),
      clearTimeout: () => (pending = null),
    });
    t.start();
    now = 600;
    t.activity();
    now = 1000;
    pending!(); // 400 ms since activity: waits again
    expect(onIdle).not.toHaveBeenCalled();
    now = 1600;
    pending!();
    expect(onIdle).toHaveBeenCalledTimes(1);
  });
});

describe('watchActivity', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function page() {
    const win = new EventTarget();
    const doc = Object.assign(new EventTarget(), { visibilityState: 'visible' });
    return { win, doc };
  }

  it.each(ACTIVITY_EVENTS)('%s counts as activity', (type) => {
    const { win, doc } = page();
    const timer = { activity: vi.fn() };
    watchActivity(timer, win, doc);
    win.dispatchEvent(new Event(type));
    expect(timer.activity).toHaveBeenCalledTimes(1);
  });

  it('the events are keydown, pointerdown and scroll (no polling, no mouse moves)', () => {
    expect([...ACTIVITY_EVENTS]).toEqual(['keydown', 'pointerdown', 'scroll']);
  });

  it('coming back to the tab counts; going away does not', () => {
    const { win, doc } = page();
    const timer = { activity: vi.fn() };
    watchActivity(timer, win, doc);
    doc.visibilityState = 'hidden';
    doc.dispatchEvent(new Event('visibilitychange'));
    expect(timer.activity).not.toHaveBeenCalled();
    doc.visibilityState = 'visible';
    doc.dispatchEvent(new Event('visibilitychange'));
    expect(timer.activity).toHaveBeenCalledTimes(1);
  });

  it('stops listening', () => {
    const { win, doc } = page();
    const timer = { activity: vi.fn() };
    const stop = watchActivity(timer, win, doc);
    stop();
    win.dispatchEvent(new Event('keydown'));
    win.dispatchEvent(new Event('scroll'));
    doc.dispatchEvent(new Event('visibilitychange'));
    expect(timer.activity).not.toHaveBeenCalled();
  });

  it('with an IdleTimer: key presses keep the page unlocked, then it locks', () => {
    const { win, doc } = page();
    const onIdle = vi.fn();
    const t = new IdleTimer(15 * MIN, onIdle);
    t.start();
    watchActivity(t, win, doc);
    for (let i = 0; i < 6; i++) {
      vi.advanceTimersByTime(10 * MIN);
      win.dispatchEvent(new Event('keydown'));
    }
    expect(onIdle).not.toHaveBeenCalled();
    vi.advanceTimersByTime(15 * MIN);
    expect(onIdle).toHaveBeenCalledTimes(1);
  });
});
