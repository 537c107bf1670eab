// Rules that name what their finding stands for (rule.ts `refersTo`) are found by those names in a full analysis
// (nameFinder.ts) instead of by a query over every name: they must find exactly what their query finds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exampleAndFixtureCases, grammar, RULES, settingsFor } from '../helpers';
import { analyze } from '../../server/src/analysis/engine';
import { analyzeDocument, lastFallback } from '../../server/src/analysis/incremental';
import { LineMap } from '../../server/src/analysis/lineMap';
import { DocumentStore } from '../../server/src/lsp/documents';
import { plainFinding } from '../../server/src/workspace/scanCore';
import type { LoadedRule } from '../../server/src/analysis/rule';

/** The same rules, each found by its query. */
const BY_QUERY: LoadedRule[] = RULES.map((r) => ({ ...r, refersTo: undefined }));
const NAMED = new Set(RULES.filter((r) => r.refersTo?.length).map((r) => r.id));

/** A text's findings found by name, after checking they are those found by query. */
function bothWays(g: Awaited<typeof grammar>, text: string, opts: Parameters<typeof analyze>[2], what: string) {
  const named = analyze(g, text, opts, RULES);
  const queried = analyze(g, text, opts, BY_QUERY);
  try {
    const found = named.findings.map(plainFinding);
    assert.deepEqual(found, queried.findings.map(plainFinding), what);
    return found;
  } finally {
    named.dispose();
    queried.dispose();
  }
}

test('the rules found by name are the ones whose query captures any name or attribute', () => {
  assert.ok(NAMED.size >= 3, [...NAMED].join());
  for (const r of RULES.filter((x) => NAMED.has(x.id))) {
    // the finder produces exactly what this pattern captures: a rule with any other query cannot use it
    assert.equal(r.query.replace(/\s+/g, ''), '[(identifier)(attribute)]@finding', r.id);
  }
});

test('on every example file and rule fixture, for every target, finding by name equals finding by query', async () => {
  const g = await grammar;
  let compared = 0;
  let files = 0;
  for await (const { file, text, opts } of exampleAndFixtureCases()) {
    const found = bothWays(g, text, opts, `${file} (${opts.settings.target}, ${opts.settings.ormTarget})`);
    compared += found.filter((f) => NAMED.has(f.rule)).length;
    files++;
  }
  assert.ok(files > 600, `${files} files`);
  assert.ok(compared > 100, `${compared} findings of the rules found by name`);
});

const CASES: { what: string; text: string; rule: string; count: number }[] /* count: at least */ = [
  { what: 'an import alias', text: 'from flask import session as s\n\n\ndef v():\n    s["a"] = 1\n    return s.get("a")\n', rule: 'flask-session', count: 2 },
  { what: 'a module alias and a dotted attribute', text: 'import flask as f\nimport flask.globals\n\n\ndef v():\n    f.g.user = 1\n    return flask.globals.g.user\n', rule: 'flask-g', count: 2 },
  {
    what: 'a local alias, and an alias of an alias',
    text: 'from flask import session\n\n\ndef v():\n    s = session\n    t = s\n    t["a"] = 1\n    return s\n',
    rule: 'flask-session',
    count: 4,
  },
  {
    what: 'a name bound by a call of a function that returns it, in another function',
    text: 'from flask import g\n\n\ndef v():\n    x = store()\n    return x.user\n\n\ndef store():\n    return g\n',
    rule: 'flask-g',
    count: 2,
  },
  {
    what: 'a class-level alias and a nested function',
    text: 'from flask_login import current_user\n\n\nclass V:\n    who = current_user\n\n    def get(self):\n        def inner():\n            u = current_user\n            return u.name\n        return inner()\n',
    rule: 'flask-current-user',
    count: 3,
  },
  {
    what: 'a closure, a class inside a function, an import inside a function',
    text: 'from flask import session\n\n\ndef outer():\n    s = session\n\n    def inner():\n        return s["a"]\n\n    class Local:\n        held = s\n        again = held\n\n    return inner, Local\n\n\ndef late():\n    from flask import session as later\n    return later.get("b")\n',
    rule: 'flask-session',
    count: 5,
  },
];

const LOOK_ALIKES: { what: string; text: string }[] = [
  // names spelled like Flask's in strings, comments, attributes of other objects, parameters and rebindings
  {
    what: 'strings, comments, other objects',
    text: 'from flask import Flask\n\napp = Flask(__name__)\n\n\ndef v(request):\n    # session and g are not used here\n    x = "session g current_user"\n    return request.session, x.g, app.current_user\n',
  },
  { what: 'a parameter named like them', text: 'from flask import session\n\n\ndef v(session, g):\n    return session["a"], g.user\n' },
  { what: 'a local rebinding', text: 'from flask import g\n\n\ndef v():\n    g = object()\n    return g\n' },
];

for (const target of ['django', 'fastapi'] as const) {
  test(`aliases are found by name as by query (${target})`, async () => {
    const g = await grammar;
    const settings = settingsFor(target);
    for (const c of CASES) {
      const got = bothWays(g, c.text, { settings, path: 'app.py' }, c.what);
      assert.ok(got.filter((f) => f.rule === c.rule).length >= c.count, `${c.what}: ${JSON.stringify(got.map((f) => [f.rule, c.text.slice(f.start, f.end)]))}`);
    }
  });
}

test('look-alike names are not flagged, by name or by query', async () => {
  const g = await grammar;
  const settings = settingsFor('django');
  for (const c of LOOK_ALIKES) {
    const found = bothWays(g, c.text, { settings, path: 'app.py' }, c.what);
    assert.deepEqual(found.filter((f) => NAMED.has(f.rule)).map((f) => c.text.slice(f.start, f.end)), [], c.what);
  }
});

test('a star import falls back to the query, and an edit (an incremental run) queries its roots', async () => {
  const g = await grammar;
  const settings = settingsFor('django');
  const star = 'from flask import *\n\n\ndef v():\n    return session["a"], g.user\n';
  const a = analyze(g, star, { settings, path: 'app.py' }, RULES);
  assert.deepEqual(
    a.findings.filter((f) => NAMED.has(f.rule)).map((f) => f.rule),
    ['flask-session', 'flask-g'],
  );
  a.dispose();
  let before = 'from flask import g\n';
  for (let i = 0; i < 30; i++) before += `\n\ndef v${i}():\n    return ${i === 15 ? 1 : 'g.user'}\n`;
  const store = new DocumentStore(g);
  const uri = 'file:///app.py';
  store.open(uri, 'python', 1, before);
  const first = analyzeDocument(g, store.get(uri)!, { settings, path: 'app.py' }, RULES);
  const lm = LineMap.of(before);
  const at = before.indexOf('return 1\n') + 'return '.length;
  store.change(uri, 2, [{ range: { start: lm.position(at), end: lm.position(at + 1) }, text: 'g.user' }]);
  const next = analyzeDocument(g, store.get(uri)!, { settings, path: 'app.py' }, RULES, first);
  assert.equal(lastFallback, '', 'the edit is analyzed incrementally');
  const full = analyze(g, store.get(uri)!.text, { settings, path: 'app.py' }, RULES);
  assert.deepEqual(next.findings.map(plainFinding), full.findings.map(plainFinding));
  assert.ok(next.findings.some((f) => f.rule === 'flask-g'));
  first.dispose();
  next.dispose();
  store.dispose();
  full.dispose();
});
