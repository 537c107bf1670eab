// Every fixture (before, after, negative) is valid Python by CPython's own parser, not only by tree-sitter's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RULES } from '../helpers';

const root = path.resolve(__dirname, '../..');

test('all rule fixtures compile with python3', () => {
  const files: string[] = [];
  for (const r of RULES) {
    const dir = path.join(root, r.dir, 'fixtures');
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir)) if (f.endsWith('.py')) files.push(path.join(dir, f));
  }
  assert.ok(files.length >= RULES.length * 3, `only ${files.length} fixture files`);
  const script = 'import sys, json\nbad = []\nfor p in json.load(sys.stdin):\n    try:\n        compile(open(p, encoding="utf-8").read(), p, "exec")\n    except SyntaxError as e:\n        bad.append(f"{p}:{e.lineno}: {e.msg}")\nprint(json.dumps(bad))\n';
  const out = execFileSync('python3', ['-c', script], { input: JSON.stringify(files), encoding: 'utf8' });
  assert.deepEqual(JSON.parse(out), []);
});
