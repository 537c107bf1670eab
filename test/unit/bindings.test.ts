// Binding resolution: a name counts as a framework object only where Python would bind it to one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { grammar } from '../helpers';
import { Bindings, isReference } from '../../server/src/analysis/bindings';
import { ModuleIndex, SuffixMap, summarize } from '../../server/src/analysis/moduleIndex';
import type { Node } from '../../server/src/parsing/python';

async function resolveAll(text: string, needle: RegExp, opts: { module?: string; index?: ModuleIndex; isPackage?: boolean } = {}) {
  const g = await grammar;
  const p = g.newParser();
  const tree = p.parse(text)!;
  const b = new Bindings(tree, text, opts.module ?? 'app', opts.index, opts.isPackage ?? false);
  const out: (string | undefined)[] = [];
  const visit = (n: Node) => {
    if ((n.type === 'attribute' || (n.type === 'identifier' && isReference(n)) || n.type === 'call') && needle.test(n.text) && n.text.match(needle)![0] === n.text) out.push(b.resolve(n));
    for (const c of n.namedChildren) if (c) visit(c);
  };
  visit(tree.rootNode);
  tree.delete();
  p.delete();
  return out;
}

test('from-import with alias resolves to the framework name', async () => {
  assert.deepEqual(await resolveAll('from flask import request as req\nreq.args\n', /^req\.args$/), ['flask.request.args']);
});

test('module import resolves attribute chains', async () => {
  assert.deepEqual(await resolveAll('import flask\nflask.request.json\n', /^flask\.request\.json$/), ['flask.request.json']);
});

test('an app made in a factory under any name is a Flask app', async () => {
  const src = 'from flask import Flask\ndef make():\n    site = Flask(__name__)\n    site.route\n    return site\nx = make()\nx.config\n';
  assert.deepEqual(await resolveAll(src, /^site\.route$/), ['flask.Flask().route']);
  assert.deepEqual(await resolveAll(src, /^x\.config$/), ['flask.Flask().config']);
});

test('a factory returns what its own returns give, not those of definitions nested in it', async () => {
  const src = [
    'from flask import Flask',
    'def make():',
    '    def helper():',
    '        return 42',
    '    class Box:',
    '        def get(self):',
    '            if True:',
    '                return None',
    '    site = Flask(__name__)',
    '    return site',
    'def other():',
    '    def inner():',
    '        def deeper():',
    '            return 1',
    '        return Flask(__name__)',
    '    @decorate',
    '    def after():',
    '        return Flask(__name__)',
    '    return helper_value',
    'x = make()',
    'x.config',
    'y = other()',
    'y.config',
  ].join('\n');
  assert.deepEqual(await resolveAll(src, /^x\.config$/), ['flask.Flask().config']);
  assert.deepEqual(await resolveAll(src, /^y\.config$/), [undefined]);
});

test('current_app is the Flask app', async () => {
  assert.deepEqual(await resolveAll('from flask import current_app\ncurrent_app.config\n', /^current_app\.config$/), ['flask.Flask().config']);
});

test('a module named as a property every object has resolves to itself (aliases are looked up in a map)', async () => {
  // (looked up in a plain object, `constructor` found Object and the name became "function Object() { [native code] }.build")
  for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
    assert.deepEqual(await resolveAll(`import ${name}\n${name}.build\n`, new RegExp(`^${name}\\.build$`)), [`${name}.build`]);
  }
  assert.deepEqual(await resolveAll('from flask import globals as gl\ngl.request.args\n', /^gl\.request\.args$/), ['flask.request.args']);
  assert.deepEqual(await resolveAll('import werkzeug.utils\nwerkzeug.utils.redirect\n', /^werkzeug\.utils\.redirect$/), ['flask.redirect']);
});

test('db.Model subclasses resolve to the model base, mixins first', async () => {
  const src = 'from flask_sqlalchemy import SQLAlchemy\nfrom flask_login import UserMixin\ndb = SQLAlchemy()\nclass User(UserMixin, db.Model):\n    pass\nUser.query\n';
  assert.deepEqual(await resolveAll(src, /^User\.query$/), ['flask_sqlalchemy.SQLAlchemy().Model.query']);
});

test('a parameter shadows the import inside its function only', async () => {
  const src = 'from flask import request\ndef view(request):\n    request.args\ndef other():\n    request.form\n';
  assert.deepEqual(await resolveAll(src, /^request\.args$/), [undefined]);
  assert.deepEqual(await resolveAll(src, /^request\.form$/), ['flask.request.form']);
});

