// lsp/idleCollector.ts: the young generation collected between keystrokes when the next edits would not fit in it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as v8 from 'node:v8';
import { IdleCollector } from '../../server/src/lsp/idleCollector';

const MB = 1024 * 1024;

/** A young generation of `size` bytes that edits fill (`alloc`) and a minor collection empties down to `live`. */
function fakeHeap(size: number, live = 0) {
  const h = {
    used: live,
    gcs: 0,
    alloc(n: number) {
      h.used += n;
    },
    gc: () => {
      h.gcs++;
      h.used = live;
    },
    space: () => ({ used: h.used, available: size - h.used }),
  };
  return h;
}

test('collects only when what is left of the young generation would not hold twice an edit', () => {
  const h = fakeHeap(16 * MB, MB);
  const c = new IdleCollector(h.gc, h.space);
  const made: number[] = [];
  for (let i = 0; i < 20; i++) {
    h.alloc(3 * MB);
    c.afterEdit();
    made.push(h.gcs);
  }
  // 1 MB live + 3 MB an edit in 16 MB: after the third edit 6 MB are left, as much as two edits take: not yet; after
  // the fourth, 3 MB: collected
  assert.deepEqual(made.slice(0, 8), [0, 0, 0, 1, 1, 1, 1, 2]);
  assert.equal(c.collections.length, h.gcs);
  assert.equal(c.reserve(), 6 * MB);
});

test('never collects while the edits are small against the space', () => {
  const h = fakeHeap(16 * MB);
  const c = new IdleCollector(h.gc, h.space);
  for (let i = 0; i < 100; i++) {
    h.alloc(64 * 1024);
    c.afterEdit();
    if (h.used > 10 * MB) h.gc(); // V8's own scavenge, inside an edit: not measured as an edit's allocation
  }
  assert.equal(c.collections.length, 0);
  assert.equal(c.reserve(), 4 * MB, 'at least 4 MB are kept free');
});

test('the reserve follows the largest of the last 8 edits', () => {
  const h = fakeHeap(1024 * MB);
  const c = new IdleCollector(h.gc, h.space);
  c.afterEdit();
  h.alloc(10 * MB);
  c.afterEdit();
  assert.equal(c.reserve(), 20 * MB);
  for (let i = 0; i < 7; i++) {
    h.alloc(MB);
    c.afterEdit();
  }
  assert.equal(c.reserve(), 20 * MB, 'the large edit is one of the last 8');
  h.alloc(MB);
  c.afterEdit();
  assert.equal(c.reserve(), 4 * MB, 'it is not any more');
});

test('without V8’s gc function nothing is measured or collected', async () => {
  let asked = 0;
  const c = new IdleCollector(null, () => {
    asked++;
    return { used: 0, available: 0 };
  });
  assert.equal(c.enabled, false);
  assert.equal(c.afterEdit(), 0);
  c.schedule();
  await new Promise((r) => setImmediate(r));
  assert.equal(asked, 0);
  assert.equal(c.collections.length, 0);
});

test('schedule: several calls before the event loop is free make one check; dispose cancels it', async () => {
  const h = fakeHeap(16 * MB);
  let checks = 0;
  const c = new IdleCollector(h.gc, () => {
    checks++;
    return h.space();
  });
  c.schedule();
  c.schedule();
  c.schedule();
  assert.equal(checks, 0, 'nothing runs inside the caller');
  await new Promise((r) => setImmediate(r));
  assert.equal(checks, 1);
  c.schedule();
  c.dispose();
  await new Promise((r) => setImmediate(r));
  assert.equal(checks, 1);
});

test('in this node, V8’s minor collection is found and empties the young generation of garbage', () => {
  const real = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_used_size;
  // (reports no space left, so the real collection is made)
  const c = new IdleCollector(undefined, () => ({ used: real(), available: 0 }));
  const d = new IdleCollector();
  assert.equal(d.enabled, true, 'V8’s gc function is available without --expose-gc');
  assert.equal(c.enabled, true);
  c.afterEdit();
  const clean = real();
  let garbage: unknown[] | undefined = [];
  for (let i = 0; i < 10_000; i++) garbage.push({ i, s: `x${i}` });
  const full = real();
  garbage = undefined;
  assert.ok(c.afterEdit() > 0);
  assert.equal(c.collections.length, 2);
  assert.ok(real() < clean + (full - clean) / 4, `new space used: ${clean} clean, ${full} with the garbage, ${real()} after`);
});
