// The workspace scan parses large files in part (analysis/partialParse.ts): the top-level statements by tokens must be
// tree-sitter's, and an analysis of the partial tree must find exactly what one of the whole tree finds.
import { test } from 'node:test';
import { textImportFacts } from '../../server/src/workspace/prefilter';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { exampleAndFixtureCases, grammar, pythonFilesUnder, RULES, settingsFor } from '../helpers';
import { analyze } from '../../server/src/analysis/engine';
import { namesParameter, parseForAnalysis, topLevelChunks, PARTIAL_MIN_CHARS } from '../../server/src/analysis/partialParse';
import { wordsRe } from '../../server/src/analysis/words';
import { moduleNameFor } from '../../server/src/analysis/moduleIndex';
import { plainFinding } from '../../server/src/workspace/scanCore';

const ROOT = path.resolve(__dirname, '../..');
const FILES = [...pythonFilesUnder(path.join(ROOT, 'examples')), ...pythonFilesUnder(path.join(ROOT, 'server/src/rules'))];

/** Where tree-sitter's first top-level statement and those that start a line start (comments left out; `a; b` is one chunk). */
async function statementStarts(text: string): Promise<number[] | undefined> {
  const p = (await grammar).newParser();
  const tree = p.parse(text)!;
  try {
    if (tree.rootNode.hasError) return undefined;
    return tree.rootNode.namedChildren
      .filter((n) => n && n.type !== 'comment')
      .map((n) => n!.startIndex)
      .filter((x, i) => i === 0 || text[x - 1] === '\n' || text[x - 1] === '\r');
  } finally {
    tree.delete();
    p.delete();
  }
}

test('top-level statements by tokens are those tree-sitter finds, on every example and fixture', async () => {
  let compared = 0;
  for (const file of FILES) {
    const text = fs.readFileSync(file, 'utf8');
    const want = await statementStarts(text);
    if (!want) continue;
    const chunks = topLevelChunks(text);
    assert.ok(chunks, file);
    assert.deepEqual(
      chunks.map((c) => c.start),
      want,
      path.relative(ROOT, file),
    );
    compared++;
  }
  assert.ok(compared > 150, `${compared} files`);
});

test('top-level statements by tokens: decorators, else/except, strings and brackets across lines, continuations', async () => {
  const cases = [
    '@app.route("/")\n@login_required\ndef index():\n    return "x"\n\n\nx = 1\n',
    'try:\n    import flask\nexcept ImportError:\n    flask = None\nelse:\n    pass\nfinally:\n    y = 2\nif a:\n    b = 1\nelif c:\n    b = 2\nelse:\n    b = 3\n',
    'doc = """\nclass NotAClass:\n# not a comment\n"""\nz = (1,\n2)\nw = [\n"]",\n]\nv = 1 + \\\n2\nu = 3\n',
    "s = '''\ndef f():\n'''; t = 'a\\'b'\nr = r\"\\\"\"\nq = 1\n",
    '# a comment\n\nimport os\n# between\n\n\ndef f(a=")"):\n    pass\n# trailing\n',
    'x = 1\r\ny = {\r\n1: 2}\r\nclass A:\r\n    pass\r\n',
    'async def f():\n    pass\nmatch x:\n    case 1:\n        pass\n',
    // an indented first statement (found by the fuzzer: it was left out of every partial parse)
    '# header\n  import flask_sqlalchemy\nfrom x import y\n',
  ];
  for (const text of cases) {
    const want = await statementStarts(text);
    assert.ok(want, text);
    assert.deepEqual(topLevelChunks(text)?.map((c) => c.start), want, JSON.stringify(text));
  }
  // a chunk's code ends before the comments and blank lines that follow it
  const text = 'class A:\n    x = 1\n# about flask\n\ny = 2\n';
  const [a] = topLevelChunks(text)!;
  assert.equal(text.slice(a.start, a.codeEnd), 'class A:\n    x = 1');
  // text ending inside a bracket or a string: the parser decides
  assert.equal(topLevelChunks('x = (1,\n'), undefined);
  assert.equal(topLevelChunks('x = """abc\n'), undefined);
});

test('a parameter list names a parameter, across lines and past strings with brackets', () => {
  const re = wordsRe(['request']);
  assert.ok(namesParameter('def view(request):\n    pass\n', re));
  assert.ok(namesParameter('async def view(\n    a=")",\n    request=None,\n):\n    pass\n', re));
  assert.ok(namesParameter('class V:\n    def get[T](self, request: T) -> T:\n        pass\n', re));
  assert.ok(!namesParameter('def view(req):\n    return api.authenticate(request)\n', re));
  assert.ok(!namesParameter('x = request\n', re));
});

test('an analysis of the partial tree finds what one of the whole tree finds, on every example and fixture', async () => {
  const g = await grammar;
  const parser = g.newParser();
  let partial = 0;
  let total = 0;
  for await (const { file, text, opts } of exampleAndFixtureCases()) {
    const mod = moduleNameFor(opts.path);
    const part = parseForAnalysis(g, parser, text, { moduleName: mod.name, isPackage: mod.isPackage, index: opts.index, rules: RULES, minChars: 0, maxShare: 1 });
    const a = analyze(g, text, { ...opts, tree: part.tree!, bindings: part.bindings }, RULES);
    const b = analyze(g, text, opts, RULES);
    assert.deepEqual(a.findings.map(plainFinding), b.findings.map(plainFinding), `${file} (${opts.settings.target}, ${opts.settings.ormTarget}, partial: ${part.partial})`);
    // with the names its imports bind (all of them: any names give the same findings), at the default share
    const frameworkNames = textImportFacts(text, opts.path).items.flatMap(([m, names]) => names ?? [m.split('.')[0]]);
    const named = parseForAnalysis(g, parser, text, { moduleName: mod.name, isPackage: mod.isPackage, index: opts.index, rules: RULES, minChars: 0, frameworkNames });
    const c = analyze(g, text, { ...opts, tree: named.tree!, bindings: named.bindings }, RULES);
    assert.deepEqual(c.findings.map(plainFinding), b.findings.map(plainFinding), `${file} with framework names (partial: ${named.partial})`);
    if (part.partial) partial++;
    total += b.findings.length;
    a.dispose();
    b.dispose();
    c.dispose();
    part.tree?.delete();
    named.tree?.delete();
  }
  assert.ok(partial > 100, `${partial} partial trees`);
  assert.ok(total > 1000, `${total} findings compared`);
  parser.delete();
});

