/**
 * A calm announcer for ARIA live regions: a burst of tally updates becomes at most one
 * announcement per `gapMs`, and the last value of a burst is always announced (trailing edge), so
 * a screen reader hears the latest figures without being flooded.
 */
export interface Calm {
  /** Offers the newest text; it is announced now, or when the gap since the last one has passed. */
  push(text: string): void;
  stop(): void;
}

export function calmAnnouncer(gapMs: number, announce: (text: string) => void, now: () => number = Date.now): Calm {
  let last = -Infinity;
  let said = '';
  let pending: string | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const flush = () => {
    timer = null;
    if (pending === null) return;
    const text = pending;
    pending = null;
    if (text === said) return;
    said = text;
    last = now();
    announce(text);
  };
  return {
    push(text) {
      pending = text;
      if (timer) return;
      const wait = last + gapMs - now();
      if (wait <= 0) flush();
      else timer = setTimeout(flush, wait);
    },
    stop() {
      if (timer) clearTimeout(timer);
      timer = null;
      pending = null;
    },
  };
}
