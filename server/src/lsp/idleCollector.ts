// Collects V8's young generation between keystrokes, before the next edit would have to.
// A keystroke in a large file allocates a few MB (the Flask module of the benchmark: 2.9 MB), most of it dead by the
// next one; every few keystrokes the young generation filled up inside an edit and that edit paid a scavenge of
// 2.5–10 ms (it copies the analysis still alive), a quarter of the edits over the 10 ms target. Run once diagnostics
// are published, when the space left would not hold the next edits' allocation, the same scavenge happens while the
// user is between keystrokes (docs/performance.md, step 41). What it costs is reported by the benchmark.
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

/** A minor (young generation) collection: V8's `gc({ type: 'minor' })`. */
export type MinorGc = () => void;

/** The young generation's bytes used and still available. */
export type NewSpace = () => { used: number; available: number } | undefined;

const MB = 1024 * 1024;

/** What an edit is assumed to allocate before one was measured, and the least kept free. */
const FLOOR = 4 * MB;

/** How many recent edits' allocations the reserve is taken from (the largest of them, twice). */
const WINDOW = 8;

export class IdleCollector {
  private readonly recent: number[] = [];
  private lastUsed: number | undefined;
  private pending: NodeJS.Immediate | undefined;
  /** minor collections made, and their milliseconds (for the benchmark) */
  readonly collections: number[] = [];

  private readonly gc: MinorGc | null;

  /** `gc`: V8's when not given; null: none (nothing is collected) */
  constructor(
    gc?: MinorGc | null,
    private readonly newSpace: NewSpace = v8NewSpace,
  ) {
    this.gc = gc === undefined ? (v8MinorGc() ?? null) : gc;
  }

  /** Whether collections can be made at all (V8's gc function was found). */
  get enabled(): boolean {
    return !!this.gc;
  }

  /** The bytes to keep free in the young generation: twice the most an edit allocated lately, at least FLOOR. */
  reserve(): number {
    return Math.max(FLOOR, 2 * Math.max(0, ...this.recent));
  }

  /**
   * After an edit's diagnostics are out: notes what the edit allocated, and collects when what is left of the young
   * generation is below the reserve. Returns the milliseconds collecting took (0: none made).
   */
  afterEdit(): number {
    if (!this.gc) return 0;
    const ns = this.newSpace();
    if (!ns) return 0;
    // (used shrinks when a collection came in between: no measure of this edit then)
    if (this.lastUsed !== undefined && ns.used >= this.lastUsed) {
      this.recent.push(ns.used - this.lastUsed);
      if (this.recent.length > WINDOW) this.recent.shift();
    }
    this.lastUsed = ns.used;
    if (ns.available >= this.reserve()) return 0;
    const t = performance.now();
    this.gc();
    const ms = performance.now() - t;
    this.collections.push(ms);
    this.lastUsed = this.newSpace()?.used;
    return ms;
  }

  /** afterEdit once the event loop is free (input already waiting goes first); several calls before it make one. */
  schedule(): void {
    if (!this.gc || this.pending) return;
    this.pending = setImmediate(() => {
      this.pending = undefined;
      this.afterEdit();
    });
  }

  dispose(): void {
    if (this.pending) clearImmediate(this.pending);
    this.pending = undefined;
  }
}

/** V8's gc function, made available without a command-line flag; undefined where that is not possible. */
function v8MinorGc(): MinorGc | undefined {
  try {
    const existing = (globalThis as { gc?: unknown }).gc;
    // (--expose-gc given: use it; else the flag applies to contexts made after it is set)
    let gc = typeof existing === 'function' ? existing : undefined;
    if (!gc) {
      v8.setFlagsFromString('--expose-gc');
      const made: unknown = vm.runInNewContext('gc');
      gc = typeof made === 'function' ? made : undefined;
    }
    if (!gc) return undefined;
    const f = gc as (o: { type: 'minor' }) => void;
    return () => f({ type: 'minor' });
  } catch {
    return undefined;
  }
}

function v8NewSpace(): { used: number; available: number } | undefined {
  const s = v8.getHeapSpaceStatistics().find((x) => x.space_name === 'new_space');
  return s && { used: s.space_used_size, available: s.space_available_size };
}
