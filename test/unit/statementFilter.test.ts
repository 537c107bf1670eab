// A full analysis queries only the statements that name something bound to a framework object (engine.ts
// fullUnits): on every example file and every rule fixture, for both targets and both ORM targets, it finds exactly
// what querying every statement finds (findings with fixable/safe, in order).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exampleAndFixtureCases, grammar, RULES, settingsFor } from '../helpers';
import { analyze } from '../../server/src/analysis/engine';
import { plainFinding } from '../../server/src/workspace/scanCore';
import { statementUnits } from '../../server/src/analysis/frameworkNames';

test('querying only the statements that name a framework-bound name finds what querying all of them finds', async () => {
  const g = await grammar;
  let total = 0;
  let files = 0;
  for await (const { file, text, opts } of exampleAndFixtureCases()) {
    const filtered = analyze(g, text, opts, RULES);
    const every = analyze(g, text, { ...opts, everyStatement: true }, RULES);
    assert.deepEqual(filtered.findings.map(plainFinding), every.findings.map(plainFinding), `${file} (${opts.settings.target}, ${opts.settings.ormTarget})`);
    total += every.findings.length;
    files++;
    filtered.dispose();
    every.dispose();
  }
  assert.ok(files > 600, `${files} files`);
  assert.ok(total > 1000, `${total} findings compared`);
});

test('a file that names no framework object is not queried at all, and a star import turns the filter off', async () => {
  const g = await grammar;
  const settings = settingsFor('django');
  const plain = 'import os\n\n\ndef handler(request):\n    return request.args.get("q")\n';
  const a = analyze(g, plain, { settings, path: 'app.py' }, RULES);
  assert.deepEqual(a.findings, []);
  a.dispose();
  const star = 'from flask import *\n\n\n@app.route("/")\ndef index():\n    return request.args.get("q")\n';
  const b = analyze(g, star, { settings, path: 'app.py' }, RULES);
  const c = analyze(g, star, { settings, path: 'app.py', everyStatement: true }, RULES);
  assert.deepEqual(b.findings.map(plainFinding), c.findings.map(plainFinding));
  assert.ok(b.findings.some((f) => f.rule === 'flask-request-args'), 'the star-imported request is still found');
  b.dispose();
  c.dispose();
});

test('names rules act on without a framework binding (unboundNames) keep their statements queried', async () => {
  const g = await grammar;
  const cases: [string, Parameters<typeof settingsFor>[0]][] = [
    // a view a fix-all pass already gave a Django `request` parameter; request.form waits for the next pass
    ['from flask import Blueprint\n\nbp = Blueprint("b", __name__)\n\n\ndef raw(request):\n    return request.form["a"]\n', 'django'],
    // `cls.query` in a model's classmethod: the statement names no framework-bound name
    ['from flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\n\n\nclass Post(db.Model):\n    id = db.Column(db.Integer, primary_key=True)\n\n    @classmethod\n    def recent(cls):\n        return cls.query.all()\n', 'django'],
  ];
  for (const [text, target] of cases) {
    const settings = settingsFor(target);
    const a = analyze(g, text, { settings, path: 'app.py' }, RULES);
    const b = analyze(g, text, { settings, path: 'app.py', everyStatement: true }, RULES);
    assert.deepEqual(a.findings.map(plainFinding), b.findings.map(plainFinding));
    assert.ok(b.findings.some((f) => f.rule === 'flask-request-form' || f.rule === 'fsa-query'), JSON.stringify(b.findings.map((f) => f.rule)));
    a.dispose();
    b.dispose();
  }
});

