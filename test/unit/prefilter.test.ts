// The prefilter's textual import scan: the hand-checked contexts (`\b`, start of a statement) give exactly the
// matches of the patterns with the context written inside them (the reference below), on the examples and on
// random import-like text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { absoluteImport, moduleNameFor } from '../../server/src/analysis/moduleIndex';
import { holdsWordStart, importsViewMarker, textImportFacts, type ImportItem } from '../../server/src/workspace/prefilter';
import { pythonFilesUnder } from '../helpers';

const ROOT = path.resolve(__dirname, '../..');

// the reference: the patterns as they were, with the context inside
const REF_FROM = /\bfrom[ \t]+(\.*)[ \t]*([A-Za-z_][\w.]*)?[ \t]+import\b/g;
const REF_FROM_ITEMS = /\bfrom[ \t]+(\.*)[ \t]*([A-Za-z_][\w.]*)?[ \t]+import[ \t]*(\([^)]*\)|[^\n;]*)/g;
const REF_IMPORT = /(?:^|[;:])[ \t]*import[ \t]+([^\n;#]+)/gm;

const absolute = (rel: string, dots: number, rest: string | undefined) => absoluteImport(moduleNameFor(rel), dots, rest);

function reference(text: string, rel: string): { imports: string[]; items: ImportItem[] } {
  if (!text.includes('import')) return { imports: [], items: [] };
  const src = text.includes('\\') ? text.replace(/\\\r?\n/g, ' ') : text;
  const imports = new Set<string>();
  const byModule = new Map<string, Set<string>>();
  const plain = new Set<string>();
  for (const m of src.matchAll(REF_FROM)) {
    const abs = absolute(rel, m[1].length, m[2]);
    if (abs) imports.add(abs);
  }
  for (const m of src.matchAll(REF_FROM_ITEMS)) {
    const abs = absolute(rel, m[1].length, m[2]);
    if (!abs) continue;
    const set = byModule.get(abs) ?? new Set<string>();
    byModule.set(abs, set);
    for (const item of m[3].replace(/#[^\n]*/g, ' ').replace(/[()]/g, ' ').split(',')) {
      const name = item.trim().split(/\s+/)[0];
      if (name === '*' || (name && /^[A-Za-z_]\w*$/.test(name))) set.add(name);
    }
  }
  for (const m of src.matchAll(REF_IMPORT)) {
    for (const item of m[1].replace(/[()]/g, ' ').split(',')) {
      const name = item.trim().split(/\s+/)[0];
      if (name && /^[A-Za-z_][\w.]*$/.test(name)) (plain.add(name), imports.add(name));
    }
  }
  const items: ImportItem[] = [...byModule].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([m, n]) => [m, [...n].sort()]);
  for (const m of [...plain].sort()) items.push([m]);
  return { imports: [...imports].sort(), items };
}


test('textImportFacts equals the reference patterns on the examples and fixtures', () => {
  const files = [...pythonFilesUnder(path.join(ROOT, 'examples')), ...pythonFilesUnder(path.join(ROOT, 'server/src/rules'))];
  assert.ok(files.length > 20);
  for (const f of files) {
    const rel = path.relative(ROOT, f).split(path.sep).join('/');
    const text = fs.readFileSync(f, 'utf8');
    assert.deepEqual(textImportFacts(text, rel), reference(text, rel), rel);
  }
});

test('textImportFacts equals the reference patterns where the two from patterns part ways', () => {
  const cases = [
    'from a import x from b import y\n', // a head inside the names the first one took
    'from a import (x, from b import c)\nfrom d import e\n',
    'from a.from import import x\n', // a head inside a head
    'from a importx import y\n', // no `\b` after import
    'from . importer import z; from .. import (a,\n b)\n',
    'from a import b;from c import d # from e import f\n',
  ];
  for (const text of cases) for (const rel of ['m.py', 'pkg/__init__.py', 'pkg/sub/mod.py']) assert.deepEqual(textImportFacts(text, rel), reference(text, rel), JSON.stringify(text));
});

test('textImportFacts equals the reference patterns on random import-like text', () => {
  let seed = 7;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const TOKENS = ['from', 'import', 'from', 'import', ' import ', ' from ', 'a.from', 'reimport', 'xfrom', 'importer', ' ', ' ', '\t', '.', '..', 'flask', 'a.b', 'x', '_y', '*', ',', '(', ')', ';', ':', '\n', '\r\n', '\r', '\u2028', '#', '# c', '\\\n', 'as', '1', 'é'];
  for (let i = 0; i < 20000; i++) {
    const n = 1 + Math.floor(rnd() * 16);
    let text = '';
    for (let k = 0; k < n; k++) text += TOKENS[Math.floor(rnd() * TOKENS.length)];
    for (const rel of ['m.py', 'pkg/__init__.py', 'pkg/sub/mod.py']) assert.deepEqual(textImportFacts(text, rel), reference(text, rel), JSON.stringify(text));
  }
});

test('holdsWordStart answers what a \\b pattern answers', () => {
  let seed = 3;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const alphabet = ['a', 'b', '_', '1', ' ', '.', '(', 'é', '\n'];
  const word = (n: number) => Array.from({ length: n }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('');
  for (let k = 0; k < 3000; k++) {
    const w = word(1 + Math.floor(rnd() * 3));
    const text = word(Math.floor(rnd() * 40));
    const re = new RegExp(`\\b${w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);
    assert.equal(holdsWordStart(text, w), re.test(text), `${JSON.stringify(w)} in ${JSON.stringify(text)}`);
  }
  for (const [text, w, want] of [['os_require_quiesce', 'require_', false], ['@require_GET', 'require_', true], ['require_x', 'require_', true], ['MyFastAPI()', 'FastAPI', false]] as const) assert.equal(holdsWordStart(text, w), want, text);
});

test('importsViewMarker: django, django.views*, and fastapi/starlette and their submodules only', () => {
  const yes = ['django', 'django.views', 'django.views.decorators.http', 'fastapi', 'fastapi.routing', 'starlette', 'starlette.routing'];
  const no = ['django.db', 'django.viewsets', 'fastapix', 'fastapi_utils', 'starlettes', 'starlette_x', 'flask', 'my.fastapi', ''];
  for (const m of yes) assert.equal(importsViewMarker(['os', m]), true, m);
  for (const m of no) assert.equal(importsViewMarker(['os', m]), false, m);
});
