// What the scan cache keeps of a file (its import facts, its port markers) must not keep the file's text alive: a
// substring of 13 characters or more is, in V8, a view into its parent string.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { detached } from '../../server/src/analysis/detached';
import { scanMarkers } from '../../server/src/analysis/markers';
import { LineMap } from '../../server/src/analysis/lineMap';
import { textImportFacts } from '../../server/src/workspace/prefilter';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** Heap bytes still held, once collected, by what `keep` returns for 60 texts of 200 K characters each. */
function heldBy(keep: (text: string, i: number) => unknown): number {
  gc();
  const before = process.memoryUsage().heapUsed;
  const kept: unknown[] = [];
  for (let i = 0; i < 60; i++) {
    const filler = `x_${i} = 1  # ${'a'.repeat(70)}\n`.repeat(2_500);
    const text = `from keystone_long_package_${i}.common.provider_api import ProviderAPIs, manager_of_things\nimport another_long_module_${i}.sub\n# TODO(port): decide about this one [flask-request-args]\n# port: ignore[flask-jsonify-response]\n${filler}`;
    kept.push(keep(text, i));
  }
  gc();
  const held = process.memoryUsage().heapUsed - before;
  assert.equal(kept.length, 60);
  return held;
}

test('a detached string equals its source and is shared between equal strings', () => {
  const text = `${'y'.repeat(1000)}keystone.common.provider_api${'z'.repeat(1000)}`;
  const a = detached(text.slice(1000, 1028));
  assert.equal(a, 'keystone.common.provider_api');
  assert.equal(detached(`${text}`.slice(1000, 1028)), a);
  assert.equal(detached('short'), 'short');
});

test('the import facts and markers kept of 60 texts of 200 K characters do not hold the texts', () => {
  const facts = heldBy((text, i) => {
    const f = textImportFacts(text, `pkg/mod_${i}.py`);
    assert.deepEqual(f.imports, [`another_long_module_${i}.sub`, `keystone_long_package_${i}.common.provider_api`]);
    return f;
  });
  const markers = heldBy((text) => {
    const m = scanMarkers(text, new LineMap(text));
    assert.deepEqual(m.map((x) => [x.kind, x.rule]), [['todo', 'flask-request-args'], ['ignore', 'flask-jsonify-response']]);
    return m;
  });
  // the texts themselves: 60 × 200 K one-byte characters ≈ 12 MB (the measure would see them if they were held)
  const texts = heldBy((text) => text.slice(0, 20) + text.slice(20));
  assert.ok(texts > 8e6, `the texts held ${texts} bytes: the measure does not see them`);
  assert.ok(facts < 2e6, `the import facts held ${facts} bytes`);
  assert.ok(markers < 2e6, `the markers held ${markers} bytes`);
});