test('the filter follows a function\'s import, class-level names and the attributes a method assigns', async () => {
  const g = await grammar;
  const settings = settingsFor('django');
  const cases: [string, string, string][] = [
    // an import inside a function binds a name only its body reads
    ['function import', 'import os\n\n\ndef build():\n    from flask import Flask\n    app = Flask(__name__)\n    return app.test_client()\n', 'flask-test-client'],
    // a class-level name read by the next statement of the class body (a unit of its own)
    ['class-level chain', 'import flask\n\n\nclass Views:\n    bp = flask.Blueprint("v", __name__)\n    again = bp\n\n    @again.route("/a")\n    def a(self):\n        return "a"\n', 'flask-route'],
    // what setUp assigns to self.app, through a module-level factory, read by another method
    ['attribute of a factory', 'import unittest\nfrom flask import Flask\n\n\ndef make():\n    return Flask(__name__)\n\n\nclass T(unittest.TestCase):\n    def setUp(self):\n        self.app = make()\n\n    def test_a(self):\n        return self.app.test_client()\n', 'flask-test-client'],
    // the same, annotated and continued over a line: the attribute assignment is still seen
    ['annotated, continued attribute', 'import unittest\nfrom flask import Flask\n\n\ndef make():\n    return Flask(__name__)\n\n\nclass T(unittest.TestCase):\n    def setUp(self):\n        self.app: "App" \\\n            = make()\n\n    def test_a(self):\n        return self.app.test_client()\n', 'flask-test-client'],
  ];
  for (const [what, text, rule] of cases) {
    const a = analyze(g, text, { settings, path: 'app.py' }, RULES);
    const b = analyze(g, text, { settings, path: 'app.py', everyStatement: true }, RULES);
    assert.ok(b.findings.some((f) => f.rule === rule), `${what}: ${JSON.stringify(b.findings.map((f) => f.rule))}`);
    assert.deepEqual(a.findings.map(plainFinding), b.findings.map(plainFinding), what);
    a.dispose();
    b.dispose();
  }
});

test('an unclosed bracket that makes the rest of the file one ERROR: its nodes are the units, and the findings stay', async () => {
  const g = await grammar;
  const settings = settingsFor('django');
  const text = 'from flask import Blueprint, request\n\nbp = Blueprint("b", __name__)\nvalue = compute(1,\n\n\n@bp.route("/")\ndef index():\n    return request.args.get("q")\n';
  const a = analyze(g, text, { settings, path: 'app.py' }, RULES);
  const b = analyze(g, text, { settings, path: 'app.py', everyStatement: true }, RULES);
  assert.ok(a.tree.rootNode.namedChildren.some((n) => n?.type === 'ERROR'), 'the text holds a top-level ERROR');
  assert.ok(statementUnits(a.tree.rootNode).every((u) => u.type !== 'ERROR'));
  assert.deepEqual(a.findings.map(plainFinding), b.findings.map(plainFinding));
  assert.ok(a.findings.some((f) => f.rule === 'flask-request-args'), JSON.stringify(a.findings.map((f) => f.rule)));
  a.dispose();
  b.dispose();
});

test('patterns rooted at a class are asked only in the statements that hold a kept unit, and find what the whole tree gives', async () => {
  const g = await grammar;
  const settings = settingsFor('django');
  // models at the top level, in a class body, in an `if` and in a function, beside a module-level Table, after a
  // long stretch of code that names no framework object
  const filler = Array.from({ length: 40 }, (_, i) => `class Plain${i}:\n    relationship = ${i}\n\n    def m(self):\n        return self.relationship\n`).join('\n\n');
  const text = [
    'from flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\n',
    filler,
    'tags = db.Table("tags", db.Column("post_id", db.Integer, db.ForeignKey("post.id")))\n',
    'class Post(db.Model):\n    id = db.Column(db.Integer, primary_key=True)\n    author_id = db.Column(db.Integer, db.ForeignKey("user.id"))\n    author = db.relationship("User")\n\n    class Meta(db.Model):\n        id = db.Column(db.Integer, primary_key=True)\n',
    'if True:\n    class Tag(db.Model):\n        id = db.Column(db.Integer, primary_key=True)\n',
    'def make():\n    class Local(db.Model):\n        id = db.Column(db.Integer, primary_key=True)\n    return Local\n',
  ].join('\n\n');
  const a = analyze(g, text, { settings, path: 'app.py' }, RULES);
  const b = analyze(g, text, { settings, path: 'app.py', everyStatement: true }, RULES);
  try {
    assert.deepEqual(a.findings.map(plainFinding), b.findings.map(plainFinding));
    const rules = new Set(a.findings.map((f) => f.rule));
    for (const id of ['fsa-model', 'fsa-column', 'fsa-foreign-key', 'fsa-relationship', 'fsa-table']) assert.ok(rules.has(id), `${id} in ${[...rules].join()}`);
    // every model: top level, nested, in an `if`, in a function
    assert.equal(a.findings.filter((f) => f.rule === 'fsa-model').length, 4);
  } finally {
    a.dispose();
    b.dispose();
  }
});
