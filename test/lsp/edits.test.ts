// The server's pure pieces: minimal diff edits, the ignore-comment edit, settings validation, incremental trees.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { grammar, pythonFilesUnder } from '../helpers';
import { LineMap } from '../../server/src/analysis/lineMap';
import { applyEdits } from '../../server/src/analysis/materialize';
import { diffEdits, ignoreEdit } from '../../server/src/lsp/edits';
import { changedWithin, DocumentStore, editFor, nodesHolding, keepsStructureByLines, lastCodeBefore, lineEndAfter } from '../../server/src/lsp/documents';
import { parseRefusal, pointsAt } from '../../server/src/parsing/python';
import { parseSettings } from '../../server/src/lsp/settings';
import { exampleExcerpt } from '../../server/src/lsp/hover';

test('diffEdits gives line-range edits that rebuild the new text', () => {
  const a = 'a\nb\nc\nd\ne\n';
  const b = 'a\nB\nc\nd\ne\nf\n';
  const edits = diffEdits(a, b);
  assert.equal(edits.length, 2);
  assert.equal(applyEdits(a, edits), b);
  assert.deepEqual(diffEdits(a, a), []);
  const crlf = 'x = 1\r\ny = 2\r\n';
  assert.equal(applyEdits(crlf, diffEdits(crlf, 'x = 1\r\ny = 3\r\nz\r\n')), 'x = 1\r\ny = 3\r\nz\r\n');
});

async function ignored(text: string, at: string, rule = 'flask-jsonify') {
  const g = await grammar;
  const p = g.newParser();
  const tree = p.parse(text)!;
  try {
    return applyEdits(text, [ignoreEdit(text, tree, new LineMap(text), text.indexOf(at), rule)]);
  } finally {
    tree.delete();
    p.delete();
  }
}

test('ignoreEdit appends, merges, or puts a comment line above the statement', async () => {
  assert.equal(await ignored('x = jsonify(1)   \n', 'jsonify'), 'x = jsonify(1)  # port: ignore[flask-jsonify]\n');
  assert.equal(await ignored('x = jsonify(1)  # port: ignore[flask-route]\n', 'jsonify'), 'x = jsonify(1)  # port: ignore[flask-route, flask-jsonify]\n');
  assert.equal(await ignored('x = jsonify(1)  # port: ignore[flask-jsonify]\n', 'jsonify'), 'x = jsonify(1)  # port: ignore[flask-jsonify]\n');
  assert.equal(
    await ignored('def f():\n    return jsonify("""a\nb""")\n', 'jsonify'),
    'def f():\n    # port: ignore[flask-jsonify]\n    return jsonify("""a\nb""")\n',
  );
  assert.equal(await ignored('def f():\n    return jsonify(1) + \\\n        2\n', 'jsonify'), 'def f():\n    # port: ignore[flask-jsonify]\n    return jsonify(1) + \\\n        2\n');
  assert.equal(await ignored('y = jsonify(\n    1,\n)\n', 'jsonify'), 'y = jsonify(  # port: ignore[flask-jsonify]\n    1,\n)\n');
});

test('settings: bad values fall back to the defaults with one sentence each', () => {
  const ok = parseSettings({ target: 'fastapi', rules: { 'flask-route': 'off' }, maxFileSize: 5000 });
  assert.deepEqual(ok.problems, []);
  assert.equal(ok.settings.target, 'fastapi');
  assert.equal(ok.selection.maxFileSize, 5000);
  const bad = parseSettings({ target: 'rails', rules: { x: 'loud' }, include: 'app.py', severity: 3 });
  assert.equal(bad.settings.target, 'django');
  assert.equal(bad.settings.severity, 'warning');
  assert.deepEqual(bad.settings.rules, {});
  assert.equal(bad.problems.length, 4);
  assert.match(bad.problems[0], /frameworkPorter\.target is "rails"/);
  assert.deepEqual(parseSettings(undefined).problems, []);
  assert.deepEqual(parseSettings('nonsense').settings.target, 'django');
});

test('pointsAt counts rows by \\n and columns in UTF-16 code units', () => {
  assert.deepEqual(pointsAt('a\r\nbc', [5]), [{ row: 1, column: 2 }]);
  assert.deepEqual(pointsAt('😀x\ny', [3]), [{ row: 0, column: 3 }]);
  assert.deepEqual(pointsAt('a\rb\nc\n', [0, 2, 4, 6]), [{ row: 0, column: 0 }, { row: 0, column: 2 }, { row: 1, column: 0 }, { row: 2, column: 0 }]);
});