test('a local def after the import rebinds the name', async () => {
  const src = 'from flask import render_template\nrender_template\ndef render_template(x):\n    return x\nrender_template\n';
  assert.deepEqual(await resolveAll(src, /^render_template$/), ['flask.render_template', undefined]);
});

test('a function body sees the last module-level binding', async () => {
  const src = 'from flask import session\ndef f():\n    session.add\nsession = set()\n';
  assert.deepEqual(await resolveAll(src, /^session\.add$/), [undefined]);
});

test('class bodies are not visible from methods', async () => {
  const src = 'from flask import g\nclass A:\n    g = 1\n    def m(self):\n        return g.user\n';
  assert.deepEqual(await resolveAll(src, /^g\.user$/), ['flask.g.user']);
});

test('names imported from project modules resolve through the module index', async () => {
  const g = await grammar;
  const index = new ModuleIndex();
  const files: Record<string, string> = {
    'blog.extensions': 'from flask_sqlalchemy import SQLAlchemy\ndb = SQLAlchemy()\n',
    'blog.models': 'from .extensions import db\nclass Post(db.Model):\n    pass\n',
  };
  for (const [mod, text] of Object.entries(files)) {
    const p = g.newParser();
    const t = p.parse(text)!;
    index.set(mod, summarize(new Bindings(t, text, mod, undefined, false)));
    t.delete();
    p.delete();
  }
  const src = 'from .models import Post\nfrom blog.extensions import db\nPost.query\ndb.session\n';
  assert.deepEqual(await resolveAll(src, /^Post\.query$/, { module: 'blog.views', index }), ['flask_sqlalchemy.SQLAlchemy().Model.query']);
  assert.deepEqual(await resolveAll(src, /^db\.session$/, { module: 'blog.views', index }), ['flask_sqlalchemy.SQLAlchemy().session']);
});

test('a lazy module index entry resolves as an eager one, and is summarized once, only when a lookup reads it', async () => {
  const g = await grammar;
  const files: Record<string, string> = {
    'blog.extensions': 'from flask_sqlalchemy import SQLAlchemy\ndb = SQLAlchemy()\n',
    'blog.models': 'from .extensions import db\nclass Post(db.Model):\n    pass\n',
    'blog.unused': 'from flask import Flask\napp = Flask(__name__)\n',
  };
  const summaryOf = (mod: string) => {
    const p = g.newParser();
    const t = p.parse(files[mod])!;
    try {
      return summarize(new Bindings(t, files[mod], mod, undefined, false));
    } finally {
      t.delete();
      p.delete();
    }
  };
  const eager = new ModuleIndex();
  const lazy = new ModuleIndex();
  const made: string[] = [];
  for (const mod of Object.keys(files)) {
    eager.set(mod, summaryOf(mod));
    lazy.setLazy(mod, () => (made.push(mod), summaryOf(mod)));
  }
  // whether a project module exists, by name or by suffix, needs no summary
  assert.ok(lazy.has('blog.unused') && lazy.has('unused') && !lazy.has('blog.missing'));
  assert.deepEqual(made, []);
  const src = 'from .models import Post\nfrom blog.extensions import db\nPost.query\ndb.session\n';
  const want = await resolveAll(src, /^(Post\.query|db\.session)$/, { module: 'blog.views', index: eager });
  assert.deepEqual(await resolveAll(src, /^(Post\.query|db\.session)$/, { module: 'blog.views', index: lazy }), want);
  assert.ok(want.every((q) => q !== undefined), JSON.stringify(want));
  assert.deepEqual([...made].sort(), ['blog.extensions', 'blog.models']);
  await resolveAll(src, /^(Post\.query|db\.session)$/, { module: 'blog.views', index: lazy });
  assert.equal(made.length, 2, 'each summarized once');
});

test('a module index over suffixes made already resolves as one that made its own; a name added again stays unique', () => {
  const names = ['blog.models', 'shop.models', 'blog.views', 'app.core.util'];
  const shared = new SuffixMap();
  for (const n of names) shared.add(n);
  shared.add('blog.views'); // again: still the one module ending in `views`
  assert.equal(shared.only('views'), 'blog.views');
  assert.equal(shared.only('models'), undefined); // two modules end with it
  const own = new ModuleIndex();
  const over = new ModuleIndex(shared);
  for (const n of names) {
    own.set(n, { [n]: { k: 'q', q: `x.${n}` } });
    over.set(n, { [n]: { k: 'q', q: `x.${n}` } });
  }
  over.set('lib.extra', {});
  own.set('lib.extra', {});
  for (const q of ['views', 'core.util', 'util', 'models', 'blog.models', 'extra', 'missing']) {
    assert.equal(over.has(q), own.has(q), q);
    assert.deepEqual(over.summaryOf(q), own.summaryOf(q), q);
  }
});

