import { FakeLibrary, installMockBackend, mockIPC, mockWindows, type FakeOptions } from '../lib/ipc/mock-backend';

export interface Recorded {
  cmd: string;
  args: Record<string, unknown>;
}

/** mockIPC that records every call and answers from `reply`. */
export function recordIPC(reply: (cmd: string, args: Record<string, unknown>) => unknown = () => null): Recorded[] {
  const calls: Recorded[] = [];
  mockWindows('main');
  mockIPC(
    (cmd, args) => {
      const a = (args ?? {}) as Record<string, unknown>;
      calls.push({ cmd, args: a });
      return reply(cmd, a);
    },
    { shouldMockEvents: true },
  );
  return calls;
}

/** The in-memory fake core behind invoke/events. */
export function fakeCore(opts: FakeOptions = {}): FakeLibrary {
  const lib = new FakeLibrary(opts);
  installMockBackend(lib);
  return lib;
}

/** Lets pending promise callbacks run. */
export async function flush(times = 5): Promise<void> {
  for (let i = 0; i < times; i++) await new Promise((r) => setTimeout(r, 0));
}

export function fakeRecordIds(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