test('incremental edits keep the tree equal to a fresh parse (CRLF, astral characters, several changes)', async () => {
  const problems: string[] = [];
  const store = new DocumentStore(await grammar, (_uri, p) => problems.push(p));
  const uri = 'file:///t.py';
  let text = 'def f():\r\n    s = "😀"\r\n    return s\r\n';
  store.open(uri, 'python', 1, text);
  const edits = [
    { range: { start: { line: 1, character: 11 }, end: { line: 1, character: 11 } }, text: '🎉 ok' },
    { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: 'import os\r\n\r\n' },
    { range: { start: { line: 4, character: 11 }, end: { line: 4, character: 12 } }, text: 'len(s)\r\n    x = [\r\n        1,\r\n    ]' },
    { range: { start: { line: 1, character: 0 }, end: { line: 2, character: 0 } }, text: '' },
  ];
  for (const e of edits) {
    const lines = new LineMap(text);
    text = text.slice(0, lines.offset(e.range.start)) + e.text + text.slice(lines.offset(e.range.end));
  }
  const doc = store.change(uri, 2, edits)!;
  assert.equal(doc.text, text);
  assert.equal(doc.text, 'import os\r\ndef f():\r\n    s = "😀🎉 ok"\r\n    return len(s)\r\n    x = [\r\n        1,\r\n    ]\r\n');
  assert.deepEqual(problems, []);
  assert.equal(doc.tree!.rootNode.hasError, false);
  store.close(uri);
  assert.equal(store.get(uri), undefined);
  store.dispose();
});

test('lastCodeBefore: the last character of code before an offset, past blank lines and indentation', () => {
  const t = 'x = 1\n\n    \n  y\r\n\t\f z';
  assert.equal(lastCodeBefore(t, t.indexOf('\n\n') + 2), t.indexOf('1'));
  assert.equal(lastCodeBefore(t, t.indexOf('y')), t.indexOf('1'));
  assert.equal(lastCodeBefore(t, t.indexOf('z')), t.indexOf('y'));
  assert.equal(lastCodeBefore(t, t.indexOf('=') + 1), t.indexOf('='), 'code right before: that character');
  assert.equal(lastCodeBefore(t, 0), 0);
  assert.equal(lastCodeBefore('   \n  x', 6), 6, 'only white space before: the offset itself');
});

test('lineEndAfter: past the line break when only spaces or tabs follow, else the offset itself', () => {
  const t = 'x = f(1)  \t\ny = 2\r\nz = 3';
  assert.equal(lineEndAfter(t, t.indexOf(')') + 1), t.indexOf('y'));
  assert.equal(lineEndAfter(t, t.indexOf('\n')), t.indexOf('y'), 'at the line break');
  assert.equal(lineEndAfter(t, t.indexOf('2') + 1), t.indexOf('z'), 'CRLF');
  assert.equal(lineEndAfter(t, t.indexOf('f')), t.indexOf('f'), 'code follows');
  assert.equal(lineEndAfter(t, t.length - 1), t.length - 1, 'the last line has no line break');
  assert.equal(lineEndAfter('a \rb', 1), 1, 'a lone CR is no line break (tree-sitter counts rows by \\n)');
});

test('a character typed and removed at the end of a block\'s last line is reparsed without lexing the rest of the file again', async () => {
  const parser = (await grammar).newParser();
  const views = Array.from({ length: 300 }, (_, i) => `@bp.route("/v${i}")\ndef view_${i}(x):\n    y = x + ${i}\n    return jsonify(y)\n`);
  const text = `from flask import jsonify\n\n\n${views.join('\n\n')}`;
  const at = text.indexOf('return jsonify(y)', text.indexOf('def view_150(')) + 'return jsonify(y)'.length;
  const typed = `${text.slice(0, at)} ${text.slice(at)}`;
  let tree = parser.parse(text)!;
  tree.edit(editFor(text, at, at, ' '));
  const after = parser.parse(typed, tree)!;
  tree.delete();
  after.edit(editFor(typed, at, at + 1, ''));
  let lexed = 0;
  parser.setLogger((message) => {
    if (message.startsWith('lexed_lookahead')) lexed++;
  });
  const back = parser.parse(text, after)!;
  parser.setLogger(null);
  // (told that the edit ended at the line's end, tree-sitter lexed the 150 views after it again: 4,475 tokens)
  assert.ok(lexed < 100, `${lexed} tokens lexed again`);
  const fresh = parser.parse(text)!;
  assert.equal(back.rootNode.toString(), fresh.rootNode.toString());
  for (const t of [after, back, fresh]) t.delete();
  parser.delete();
});