test('a project module that exports nothing of a framework resolves to nothing', async () => {
  const index = new ModuleIndex();
  index.set('ui.table', {});
  assert.deepEqual(await resolveAll('from ui.table import Column\nColumn\n', /^Column$/, { index }), [undefined]);
});

test('an assignment expression rebinds the name (only texts holding `:=` are searched for one)', async () => {
  const src = 'from flask import request\n\nrequest.args\nfound = (request := other())\nrequest.args\n';
  assert.deepEqual(await resolveAll(src, /^request\.args$/), ['flask.request.args', undefined]);
  assert.deepEqual(await resolveAll(src.replace(':=', '=='), /^request\.args$/), ['flask.request.args', 'flask.request.args']);
});

test('a comprehension variable is its own: it shadows the names around it, in every kind of comprehension', async () => {
  const src = [
    'from flask import request, g',
    '',
    'a = [request.args for request in pending]',
    'b = {request.form for request in pending}',
    'c = {k: request.json for k, request in pairs}',
    'd = list(request.files for (_, request) in pairs)',
    'e = [x for request in pending for x in request.args]', // a later clause reads the variable
    'f = [x for x in request.args]', // a name the comprehension does not bind
    'h = [request.args for x in request.args]', // the first iterable is read around the comprehension
    'def view(request):',
    '    return [request.args for request in g.pending]',
    'def other():',
    '    return [request.args for r in g.pending if r]', // `request` is the import here
    '',
  ].join('\n');
  const got = await resolveAll(src, /^request\.(args|form|json|files)$/);
  assert.deepEqual(got, [
    undefined, // a
    undefined, // b
    undefined, // c
    undefined, // d
    undefined, // e
    'flask.request.args', // f
    'flask.request.args', // h: the element
    'flask.request.args', // h: the first iterable
    undefined, // view: the parameter's comprehension variable, not the parameter
    'flask.request.args', // other
  ]);
});

test('a comprehension variable does not hide the name after the comprehension, nor in a nested function', async () => {
  const src = 'from flask import request\n\nnames = [request for request in pending]\nrequest.args\ndef f():\n    return [lambda: request.args for request in q]\n';
  assert.deepEqual(await resolveAll(src, /^request\.args$/), ['flask.request.args', undefined]);
});

test('a module level carried over by an edit in a body is moved by name when read; an edit removing module-level text is not carried so', async () => {
  const g = await grammar;
  const p = g.newParser();
  const before = 'from flask import request\n\n\ndef f():\n    a = 1\n\n\nreq = request\n\n\ndef g(x=req):\n    return x.args\n';
  const t0 = p.parse(before)!;
  const b0 = new Bindings(t0, before, 'app');
  const snap = b0.snapshot();
  const sigs = (b: Bindings) => JSON.stringify(b.snapshot().names.map(([n, l]) => [n, l.map((x) => [x.start, x.sig, x.site.start, x.def?.end])]));
  const carried = (text: string, edit: { start: number; oldEnd: number; newEnd: number }) => {
    const tree = p.parse(text)!;
    const b = new Bindings(tree, text, 'app', undefined, false, { snapshot: snap, edits: [edit] });
    const fresh = new Bindings(tree, text, 'app');
    return { b, fresh, tree };
  };
  // a character typed into f's body: carried whole, every record moved as a fresh collection has it
  const at = before.indexOf('a = 1');
  const typed = `${before.slice(0, at)}x${before.slice(at)}`;
  const one = carried(typed, { start: at, oldEnd: at, newEnd: at + 1 });
  assert.ok(one.b.carried && one.b.carriedWhole);
  assert.equal(one.b.module.bindings.get('req')?.[0].start, one.fresh.module.bindings.get('req')?.[0].start, 'read by name: moved');
  assert.equal(sigs(one.b), sigs(one.fresh));
  one.tree.delete();
  // `req = request` removed (told as carried whole: only the edit's place decides): a module-level record goes with it,
  // so the records are not moved blind, and the module level is collected afresh
  const from = before.indexOf('req = request');
  const to = before.indexOf('def g');
  const cut = before.slice(0, from) + before.slice(to);
  const two = carried(cut, { start: from, oldEnd: to, newEnd: from });
  assert.equal(two.b.carried, false, 'collected afresh');
  assert.equal(sigs(two.b), sigs(two.fresh));
  two.tree.delete();
  t0.delete();
  p.delete();
});
