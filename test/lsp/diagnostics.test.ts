// lsp/diagnostics.ts: findings and TODO markers as the diagnostics the server publishes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DiagnosticSeverity } from 'vscode-languageserver/node';
import { Diagnostics } from '../../server/src/lsp/diagnostics';
import { LineMap } from '../../server/src/analysis/lineMap';
import { scanMarkers } from '../../server/src/analysis/markers';

test('diagnostics: a rule link per rule, the TODO markers after the findings, the version in each', () => {
  const dir = path.join('/tmp', 'docs dir', 'rules');
  const d = new Diagnostics(dir);
  const text = 'x = jsonify(1)\n# TODO(port): decide [flask-route]\ny = jsonify(2)\n';
  const lines = new LineMap(text);
  const finding = (line: number, rule: string) => ({ rule, range: { start: { line, character: 4 }, end: { line, character: 14 } }, severity: 'warning' as const, message: `m ${line}` });
  const out = d.of([finding(0, 'flask-jsonify'), finding(2, 'flask-jsonify'), finding(2, 'flask-route')], scanMarkers(text, lines), lines, 7);
  assert.equal(out.length, 4);
  assert.equal(out[0].codeDescription?.href, pathToFileURL(path.join(dir, 'flask-jsonify.md')).href);
  assert.ok(out[0].codeDescription?.href.includes('docs%20dir'));
  assert.equal(out[1].codeDescription, out[0].codeDescription, 'one link object per rule');
  assert.equal(out[2].codeDescription?.href, d.docUri('flask-route'));
  assert.deepEqual(out.map((x) => [x.code, x.severity, (x.data as { version: number }).version]), [
    ['flask-jsonify', DiagnosticSeverity.Warning, 7],
    ['flask-jsonify', DiagnosticSeverity.Warning, 7],
    ['flask-route', DiagnosticSeverity.Warning, 7],
    ['port-todo', DiagnosticSeverity.Information, 7],
  ]);
  assert.deepEqual(out.map((x) => (x.data as { rule: string }).rule), ['flask-jsonify', 'flask-jsonify', 'flask-route', 'port-todo']);
  assert.equal(out[1].data, out[0].data, 'one data object per rule in a publish');
  const later = d.of([finding(0, 'flask-jsonify')], [], lines, 8);
  assert.deepEqual(later[0].data, { rule: 'flask-jsonify', version: 8 }, 'a later publish carries its own version');
  assert.deepEqual(out[0].data, { rule: 'flask-jsonify', version: 7 }, 'and leaves the earlier one as it was');
  assert.deepEqual(out[3].range, { start: { line: 1, character: 0 }, end: { line: 1, character: text.split('\n')[1].length } });
  assert.equal(out[3].message, 'left for a person: decide [flask-route]');
});