test('lines pasted and removed at every line start of a class keep the tree equal to a fresh parse, with the change in its ranges', async () => {
  const problems: string[] = [];
  const store = new DocumentStore(await grammar, (_uri, p) => problems.push(p));
  const uri = 'file:///c.py';
  const methods = Array.from({ length: 12 }, (_, i) => `    def m${i}(self, a):\n        \"\"\"Doc.\"\"\"\n        x = a + ${i}\n\n        return self.f(\n            x,\n        )\n`);
  const text = `import os\n\n\nclass C:\n${methods.join('\n')}\n\n# end\ndef g():\n    pass\n`;
  store.open(uri, 'python', 1, text);
  let version = 1;
  const lines = new LineMap(text);
  for (const pasted of ['        value = request.args.get("q")  # pasted\n', '\n', '    z = 1\n', 'w = 2\n']) {
    for (let line = 0; line < lines.lineCount; line++) {
      const at = { line, character: 0 };
      const doc = store.change(uri, ++version, [{ range: { start: at, end: at }, text: pasted }])!;
      const start = lines.offset(at);
      const ranges = doc.log!.records.at(-1)!.ranges!;
      // (a line the parse reads as before, a blank one, may change no node)
      if (pasted.trim()) assert.ok(ranges.some((r) => r.startIndex <= start + pasted.trim().length - 1 && r.endIndex >= start + 1), `line ${line}: ${JSON.stringify(ranges)}`);
      store.change(uri, ++version, [{ range: { start: at, end: { line: line + 1, character: 0 } }, text: '' }]);
      assert.equal(store.get(uri)!.text, text);
    }
  }
  assert.deepEqual(problems, []);
  store.dispose();
});

test('trees stay equal to a fresh parse while syntax errors come and go, and past the edits an error-free tree is kept for', async () => {
  const problems: string[] = [];
  const store = new DocumentStore(await grammar, (_uri, p) => problems.push(p));
  const uri = 'file:///e.py';
  const methods = Array.from({ length: 8 }, (_, i) => `    def m${i}(self, a):\n        x = a + ${i}\n        return self.f(\n            x,\n        )\n`);
  const text = `class C:\n${methods.join('\n')}\n\ndef g():\n    return 1\n`;
  store.open(uri, 'python', 1, text);
  let version = 1;
  const lines = new LineMap(text);
  let errors = 0;
  // a character typed into a line's indentation, or an unclosed bracket, then removed; and one error left in place
  // while 300 more edits (each undone) are made elsewhere
  for (const [typed, character] of [['b', 3], ['(', 8], ['"', 4], [')', 0]] as const) {
    for (let line = 1; line < lines.lineCount - 1; line += 3) {
      const at = { line, character: Math.min(character, text.split('\n')[line].length) };
      if (store.change(uri, ++version, [{ range: { start: at, end: at }, text: typed }])!.tree!.rootNode.hasError) errors++;
      store.change(uri, ++version, [{ range: { start: at, end: { line: at.line, character: at.character + 1 } }, text: '' }]);
      assert.equal(store.get(uri)!.text, text);
      assert.equal(store.get(uri)!.tree!.rootNode.hasError, false);
    }
  }
  assert.ok(errors > 20, `${errors} errors made`);
  store.change(uri, ++version, [{ range: { start: { line: 2, character: 8 }, end: { line: 2, character: 8 } }, text: '(' }]);
  const long = text.split('\n').flatMap((l, i) => (i > 3 && l.length > 6 ? [i] : []));
  for (let k = 0; k < 300; k++) {
    const at = { line: long[k % long.length], character: 4 };
    store.change(uri, ++version, [{ range: { start: at, end: at }, text: 'zz' }]);
    store.change(uri, ++version, [{ range: { start: at, end: { line: at.line, character: 6 } }, text: '' }]);
  }
  store.change(uri, ++version, [{ range: { start: { line: 2, character: 8 }, end: { line: 2, character: 9 } }, text: '' }]);
  assert.equal(store.get(uri)!.text, text);
  assert.deepEqual(problems, []);
  store.dispose();
});

test('hover excerpts keep only the lines that differ, dedented', () => {
  const ex = exampleExcerpt('import a\n\ndef f():\n    return a(1)\n', 'import b\n\ndef f():\n    return b(1)\n');
  assert.deepEqual(ex, { before: ['import a', 'return a(1)'], after: ['import b', 'return b(1)'] });
});

