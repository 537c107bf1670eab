// The port-marker injection grammar (syntaxes/port-markers.injection.json), through vscode-tmgrammar-test on
// test/grammar/*.test.py: the same runner as `npm run test:grammar`, so `npm test` fails when the grammar does.
// The injection is found through package.json's contributes.grammars (injectTo source.python); the Python base
// grammar comes from the tm-grammars package.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
const require = createRequire(path.join(root, 'package.json'));

test('package.json injects the port-marker grammar into source.python', () => {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  const entry = pkg.contributes.grammars.find((g: { scopeName: string }) => g.scopeName === 'framework-porter.port-markers');
  assert.ok(entry, 'contributes.grammars has framework-porter.port-markers');
  assert.deepEqual(entry.injectTo, ['source.python']);
  assert.ok(existsSync(path.join(root, entry.path)), entry.path);
  const grammar = JSON.parse(readFileSync(path.join(root, entry.path), 'utf8'));
  assert.equal(grammar.scopeName, entry.scopeName);
});

test('vscode-tmgrammar-test passes on test/grammar/*.test.py', () => {
  const cli = path.join(path.dirname(require.resolve('vscode-tmgrammar-test/package.json')), 'dist', 'unit.js');
  const python = require.resolve('tm-grammars/grammars/python.json');
  const r = spawnSync(process.execPath, [cli, '--config', 'package.json', '-g', path.relative(root, python), 'test/grammar/*.test.py'], {
    cwd: root,
    encoding: 'utf8',
    // a malformed assertion line can make the runner's parser backtrack for ever
    timeout: 120_000,
  });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  assert.equal(r.error, undefined, `${r.error?.message ?? ''}\n${out}`);
  assert.equal(r.status, 0, out);
  assert.match(out, /port-markers\.test\.py run successfuly/, out);
  assert.doesNotMatch(out, /grammar not found/, out);
});