test('a text whose statements mostly name a framework name it imports is parsed whole at once', async () => {
  const g = await grammar;
  const parser = g.newParser();
  let parses = 0;
  const counting = { parse: (...a: Parameters<typeof parser.parse>) => (parses++, parser.parse(...a)) } as unknown as typeof parser;
  const parse = (text: string, frameworkNames?: string[]) => {
    parses = 0;
    const r = parseForAnalysis(g, counting, text, { moduleName: 'app', isPackage: false, rules: RULES, frameworkNames });
    r.tree?.delete();
    return [r.partial, parses];
  };
  const dense = `from flask import request\n\n${Array.from({ length: 400 }, (_, i) => `def view_${i}():\n    return request.args.get("q${i}")\n`).join('\n')}`;
  assert.ok(dense.length > PARTIAL_MIN_CHARS);
  assert.deepEqual(parse(dense), [false, 2], 'without the names: a partial round, then the whole text');
  assert.deepEqual(parse(dense, ['request']), [false, 1]);
  // an alias hides the name: then the rounds decide, as without names
  assert.deepEqual(parse(dense.replace('import request', 'import request as rq').replace(/request\.args/g, 'rq.args'), ['request']), [false, 2]);
  const sparse = `from flask import Flask, request\n\napp = Flask(__name__)\n\n${Array.from({ length: 300 }, (_, i) => `def helper_${i}(x):\n    return [x, ${i}, "${'y'.repeat(30)}"]\n`).join('\n')}\n@app.route("/")\ndef index():\n    return request.args.get("q")\n`;
  assert.ok(sparse.length > PARTIAL_MIN_CHARS);
  assert.deepEqual(parse(sparse, ['Flask', 'request']), parse(sparse));
  assert.equal(parse(sparse, ['Flask', 'request'])[0], true);
  parser.delete();
});

test('a partial parse leaves out what cannot hold a finding, and parses whole what it cannot split safely', async () => {
  const g = await grammar;
  const parser = g.newParser();
  const filler = Array.from({ length: 400 }, (_, i) => `def helper_${i}(x):\n    return [x, "${'y'.repeat(20)}"]\n`).join('\n');
  const parse = (text: string) => parseForAnalysis(g, parser, text, { moduleName: 'app', isPackage: false, rules: RULES });
  const flask = `from flask import Flask, request\n\napp = Flask(__name__)\n\n\n${filler}\n\n@app.route("/")\ndef index():\n    return request.args.get("q")\n`;
  assert.ok(flask.length > PARTIAL_MIN_CHARS);
  const r = parse(flask);
  assert.equal(r.partial, true);
  const kept = r.tree!.rootNode.namedChildren.map((n) => n!.type);
  assert.deepEqual(kept, ['import_from_statement', 'expression_statement', 'decorated_definition']);
  const a = analyze(g, flask, { settings: settingsFor('django'), path: 'app.py', tree: r.tree! }, RULES);
  const b = analyze(g, flask, { settings: settingsFor('django'), path: 'app.py' }, RULES);
  assert.deepEqual(a.findings.map(plainFinding), b.findings.map(plainFinding));
  assert.ok(b.findings.some((f) => f.rule === 'flask-request-args'));
  a.dispose();
  b.dispose();
  r.tree?.delete();
  // a `request` parameter a fix gave a function is kept; a `request` argument is not
  const withParam = parse(`import flask\n\n\n${filler}\n\ndef raw(request):\n    return request.form["a"]\n\n\ndef other(x):\n    return call(request)\n`);
  assert.deepEqual(
    withParam.tree!.rootNode.namedChildren.map((n) => n!.type === 'function_definition' && n!.childForFieldName('name')!.text).filter(Boolean),
    ['raw'],
  );
  withParam.tree?.delete();
  // a module-level function that names flask is followed to the statements calling it; a method that does is not
  // (another statement reads it only as an attribute, which never resolves through the class)
  const follow = parse(
    `import flask\n\n\ndef make():\n    return flask.Flask(__name__)\n\n\nclass Base:\n    def client(self):\n        return flask.Flask(__name__).test_client()\n\n\n${filler}\n\nclass UsesMake:\n    app = make()\n\n\nclass UsesClient(Base):\n    def test(self):\n        return self.client()\n`,
  );
  const classes = follow.tree!.rootNode.namedChildren.filter((n) => n!.type === 'class_definition').map((n) => n!.childForFieldName('name')!.text);
  assert.deepEqual(classes, ['Base', 'UsesMake']);
  follow.tree?.delete();
  // a syntax error, a text ending inside a bracket, a star import: the whole text
  for (const text of [`import flask\n${filler}\ndef broken(:\n    pass\n`, `import flask\n${filler}\nx = (1,\n`, `from flask import *\n${filler}\n`]) {
    const w = parse(text);
    assert.equal(w.partial, false, text.slice(-30));
    w.tree?.delete();
  }
  parser.delete();
});