test('a document is refused once edits take it past the limits, though small edits skip the whole-text check', async () => {
  const g = await grammar;
  const store = new DocumentStore(g);
  const uri = 'file:///limits.py';
  // near both limits: brackets 195 deep, indentation 145 levels
  const deep = `x = ${'('.repeat(195)}1${')'.repeat(195)}\n`;
  const blocks = Array.from({ length: 144 }, (_, i) => `${' '.repeat(i)}if x:\n`).join('') + `${' '.repeat(144)}pass\n`;
  let text = deep + blocks;
  store.open(uri, 'python', 1, text);
  assert.ok(store.get(uri)!.tree, 'the text passes');
  let refusedOnce = false;
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let v = 2; v < 600; v++) {
    const cur = store.get(uri)!.text;
    const lm = new LineMap(cur);
    let at: number;
    let insert = '';
    let del = 0;
    const r = random();
    if (r < 0.45) {
      // an opening bracket beside the innermost one, or a space at the start of the innermost block's line
      at = r < 0.25 ? cur.indexOf('1)') : cur.lastIndexOf('\n', cur.length - 2) + 1;
      insert = r < 0.25 ? '(' : ' ';
    } else if (r < 0.55) {
      at = cur.indexOf('1)') + 1;
      insert = ')';
    } else if (r < 0.7) {
      at = Math.floor(random() * cur.length);
      insert = 'ab ([x'[Math.floor(random() * 6)];
    } else if (r < 0.8) {
      // a whole line pasted at a line start (keepsStructureByLines), deeper than any block or opening brackets, its
      // strings closed on it or not
      const lineStarts = [0, ...[...cur.matchAll(/\n/g)].map((m) => m.index! + 1).filter((i) => i < cur.length)];
      at = lineStarts[Math.floor(random() * lineStarts.length)];
      const pasted = ['if x:', 'y = ("a(" # (', "z = f'{(1'  # '", 'w = (((((', 'q = "open', ")]})"];
      insert = `${' '.repeat(Math.floor(random() * 160))}${pasted[Math.floor(random() * pasted.length)]}\n`;
    } else if (r < 0.85) {
      // a whole line removed
      const lineStarts = [0, ...[...cur.matchAll(/\n/g)].map((m) => m.index! + 1).filter((i) => i < cur.length)];
      at = lineStarts[Math.floor(random() * lineStarts.length)];
      del = cur.indexOf('\n', at) + 1 - at;
    } else {
      at = Math.floor(random() * (cur.length - 1));
      del = cur[at] === '\n' ? 0 : 1;
    }
    const start = lm.position(at);
    const end = lm.position(at + del);
    store.change(uri, v, [{ range: { start, end }, text: insert }]);
    text = cur.slice(0, at) + insert + cur.slice(at + del);
    const doc = store.get(uri)!;
    assert.equal(doc.text, text);
    const refusal = parseRefusal(text);
    assert.equal(!doc.tree, !!refusal, `version ${v}: tree ${doc.tree ? 'kept' : 'dropped'}, refusal ${refusal}`);
    refusedOnce ||= !!refusal;
  }
  assert.ok(refusedOnce, 'the edits went past a limit');
  store.dispose();
});

test('keepsStructureByLines: whole lines that close their own strings, after a line not continued by a backslash', () => {
  const text = 'a = 1\nu = "abc\\\ndef"\nb = 2\r\nc = 3\n';
  const at = (line: string) => text.indexOf(line);
  // whole lines in, whole lines out, strings closed on their line, comments ignored
  assert.equal(keepsStructureByLines(text, at('b = 2'), 'x = "(((" # ")\n', ''), true);
  assert.equal(keepsStructureByLines(text, at('c = 3'), "y = f'{d[\"k\"]}'\r\n", 'c = 3\n'), true, 'after a CRLF');
  assert.equal(keepsStructureByLines(text, 0, '', 'a = 1\n'), true);
  // not whole lines
  assert.equal(keepsStructureByLines(text, at('b = 2') + 1, 'x\n', ''), false, 'not at a line start');
  assert.equal(keepsStructureByLines(text, at('b = 2'), 'x = 1', ''), false, 'no line break at the end');
  // strings that could reach past the edit
  assert.equal(keepsStructureByLines(text, at('b = 2'), 'q = "open\n', ''), false, 'an unclosed quote');
  assert.equal(keepsStructureByLines(text, at('b = 2'), 's = """x"""\n', ''), false, 'a triple quote');
  assert.equal(keepsStructureByLines(text, at('b = 2'), 'p = "a\\\\"\n', ''), false, 'a backslash');
  assert.equal(keepsStructureByLines(text, at('b = 2'), '', 'u = "abc\\\n'), false, 'removing a continued line');
  assert.equal(keepsStructureByLines(text, at('def"'), 'v = "x"\n', ''), false, 'after a line continued by a backslash');
  assert.equal(keepsStructureByLines(text, at('b = 2'), 'x = 1\ry = 2\n', ''), false, 'a lone CR');
});

