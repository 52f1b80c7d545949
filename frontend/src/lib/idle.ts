// The page's own idle lock. The server locks the vault after autoLockMinutes
// without requests, but a page that is just left open keeps showing the
// record until its next request; this timer clears it on the page too.
//
// Activity is what the person does on this page (keys, pointer, scrolling,
// coming back to the tab); the server is never polled. Time is measured by the
// wall clock, so a computer that slept past the limit locks as soon as it
// wakes rather than starting a fresh wait.

export interface IdleClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

// Looked up on each call, so fake timers installed later (tests) are used.
const realClock: IdleClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** autoLockMinutes as milliseconds, or null when there is no usable limit. */
export function idleLimitMs(minutes: number | null | undefined): number | null {
  if (typeof minutes !== 'number' || !Number.isFinite(minutes) || minutes <= 0) return null;
  return Math.round(minutes * 60_000);
}

export class IdleTimer {
  private last = 0;
  private handle: unknown = null;
  private active = false;

  constructor(
    readonly limitMs: number,
    private readonly onIdle: () => void,
    private readonly clock: IdleClock = realClock,
  ) {}

  get running(): boolean {
    return this.active;
  }

  /** Starts (or restarts) the wait from now. */
  start(): void {
    this.stop();
    this.active = true;
    this.last = this.clock.now();
    this.schedule(this.limitMs);
  }

  /**
   * The person did something: the wait starts again from now. If the limit
   * had already passed (the timer was held up, or the computer slept) it is
   * too late: lock now instead.
   */
  activity(): void {
    if (!this.active) return;
    const now = this.clock.now();
    if (now - this.last >= this.limitMs) {
      this.fire();
      return;
    }
    // No need to move the timeout: when it runs it looks at `last` and waits
    // for whatever is left. This keeps frequent events (scrolling) cheap.
    this.last = now;
  }

  stop(): void {
    this.active = false;
    if (this.handle !== null) this.clock.clearTimeout(this.handle);
    this.handle = null;
  }

  private schedule(ms: number): void {
    this.handle = this.clock.setTimeout(() => this.check(), Math.max(0, ms));
  }

  private check(): void {
    this.handle = null;
    if (!this.active) return;
    const idle = this.clock.now() - this.last;
    if (idle >= this.limitMs) this.fire();
    else this.schedule(this.limitMs - idle);
  }

  private fire(): void {
    this.stop();
    this.onIdle();
  }
}

/** The events that count as using the page. */
export const ACTIVITY_EVENTS = ['keydown', 'pointerdown', 'scroll'] as const;

/**
 * Tells `timer` about activity on the page: keys, pointer presses, scrolling
 * (anywhere: scroll events are caught on their way down), and the tab becoming
 * visible again. Returns a function that stops listening.
 */
export function watchActivity(
  timer: Pick<IdleTimer, 'activity'>,
  win: Pick<EventTarget, 'addEventListener' | 'removeEventListener'> = window,
  doc: Pick<EventTarget, 'addEventListener' | 'removeEventListener'> & { visibilityState: string } = document,
): () => void {
  const onActivity = () => timer.activity();
  const onVisibility = () => {
    if (doc.visibilityState === 'visible') timer.activity();
  };
  const opts: AddEventListenerOptions = { capture: true, passive: true };
  for (const type of ACTIVITY_EVENTS) win.addEventListener(type, onActivity, opts);
  doc.addEventListener('visibilitychange', onVisibility);
  return () => {
    for (const type of ACTIVITY_EVENTS) win.removeEventListener(type, onActivity, opts);
    doc.removeEventListener('visibilitychange', onVisibility);
  };
}
