// A full garbage collection in a server under test, through its inspector, so that resident memory read afterwards
// is what the process holds and not how much garbage it happened to carry.
import { withInspector } from './inspector.ts';

/** Runs HeapProfiler.collectGarbage in the process whose inspector listens on `port`. */
export async function collectGarbage(port: number): Promise<void> {
  await withInspector(port, ({ call }) => call('HeapProfiler.collectGarbage'));
}
