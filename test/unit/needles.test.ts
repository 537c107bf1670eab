// The one-pass needle search (engine.ts countNeedles, presentNeedles) answers what one `indexOf` loop per needle
// answers: occurrences counted where they start, overlapping ones and needles inside longer needles included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { countNeedles, presentNeedles } from '../../server/src/analysis/engine';
import { RULES } from '../../server/src/rules/generated';
import { pythonFilesUnder } from '../helpers';

const ROOT = path.resolve(__dirname, '../..');
const RULE_NEEDLES = [...new Set(RULES.flatMap((r) => r.needles))];

function naiveCounts(text: string, needles: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const n of needles) {
    let k = 0;
    for (let i = text.indexOf(n); i >= 0; i = text.indexOf(n, i + 1)) k++;
    out.set(n, k);
  }
  return out;
}

function check(text: string, needles: readonly string[], what: string) {
  const counts = naiveCounts(text, needles);
  assert.deepEqual(countNeedles(text, needles), counts, what);
  assert.deepEqual(presentNeedles(text, needles), new Set(needles.filter((n) => counts.get(n)! > 0)), what);
}

test('the needles of the rules in every example and fixture', () => {
  const files = [...pythonFilesUnder(path.join(ROOT, 'examples')), ...pythonFilesUnder(path.join(ROOT, 'server/src/rules'))];
  assert.ok(files.length > 50);
  for (const f of files) check(fs.readFileSync(f, 'utf8'), RULE_NEEDLES, f);
});

test('needles inside needles, at the same offset and overlapping themselves', () => {
  const needles = ['json', 'jsonify', 'sonif', 'g', 'gg', 'aa', 'a', '.get(', 'get', '(', 'x.y'];
  check('jsonify(x) json gg ggg aaa .get(.get( get x.y x+y', needles, 'hand-made');
  check('', needles, 'empty');
  check('nothing here', ['zz', 'q'], 'absent');
  check('special [.*+?^${}()|] chars', ['[.*', '${}', '|]', ')|', '^'], 'regex characters');
});

test('random texts over a small alphabet', () => {
  let seed = 11;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const alphabet = 'ab.(g';
  for (let k = 0; k < 300; k++) {
    const word = (n: number) => Array.from({ length: n }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('');
    const needles = [...new Set(Array.from({ length: 1 + Math.floor(rnd() * 6) }, () => word(1 + Math.floor(rnd() * 4))))];
    check(word(Math.floor(rnd() * 200)), needles, `case ${k}: ${JSON.stringify(needles)}`);
  }
});
