// workspace/byteFacts.ts reads a file's facts from its bytes, decoding only the lines around `import`: it must give
// what decoding the whole text gives (files.ts readText, then prefilter.ts textImportFacts and the markers), on every
// example and fixture, on the cases where the import patterns span lines, and on random import-like bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { factsOfBytes, importLines } from '../../server/src/workspace/byteFacts';
import { readText } from '../../server/src/workspace/files';
import { textImportFacts } from '../../server/src/workspace/prefilter';
import { scanMarkers } from '../../server/src/analysis/markers';
import { LineMap } from '../../server/src/analysis/lineMap';
import { pythonFilesUnder } from '../helpers';

const ROOT = path.resolve(__dirname, '../..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fp-bytes-'));

/** factsOfBytes against the whole decoded text, for bytes written to a file (readText reads it back) */
function same(bytes: Buffer, what: string) {
  const file = path.join(dir, 'f.py');
  fs.writeFileSync(file, bytes);
  const whole = readText(file);
  const got = factsOfBytes(bytes, 'pkg/sub/mod.py');
  if ('reason' in whole) {
    assert.deepEqual(got, { reason: whole.reason }, what);
    return;
  }
  assert.ok(!('reason' in got), what);
  assert.deepEqual({ imports: got.imports, items: got.items }, textImportFacts(whole.text, 'pkg/sub/mod.py'), what);
  assert.deepEqual(got.bytes, whole.bytes, `${what}: the hashed bytes`);
  const markers = scanMarkers(whole.text, new LineMap(whole.text));
  assert.deepEqual(got.markers, markers, `${what}: the markers`);
  if (markers.length) assert.equal(got.text, whole.text, what);
}

test('the examples and fixtures, as they are and with CRLF line breaks and a byte order mark', () => {
  const files = [...pythonFilesUnder(path.join(ROOT, 'examples')), ...pythonFilesUnder(path.join(ROOT, 'server/src/rules'))];
  assert.ok(files.length > 50);
  let reduced = 0;
  for (const f of files) {
    const text = fs.readFileSync(f, 'utf8');
    same(Buffer.from(text), f);
    same(Buffer.from(text.replace(/\n/g, '\r\n')), `${f} (CRLF)`);
    same(Buffer.from(`\ufeff${text}`), `${f} (BOM)`);
    const lines = importLines(Buffer.from(text));
    if (lines.length < text.length / 2) reduced++;
  }
  assert.ok(reduced > files.length / 2, `only ${reduced} texts reduced`);
});

test('import statements across lines, brackets, continuations, strings and line breaks the patterns see', () => {
  const cases = [
    'x = 1\nfrom a import (\n    b,\n    c,  # from z import q\n)\ny = 2\n',
    'from a import (b,\n c\nx = 1\ny = (2)\n', // unclosed: the names run to the next `)` of the text
    'from a \\\n    import b\nimport c, \\\n    d\n',
    'x = 1 \\\n\nimport a\n',
    's = """\nimport os\n"""\nfrom . import (x)\n',
    'import a\rimport b\n', // a lone CR
    'import a\u2028import b\n',
    'import a\u2029from b import c\n',
    '\ufeff\ufeffimport a\n',
    '# TODO(port): decide [flask-route]\nimport flask\n',
    'import flask  # port: ignore[flask-g]\n',
    '#TODO(port): x\nx = 1\n',
    'x = 1\t#\t port: ignore\n',
    'support: int = 1\nreport(x)  # TODO(port): y [flask-g]\n',
    'support: int = 1\nreport(x)\n# TODO (port): not a marker\n',
    'port: ignore\n', // no `#`: not a marker
    'TODO(port): x\n',
    'from a import (b, c) ; import d\nfrom e import (f,\n) ; import g\n',
    'importx\nfrom a importy import b\n',
    '',
    'x = 1\n',
    'from a import b',
  ];
  for (const c of cases) same(Buffer.from(c), JSON.stringify(c));
  same(Buffer.from([0x69, 0x6d, 0x70, 0x6f, 0x72, 0x74, 0x20, 0xe9, 0x0a]), 'not UTF-8');
  same(Buffer.from('import a\0\n'), 'a NUL byte');
  same(Buffer.from([0xed, 0xa0, 0x80, 0x0a]), 'an encoded surrogate');
});

test('random import-like bytes', () => {
  let seed = 11;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const TOKENS = ['from', 'import', 'from', 'import', ' import ', ' from ', 'reimport', 'importer', ' ', '\t', '.', '..', 'flask', 'a.b', 'x', '*', ',', '(', ')', '(', ')', ';', ':', '\n', '\n', '\r\n', '\r', '\u2028', '#', '# port:', 'TODO(port)', '\\\n', '\\\r\n', '\\', 'as', 'é', '"', '"""', '\ufeff'];
  for (let i = 0; i < 6000; i++) {
    const n = 1 + Math.floor(rnd() * 24);
    let text = '';
    for (let k = 0; k < n; k++) text += TOKENS[Math.floor(rnd() * TOKENS.length)];
    same(Buffer.from(text), JSON.stringify(text));
  }
});
