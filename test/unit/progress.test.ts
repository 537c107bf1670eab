// Porting progress: states of occurrences against a baseline, counts per category and overall, the percent formula
// ported / (baseline − won't port), effort left = open + regressions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeProgress, percentOf, type LiveOccurrence, type RuleMeta } from '../../server/src/workspace/progress';

const RULES: Record<string, RuleMeta> = {
  route: { title: 'Route', category: 'routing', from: 'flask', effortMinutes: 10 },
  json: { title: 'jsonify', category: 'response', from: 'flask', effortMinutes: 3 },
  query: { title: 'Query', category: 'queries', from: 'flask-sqlalchemy', effortMinutes: 5 },
};

const occ = (rule: string, file: string, n: number, line = n): LiveOccurrence => ({
  id: `${rule}|${file}||${String(n).padStart(12, '0')}|0`,
  rule,
  file,
  uri: `file:///w/${file}`,
  range: { start: { line, character: 0 }, end: { line, character: 4 } },
  message: `${rule} ${n}`,
  fixable: true,
  safe: true,
  scope: '',
});

const input = (baseline: string[] | undefined, current: LiveOccurrence[], wontPort: Record<string, string> = {}) => ({
  baseline,
  current,
  wontPort,
  rule: (id: string) => RULES[id],
  uriOf: (f: string) => `file:///w/${f}`,
  currentFiles: new Set(['a.py', 'b.py']),
});

test('without a baseline every occurrence is open and percent is 0', () => {
  const p = computeProgress(input(undefined, [occ('route', 'a.py', 1), occ('json', 'a.py', 2)]));
  assert.deepEqual(p.occurrences.map((o) => o.state), ['open', 'open']);
  assert.deepEqual(p.overall, { baseline: 0, ported: 0, open: 2, wontPort: 0, regressions: 0, effortLeftMinutes: 13, percent: 0 });
});

test('ported, open, won’t port and regressions, per category and overall', () => {
  const r1 = occ('route', 'a.py', 1);
  const r2 = occ('route', 'a.py', 2);
  const r3 = occ('route', 'b.py', 3);
  const j1 = occ('json', 'a.py', 4);
  const q1 = occ('query', 'b.py', 5);
  const baseline = [r1, r2, r3, j1, q1].map((o) => o.id);
  const fresh = occ('route', 'b.py', 9); // added after the baseline
  // r1 and j1 ported (gone); r3 won't port; q1 and r2 open
  const p = computeProgress({ ...input(baseline, [r2, r3, q1, fresh], { [r3.id]: 'legacy admin' }), lastSeen: (id) => (id === r1.id ? r1 : undefined) });
  const state = Object.fromEntries(p.occurrences.map((o) => [o.id, o.state]));
  assert.deepEqual(state, { [r1.id]: 'ported', [r2.id]: 'open', [r3.id]: 'wontPort', [j1.id]: 'ported', [q1.id]: 'open', [fresh.id]: 'regression' });
  assert.equal(p.occurrences.find((o) => o.id === r3.id)!.reason, 'legacy admin');
  assert.deepEqual(p.occurrences.find((o) => o.id === r1.id)!.range, r1.range, 'a ported occurrence keeps where it was last seen');
  assert.equal(p.occurrences.find((o) => o.id === j1.id)!.file, 'a.py', 'one never seen is placed from its id');
  // percent = ported / (baseline − won't port) = 2 / (5 − 1)
  assert.deepEqual(p.overall, { baseline: 5, ported: 2, open: 2, wontPort: 1, regressions: 1, effortLeftMinutes: 10 + 5 + 10, percent: 50 });
  assert.deepEqual(p.categories, [
    { category: 'queries', baseline: 1, ported: 0, open: 1, wontPort: 0, regressions: 0, effortLeftMinutes: 5 },
    { category: 'response', baseline: 1, ported: 1, open: 0, wontPort: 0, regressions: 0, effortLeftMinutes: 0 },
    { category: 'routing', baseline: 3, ported: 1, open: 1, wontPort: 1, regressions: 1, effortLeftMinutes: 20 },
  ]);
  assert.deepEqual(p.categories.map((c) => percentOf(c, true)), [0, 100, 50]);
});

test('everything ported or won’t port is 100%; percent floors (never 100 too early)', () => {
  const a = occ('route', 'a.py', 1);
  const b = occ('json', 'a.py', 2);
  assert.equal(computeProgress(input([a.id, b.id], [b], { [b.id]: 'no' })).overall.percent, 100);
  const many = Array.from({ length: 200 }, (_, i) => occ('json', 'a.py', i));
  assert.equal(computeProgress(input(many.map((o) => o.id), many.slice(0, 1))).overall.percent, 99);
});

test('occurrences come sorted by file, line, rule', () => {
  const p = computeProgress(input(undefined, [occ('json', 'b.py', 1), occ('route', 'a.py', 7), occ('json', 'a.py', 3)]));
  assert.deepEqual(p.occurrences.map((o) => `${o.file}:${o.range.start.line}`), ['a.py:3', 'a.py:7', 'b.py:1']);
});
