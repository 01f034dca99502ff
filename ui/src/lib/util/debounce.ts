export interface Debounced<A extends unknown[]> {
  (...args: A): void;
  /** Runs a pending call now. */
  flush(): void;
  cancel(): void;
}

/** Calls `fn` once `ms` after the last call. */
export function debounce<A extends unknown[]>(fn: (...args: A) => void, ms: number): Debounced<A> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let last: A | null = null;
  const run = () => {
    timer = null;
    const a = last;
    last = null;
    if (a) fn(...a);
  };
  const d = ((...args: A) => {
    last = args;
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(run, ms);
  }) as Debounced<A>;
  d.flush = () => {
    if (timer !== null) {
      clearTimeout(timer);
      run();
    }
  };
  d.cancel = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    last = null;
  };
  return d;
}

/** Calls `fn` at most once per `ms`, leading and trailing. */
export function throttle(fn: () => void, ms: number): { (): void; cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let pending = false;
  let lastRun = -Infinity;
  const fire = () => {
    lastRun = Date.now();
    pending = false;
    fn();
  };
  const t = () => {
    const wait = lastRun + ms - Date.now();
    if (wait <= 0 && timer === null) {
      fire();
      return;
    }
    pending = true;
    if (timer === null) {
      timer = setTimeout(() => {
        timer = null;
        if (pending) fire();
      }, Math.max(0, wait));
    }
  };
  t.cancel = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    pending = false;
  };
  return t;
}
