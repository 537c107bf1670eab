// Fix application: imports added once and merged, unused imports removed, edits never overlap, results parse,
// fix-all reaches a fixed point, suppression markers are honoured.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { grammar, RULES, settingsFor, findings, fixAll, syntaxErrors } from '../helpers';
import { analyze } from '../../server/src/analysis/engine';
import { applyEdits, normalizeEdits, OverlapError } from '../../server/src/analysis/materialize';

const only = (id: string) => (r: { id: string }) => r.id === id;

test('normalizeEdits rejects overlapping edits and keeps insertions before replacements', () => {
  assert.throws(() => normalizeEdits([{ start: 0, end: 5, text: 'a' }, { start: 3, end: 8, text: 'b' }]), OverlapError);
  assert.equal(applyEdits('hello world', [{ start: 6, end: 11, text: 'there' }, { start: 6, end: 6, text: '>' }]), 'hello >there');
  assert.equal(applyEdits('abc', [{ start: 1, end: 1, text: 'X' }, { start: 1, end: 1, text: 'X' }]), 'aXbc', 'identical edits count once');
});

test('one quick fix adds its import once and keeps still-used Flask imports', async () => {
  const g = await grammar;
  const src = 'from flask import jsonify\n\n\ndef a():\n    return jsonify([1])\n\n\ndef b():\n    return jsonify([2])\n';
  const a = analyze(g, src, { settings: settingsFor('django'), only: only('flask-jsonify') }, RULES);
  try {
    assert.equal(a.findings.length, 2);
    const fix = a.fix(0)!;
    const out = applyEdits(src, fix.edits);
    assert.equal(out, 'from flask import jsonify\nfrom django.http import JsonResponse\n\n\ndef a():\n    return JsonResponse([1], safe=False)\n\n\ndef b():\n    return jsonify([2])\n');
  } finally {
    a.dispose();
  }
});

test('fix-all adds each import once and removes the Flask import it left unused', async () => {
  const src = 'from flask import jsonify\n\n\ndef a():\n    return jsonify([1])\n\n\ndef b():\n    return jsonify([2])\n';
  const out = await fixAll(src, settingsFor('django'), only('flask-jsonify'));
  assert.equal(out, 'from django.http import JsonResponse\n\n\ndef a():\n    return JsonResponse([1], safe=False)\n\n\ndef b():\n    return JsonResponse([2], safe=False)\n');
});

test('new names merge into an existing from-import of the same module', async () => {
  const src = 'from django.http import HttpResponse\nfrom flask import jsonify\n\n\ndef a():\n    return jsonify([1])\n';
  const out = await fixAll(src, settingsFor('django'), only('flask-jsonify'));
  assert.equal(out, 'from django.http import HttpResponse, JsonResponse\n\n\ndef a():\n    return JsonResponse([1], safe=False)\n');
});

test('a name clash with an unrelated binding imports under an alias', async () => {
  const src = 'from flask import jsonify\nJsonResponse = object\n\n\ndef a():\n    return jsonify([1])\n';
  const out = await fixAll(src, settingsFor('django'), only('flask-jsonify'));
  assert.match(out, /from django\.http import JsonResponse as django_JsonResponse/);
  assert.match(out, /return django_JsonResponse\(\[1\], safe=False\)/);
  assert.deepEqual(await syntaxErrors(out), []);
});

test('nested idioms are fixed over several passes without overlapping edits', async () => {
  const src = 'from flask import Flask, jsonify\napp = Flask(__name__)\n\n\n@app.route("/a/<int:x>", methods=["POST"])\ndef a(x):\n    return jsonify(jsonify(x))\n';
  const out = await fixAll(src, settingsFor('fastapi'), (r) => r.id === 'flask-jsonify' || r.id === 'flask-route');
  assert.deepEqual(await syntaxErrors(out), []);
  assert.match(out, /@app\.post\("\/a\/\{x:int\}"\)\ndef a\(x: int\):/);
  const again = await findings(out, settingsFor('fastapi'), (r) => r.id === 'flask-jsonify' || r.id === 'flask-route');
  assert.deepEqual(again.filter((f) => f.fixable), []);
});

test('port: ignore[rule] silences that rule on its line only', async () => {
  const src = 'from flask import jsonify\n\n\ndef a():\n    return jsonify([1])  # port: ignore[flask-jsonify]\n\n\ndef b():\n    return jsonify([2])\n';
  const f = await findings(src, settingsFor('django'), only('flask-jsonify'));
  assert.deepEqual(f.map((x) => x.range.start.line + 1), [9]);
});

test('a TODO(port) naming the rule silences it on the statement below', async () => {
  const src = 'from flask import jsonify\n\n\ndef a():\n    # TODO(port): decide the shape [flask-jsonify]\n    return jsonify([1])\n';
  assert.deepEqual(await findings(src, settingsFor('django'), only('flask-jsonify')), []);
});

test('rules set to off do not fire; severity overrides apply', async () => {
  const src = 'from flask import jsonify\nx = jsonify([1])\n';
  assert.deepEqual(await findings(src, settingsFor('django', { rules: { 'flask-jsonify': 'off' } })), []);
  const f = await findings(src, settingsFor('django', { rules: { 'flask-jsonify': 'error' } }), only('flask-jsonify'));
  assert.equal(f[0].severity, 'error');
});

test('target flask does not flag Flask code', async () => {
  const src = 'from flask import Flask, jsonify\napp = Flask(__name__)\n\n\n@app.route("/")\ndef a():\n    return jsonify([1])\n';
  const f = await findings(src, settingsFor('flask', { ormTarget: 'keep' }));
  assert.deepEqual(f.filter((x) => x.from === 'flask'), []);
});