test('a pasted line that turns a triple-quoted string into code is checked whole (brackets past the limit are refused)', async () => {
  const g = await grammar;
  const store = new DocumentStore(g);
  const uri = 'file:///flip.py';
  const text = `a = 1\ns = """\n${'('.repeat(300)}\n"""\nb = 2\n`;
  store.open(uri, 'python', 1, text);
  assert.ok(store.get(uri)!.tree, 'brackets in a string count for nothing');
  // a self-contained line: skips the check, keeps the tree
  store.change(uri, 2, [{ range: { start: { line: 4, character: 0 }, end: { line: 4, character: 0 } }, text: 'x = "(((" # (((\n' }]);
  assert.ok(store.get(uri)!.tree);
  // a line opening a triple-quoted string: what was a string is code now, 300 brackets deep
  store.change(uri, 3, [{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, text: 't = """\n' }]);
  assert.equal(store.get(uri)!.tree, null, 'refused');
  assert.match(parseRefusal(store.get(uri)!.text) ?? '', /brackets nested/);
  store.dispose();
});

test('what changedWithin says an edit changed is where the trees differ: outside it, the same nodes, on random edits of the examples', async () => {
  const g = await grammar;
  const parser = g.newParser();
  const files = pythonFilesUnder(path.resolve(__dirname, '../../examples')).map((f) => fs.readFileSync(f, 'utf8'));
  let seed = 3;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const pieces = ['x', ' ', ':', '(', ')', '"', "'", '#', '\n', '    ', 'if a:', '\n    ', '"""', '[', ']', ',', '.', '=', '\\', 'def ', 'return', ''];
  // every node of a tree not within [s, t] (its range in that tree), as type@start-end in the new text's offsets, in
  // tree order: the nodes before it as they are, the ones after it and the ones holding it with their ends moved by d
  const outside = (tree: ReturnType<typeof parser.parse> & object, s: number, t: number, d: number) => {
    const out: string[] = [];
    const c = tree.walk();
    for (;;) {
      const [a, b] = [c.startIndex, c.endIndex];
      const inside = a >= s && b <= t;
      if (!inside) out.push(b <= s ? `${c.nodeType}@${a}-${b}` : a >= t ? `${c.nodeType}@${a + d}-${b + d}` : a <= s && b >= t ? `${c.nodeType}@${a}-${b + d}` : `${c.nodeType} across ${a}-${b}`);
      if (!inside && c.gotoFirstChild()) continue;
      while (!c.gotoNextSibling()) if (!c.gotoParent()) return (c.delete(), out);
    }
  };
  let local = 0;
  let compared = 0;
  for (let n = 0; n < 3000; n++) {
    const text = files[n % files.length];
    const start = Math.floor(random() * text.length);
    const oldEnd = Math.min(text.length, start + (random() < 0.3 ? Math.floor(random() * 6) : 0));
    const inserted = pieces[Math.floor(random() * pieces.length)];
    const next = text.slice(0, start) + inserted + text.slice(oldEnd);
    const old = parser.parse(text)!;
    const e = { start, oldEnd, newEnd: start + inserted.length };
    const held = nodesHolding(old, start, oldEnd);
    old.edit(editFor(text, start, oldEnd, inserted));
    const now = parser.parse(next, old)!;
    const within = changedWithin(held, now, e);
    if (within) {
      local++;
      const [{ startIndex: s, endIndex: t }] = within;
      assert.ok(s <= e.start && e.newEnd <= t, 'it holds the edit');
      // (outside it, a fresh parse of the new text has the nodes a parse of the old text had, moved past the edit)
      const fresh = parser.parse(next)!;
      const before = parser.parse(text)!;
      const d = e.newEnd - oldEnd;
      assert.deepEqual(outside(fresh, s, t, 0), outside(before, s, t - d, d), `${JSON.stringify(inserted)} at ${start}–${oldEnd}: the trees differ outside [${s}, ${t}]`);
      fresh.delete();
      before.delete();
    } else compared++;
    old.delete();
    now.delete();
  }
  assert.ok(local > 1000, `told without comparing the trees: ${local} of 3000 (${compared} compared)`);
  parser.delete();
});
