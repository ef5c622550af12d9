/**
 * A dependency one feature registers on another after both are built (features that need each
 * other: ballots ↔ meetings, conventions ↔ consensus). Used before it is wired it throws instead of
 * answering "nothing" (which silently skipped checks); `assertWired` at start-up names every port
 * the composition root forgot.
 */
export class Port<T> {
  #impl: T | null = null;
  constructor(readonly name: string) {}

  set(impl: T): void {
    this.#impl = impl;
  }

  get wired(): boolean {
    return this.#impl !== null;
  }

  get(): T {
    if (this.#impl === null) throw new Error(`${this.name} is not wired: the composition root (server.ts) must provide it`);
    return this.#impl;
  }
}

/** Throws at start-up, naming every port nobody provided. */
export function assertWired(ports: readonly Port<unknown>[]): void {
  const missing = ports.filter((p) => !p.wired).map((p) => p.name);
  if (missing.length) throw new Error(`not wired at start-up: ${missing.join(', ')}`);
}
