// Incremental analysis (server/src/analysis/incremental.ts): after random edits of a Flask module, the incremental
// result deep-equals a full analysis of the same text (findings with fixable/safe, markers), and most edits inside
// view bodies are in fact incremental.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { grammar, pythonFilesUnder, RULES, settingsFor } from '../helpers';
import { analyze, moduleSignatures, type Analysis } from '../../server/src/analysis/engine';
import { dependencyNodes, dependencySpans } from '../../server/src/analysis/bindings';
import { analyzeDocument, calledNames, Calls, lastFallback, lastRoots, statementsIn } from '../../server/src/analysis/incremental';
import type { Node } from '../../server/src/parsing/python';
import { LineMap } from '../../server/src/analysis/lineMap';
import { DocumentStore } from '../../server/src/lsp/documents';
import { scanWorkspace } from '../../server/src/workspace/scan';
import { plainFinding } from '../../server/src/workspace/scanCore';

const BLOG = path.resolve(__dirname, '../../examples/flask-blog');

function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function fixture(): string {
  let out = '';
  ['api.py', 'auth.py', 'posts.py', 'api.py'].forEach((f, k) => {
    out += fs.readFileSync(path.join(BLOG, 'blog', f), 'utf8').replace(/def (\w+)\(/g, `def $1_${k}(`) + '\n';
  });
  return out;
}

/** Classes: the models (class-rooted column rules) and the views' functions as methods of a class (twice). */
function classFixture(): string {
  const read = (f: string) => fs.readFileSync(path.join(BLOG, 'blog', f), 'utf8');
  const methods = (f: string, k: number) => {
    const src = read(f).replace(/def (\w+)\(/g, `def $1_${k}(`);
    const body = src.slice(src.search(/^(@|def )/m));
    const imports = src.slice(0, src.search(/^(@|def )/m));
    return `${imports}\n\nclass Views${k}:\n${body.replace(/^(?=.)/gm, '    ')}\n`;
  };
  return `${read('models.py')}\n${methods('posts.py', 0)}\n${read('models.py').replace(/class (\w+)\(/g, 'class $1Copy(')}\n${methods('api.py', 1)}`;
}

const SNIPPETS = [
  'x', ' ', '(', ')', '"', '\n', 'request', '.args', '\n        y = request.form["a"]\n', '\n    return jsonify(a=1)\n',
  '        value = request.args.get("q", type=int)  # pasted\n', '# TODO(port): later [flask-request-args]\n', 'import flask\n',
  '@bp.route("/z")\n', 'session["k"] = 1', 'db.session.commit()', '',
];

// FP_EDITS=1000 for a longer run; the last case leaves its edits in place, so unclosed brackets pile up and top-level
// ERRORs swallow much of the file (the statements inside them are re-queried one by one)
const EDITS = Number(process.env.FP_EDITS ?? 50);
// (largeRoot 0: every root of an edit is queried in the units the statement filter keeps inside it, engine.ts rootUnits)
for (const [target, seed, undoRate, classes, largeRoot] of [['django', 7, 0.5, false, undefined], ['fastapi', 11, 0.5, false, undefined], ['django', 23, 0, false, undefined], ['django', 5, 0.5, true, undefined], ['fastapi', 3, 0.3, true, undefined], ['django', 13, 0.5, true, 0], ['fastapi', 17, 0.2, false, 0]] as const) {
  test(`incremental analysis equals a full analysis after random edits (${target}, seed ${seed}${undoRate ? '' : ', never undone'}${classes ? ', classes' : ''}${largeRoot === 0 ? ', every root filtered' : ''})`, async () => {
    const g = await grammar;
    const settings = settingsFor(target);
    const { index } = await scanWorkspace(BLOG, { settings, threads: 1 });
    // (each reparse is compared with a fresh parse: the edits tree-sitter is told of are widened, documents.ts)
    const problems: string[] = [];
    const store = new DocumentStore(g, (_uri, p) => problems.push(p));
    const uri = 'file:///t/blog/big.py';
    const rel = 'blog/big.py';
    store.open(uri, 'python', 1, classes ? classFixture() : fixture());
    const random = rng(seed);
    let prev: Analysis | undefined = analyzeDocument(g, store.get(uri)!, { settings, path: rel, index, largeRoot }, RULES);
    let incremental = 0;
    let undo: { start: number; end: number; text: string } | undefined;
    const N = EDITS;
    for (let i = 0; i < N; i++) {
      // random edits, every other one undone soon after (so the file is not left broken for good);
      // sometimes two didChanges before an analysis
      const rounds = random() < 0.2 ? 2 : 1;
      for (let r = 0; r < rounds; r++) {
        const cur = store.get(uri)!.text;
        const lm = new LineMap(cur);
        let at: number;
        let end: number;
        let text: string;
        if (undo && random() < undoRate) {
          ({ start: at, end, text } = undo);
          undo = undefined;
        } else {
          at = Math.floor(random() * cur.length);
          end = Math.min(cur.length, at + (random() < 0.25 ? Math.floor(random() * 12) : 0));
          text = SNIPPETS[Math.floor(random() * SNIPPETS.length)];
          undo = { start: at, end: at + text.length, text: cur.slice(at, end) };
        }
        store.change(uri, i * 3 + r + 2, [{ range: { start: lm.position(at), end: lm.position(end) }, text }]);
      }
      const d = store.get(uri)!;
      const inc = analyzeDocument(g, d, { settings, path: rel, index, largeRoot }, RULES, prev);
      if (!lastFallback) incremental++;
      const ref = analyze(g, d.text, { settings, path: rel, index, tree: d.tree ?? undefined }, RULES);
      assert.deepEqual(inc.findings.map(plainFinding), ref.findings.map(plainFinding), `edit ${i}: ${lastFallback || 'incremental'}`);
      assert.deepEqual(inc.markers, ref.markers);
      assert.deepEqual(inc.needleCounts, ref.needleCounts, 'needle counts carried over by the edits');
      // the module level, carried over or collected again in part, is what a full collection gives
      assert.deepEqual(moduleSignatures(inc.bindings), moduleSignatures(ref.bindings), `edit ${i}: module-level bindings`);
      // what a binding depends on, read by offsets (a carried-over binding's nodes are not looked for), is where its nodes are
      for (const list of inc.bindings.module.bindings.values()) {
        for (const b of list) assert.deepEqual(dependencySpans(b).map(({ start, end }) => [start, end]), dependencyNodes(b).map((n) => [n.startIndex, n.endIndex]), `edit ${i}: ${b.name}'s dependencies`);
      }
      const defs = (a: Analysis) => a.bindings.snapshot().scopes.map((sc) => `${sc.kind}@${sc.start}-${sc.end}`).sort();
      assert.deepEqual(defs(inc), defs(ref), `edit ${i}: module-level definitions`);
      // the fixes are the same too
      const k = inc.findings.findIndex((f) => f.fixable);
      if (k >= 0) assert.deepEqual(inc.fix(k)?.edits, ref.fix(k)?.edits);
      ref.dispose();
      prev?.dispose();
      prev = inc;
    }
    prev?.dispose();
    store.dispose();
    assert.deepEqual(problems, []);
    assert.ok(incremental > N / 3, `${incremental} of ${N} edits were incremental`);
  });
}

test('findings in text an edit leaves outside every statement (the rest of a file after an unclosed string) are dropped', async () => {
  const g = await grammar;
  const settings = settingsFor('fastapi');
  const { index } = await scanWorkspace(BLOG, { settings, threads: 1 });
  const text = fixture();
  let checked = 0;
  // each place a line starts, in turn: an unclosed string or bracket typed there, then removed
  const starts = [...text.matchAll(/\n(?=\S)/g)].map((m) => m.index! + 1).filter((_, i) => i % 7 === 3);
  for (const typed of ['"""', '"', '(', "'''x"]) {
    for (const at of starts.slice(0, 12)) {
      const store = new DocumentStore(g);
      const uri = 'file:///t/blog/big.py';
      store.open(uri, 'python', 1, text);
      let prev = analyzeDocument(g, store.get(uri)!, { settings, path: 'blog/big.py', index }, RULES);
      const lm = new LineMap(text);
      for (const change of [{ range: { start: lm.position(at), end: lm.position(at) }, text: typed }, { range: { start: lm.position(at), end: lm.position(at + typed.length) }, text: '' }]) {
        store.change(uri, 2 + checked, [change]);
        const d = store.get(uri)!;
        const inc = analyzeDocument(g, d, { settings, path: 'blog/big.py', index }, RULES, prev);
        const ref = analyze(g, d.text, { settings, path: 'blog/big.py', index, tree: d.tree ?? undefined }, RULES);
        assert.deepEqual(inc.findings.map((f) => `${f.rule}@${f.start}`), ref.findings.map((f) => `${f.rule}@${f.start}`), `${JSON.stringify(typed)} at ${at}: ${lastFallback || 'incremental'}`);
        ref.dispose();
        prev.dispose();
        prev = inc;
        checked++;
      }
      prev.dispose();
      store.dispose();
    }
  }
  assert.ok(checked >= 90);
});

test('a syntax error typed and then mended: the mend is analyzed from the analysis before the error, as a full analysis would', async () => {
  const g = await grammar;
  const settings = settingsFor('fastapi');
  const { index } = await scanWorkspace(BLOG, { settings, threads: 1 });
  let mends = 0;
  let incremental = 0;
  let errors = 0;
  for (const text of [fixture(), classFixture()]) {
    const lm = new LineMap(text);
    // a character typed into an indented line's indentation and deleted; an unclosed bracket after `request`, closed
    // after it (`request()`: a new text, not the one before the error)
    const indented = [...text.matchAll(/\n {4,}(?=\S)/g)].map((m) => m.index! + 3).filter((_, i) => i % 9 === 4).slice(0, 10);
    const calls = [...text.matchAll(/\brequest(?=\.)/g)].map((m) => m.index! + m[0].length).filter((_, i) => i % 5 === 2).slice(0, 10);
    const cases: { at: number; typed: string; removed?: number }[][] = [...indented.map((at) => [{ at, typed: 'b' }, { at, typed: '', removed: 1 }]), ...calls.map((at) => [{ at, typed: '(' }, { at: at + 1, typed: ')' }])];
    for (const steps of cases) {
      const store = new DocumentStore(g);
      const uri = 'file:///t/blog/big.py';
      store.open(uri, 'python', 1, text);
      let prev = analyzeDocument(g, store.get(uri)!, { settings, path: 'blog/big.py', index }, RULES);
      let version = 1;
      for (const { at, typed, removed = 0 } of steps) {
        const cur = store.get(uri)!.text;
        const m = LineMap.of(cur);
        store.change(uri, ++version, [{ range: { start: m.position(at), end: m.position(at + removed) }, text: typed }]);
        const d = store.get(uri)!;
        const inc = analyzeDocument(g, d, { settings, path: 'blog/big.py', index }, RULES, prev);
        const ref = analyze(g, d.text, { settings, path: 'blog/big.py', index, tree: d.tree ?? undefined }, RULES);
        assert.deepEqual(inc.findings.map(plainFinding), ref.findings.map(plainFinding), `${JSON.stringify(typed)} at ${lm.position(at).line}: ${lastFallback || 'incremental'}`);
        if (d.tree!.rootNode.hasError) errors++;
        else if (typed !== 'b' && typed !== '(') {
          mends++;
          if (!lastFallback) incremental++;
        }
        ref.dispose();
        prev.dispose();
        prev = inc;
      }
      prev.dispose();
      store.dispose();
    }
  }
  assert.ok(errors >= 20, `${errors} errors`);
  assert.equal(incremental, mends, `${incremental} of ${mends} mends incremental`);
});

test('an edit inside a module-rooted pattern (db.Table) keeps its finding, as a full analysis does', async () => {
  const g = await grammar;
  const settings = settingsFor('django');
  const text = fs.readFileSync(path.resolve(__dirname, '../../server/src/rules/flask-sqlalchemy/fsa-table/fixtures/before.py'), 'utf8');
  const store = new DocumentStore(g);
  const uri = 'file:///t/models.py';
  store.open(uri, 'python', 1, text);
  const prev = analyzeDocument(g, store.get(uri)!, { settings, path: 'models.py' }, RULES);
  assert.ok(prev.findings.some((f) => f.rule === 'fsa-table'));
  // edit inside the db.Table(...) statement: a space after its first comma
  const at = text.indexOf('db.Table(');
  const comma = text.indexOf(',', at);
  const lm = new LineMap(text);
  store.change(uri, 2, [{ range: { start: lm.position(comma + 1), end: lm.position(comma + 1) }, text: ' ' }]);
  const d = store.get(uri)!;
  const inc = analyzeDocument(g, d, { settings, path: 'models.py' }, RULES, prev);
  const ref = analyze(g, d.text, { settings, path: 'models.py', tree: d.tree ?? undefined }, RULES);
  assert.deepEqual(inc.findings.map(plainFinding), ref.findings.map(plainFinding), lastFallback || 'incremental');
  assert.ok(inc.findings.some((f) => f.rule === 'fsa-table'));
  ref.dispose();
  inc.dispose();
  prev.dispose();
  store.dispose();
});

test('a module-level name that changes re-queries the code reading it, not the keyword arguments or comprehension variables that share its name', async () => {
  const g = await grammar;
  const settings = settingsFor('django');
  const view = (i: number, kw: string) => `@app.route("/v${i}")\ndef view_${i}():\n    page = request.args.get("page")\n    titles = [posts.title for posts in page]\n    return render_template("v.html", ${kw}, page=page, titles=titles)\n\n\n`;
  let text = 'from flask import Flask, render_template, request\n\napp = Flask(__name__)\nposts = []\n\n\n';
  for (let i = 0; i < 12; i++) text += view(i, 'posts=page');
  const reads = text.length;
  text += view(12, 'posts=posts'); // reads the module's posts
  const store = new DocumentStore(g);
  const uri = 'file:///t/views.py';
  store.open(uri, 'python', 1, text);
  const prev = analyzeDocument(g, store.get(uri)!, { settings, path: 'views.py' }, RULES);
  // `posts = []` → `postsx = []`: `posts` is bound no more
  const at = text.indexOf('posts = []') + 'posts'.length;
  const lm = new LineMap(text);
  store.change(uri, 2, [{ range: { start: lm.position(at), end: lm.position(at) }, text: 'x' }]);
  const d = store.get(uri)!;
  const inc = analyzeDocument(g, d, { settings, path: 'views.py' }, RULES, prev);
  assert.equal(lastFallback, '', 'incremental');
  const requeried = lastRoots.map((r) => d.text.slice(r.start, r.end).split('\n')[0]);
  assert.deepEqual(requeried, ['postsx = []', '@app.route("/v12")'], 'the edited statement and the one view that reads posts');
  assert.ok(lastRoots.every((r) => r.start < text.indexOf('@app.route') || r.start >= reads), 'no view that only passes posts= or iterates with posts is queried again');
  const ref = analyze(g, d.text, { settings, path: 'views.py', tree: d.tree ?? undefined }, RULES);
  assert.deepEqual(inc.findings.map(plainFinding), ref.findings.map(plainFinding));
  ref.dispose();
  inc.dispose();
  prev.dispose();
  store.dispose();
});

/**
 * A module analyzed, then changed by `edits` (each a text inserted after the first occurrence of a string, from `after`
 * on, one didChange each) and analyzed incrementally, beside a full analysis of the same tree.
 */
async function afterEdits(text: string, path: string, edits: { at: string; after?: string; insert: string }[]) {
  const g = await grammar;
  const settings = settingsFor('django');
  const store = new DocumentStore(g);
  const uri = `file:///t/${path}`;
  store.open(uri, 'python', 1, text);
  const prev = analyzeDocument(g, store.get(uri)!, { settings, path }, RULES);
  for (const e of edits) {
    const cur = store.get(uri)!.text;
    const at = cur.indexOf(e.at, e.after ? cur.indexOf(e.after) : 0) + e.at.length;
    const lm = new LineMap(cur);
    store.change(uri, store.get(uri)!.version + 1, [{ range: { start: lm.position(at), end: lm.position(at) }, text: e.insert }]);
  }
  const d = store.get(uri)!;
  const inc = analyzeDocument(g, d, { settings, path }, RULES, prev);
  const fallback = lastFallback;
  const roots = lastRoots;
  const ref = analyze(g, d.text, { settings, path, tree: d.tree ?? undefined }, RULES);
  return {
    prev,
    d,
    inc,
    ref,
    fallback,
    roots,
    dispose() {
      ref.dispose();
      inc.dispose();
      prev.dispose();
      store.dispose();
    },
  };
}

const FILLERS = Array.from({ length: 12 }, (_, i) => `\n\ndef filler_${i}(a, b):\n    total = a + b\n    return total * ${i}\n`).join('');

test('a module-level name changed with an edit in a nested function that reads it in its decorator and body: as a full analysis', async () => {
  const text = 'from flask import Flask, request\n\napp = Flask(__name__)\nreq = request\n\n\ndef outer():\n    @cache(req.args.get("q"))\n    def helper():\n        return req.args.get("r")  # note\n    return helper\n' + FILLERS;
  const decorator = text.indexOf('req.args.get("q")');
  // two changes before the analysis: one in helper's body (helper is to be queried again), then `req` renamed
  const r = await afterEdits(text, 'nested.py', [
    { at: '# note', insert: 'x' },
    { at: '\nreq', insert: 'x' },
  ]);
  assert.ok(r.prev.findings.some((f) => f.start === decorator), 'the decorator reads request.args through req');
  assert.equal(r.fallback, '', 'incremental');
  assert.deepEqual(r.inc.findings.map(plainFinding), r.ref.findings.map(plainFinding));
  assert.ok(!r.inc.findings.some((f) => f.start === decorator), 'req is bound no more');
  r.dispose();
});

test('an edit in a function re-finds what rules found by name find there as attributes (flask.g, flask.session) and as names', async () => {
  const fn = (i: number) => `\n\ndef view_${i}():\n    flask.g.user = load(${i})  # note\n    flask.session["k"] = g.other\n    return other.g.session\n`;
  const text = 'import flask\nfrom flask import g\n' + Array.from({ length: 12 }, (_, i) => fn(i)).join('');
  const r = await afterEdits(text, 'byname.py', [{ at: '# note', after: 'def view_5', insert: 'x' }]);
  assert.equal(r.fallback, '', 'incremental');
  assert.equal(r.roots.length, 1, 'view_5 alone is queried again');
  const t = r.d.text;
  const inView5 = (f: { start: number }) => f.start > t.indexOf('def view_5') && f.start < t.indexOf('def view_6');
  const found = r.inc.findings.filter(inView5).map((f) => `${f.rule} ${t.slice(f.start, f.end)}`);
  assert.ok(found.includes('flask-g flask.g') && found.includes('flask-session flask.session') && found.includes('flask-g g'), found.join('; '));
  assert.ok(!found.some((f) => f.endsWith('other.g') || f.endsWith('other.g.session')), 'an attribute of another object is none of them');
  assert.deepEqual(r.inc.findings.map(plainFinding), r.ref.findings.map(plainFinding));
  r.dispose();
});

test('what a module-level function binds is carried over while no edit touches it: a changed module-level name it binds is passed over there', async () => {
  const g = await grammar;
  const settings = settingsFor('django');
  const text = 'import flask\n\nrequest = flask.request\n\n\ndef view():\n    request = make()\n    return request.args\n\n\ndef other():\n    return request.form\n\n\ndef nested():\n    def inner():\n        return request.args\n    return inner\n\n\ndef comp():\n    request = make()\n    return [request.args for _ in range(3)]\n\n\ndef words():\n    return "request.args"\n' + Array.from({ length: 12 }, (_, i) => `\n\ndef filler_${i}(a, b):\n    total = a + b\n    return total * ${i}\n`).join('');
  const store = new DocumentStore(g);
  const uri = 'file:///t/local.py';
  store.open(uri, 'python', 1, text);
  let prev = analyzeDocument(g, store.get(uri)!, { settings, path: 'local.py' }, RULES);
  const localsOf = (a: Analysis, fn: string) => {
    const sc = a.bindings.snapshot().scopes.find((s) => a.text.startsWith(`def ${fn}(`, s.start));
    return sc?.locals && [...sc.locals].sort();
  };
  // (collected by the full analysis: `request.args` resolves there)
  assert.deepEqual(localsOf(prev, 'view'), ['request']);
  assert.deepEqual(localsOf(prev, 'other'), []);
  // (a function defining one inside it keeps its own names: what the inner one binds is the inner one's)
  assert.deepEqual(localsOf(prev, 'nested'), ['inner']);
  // (a comprehension reads the names of the function around it: its `request` is the function's, not the module's)
  assert.deepEqual(localsOf(prev, 'comp'), ['request']);
  assert.equal(localsOf(prev, 'words'), undefined, 'nothing to resolve there: not collected');
  const edit = (from: string, insert: string) => {
    const cur = store.get(uri)!.text;
    const at = cur.indexOf(from) + from.length;
    const lm = new LineMap(cur);
    store.change(uri, store.get(uri)!.version + 1, [{ range: { start: lm.position(at), end: lm.position(at) }, text: insert }]);
    const d = store.get(uri)!;
    const inc = analyzeDocument(g, d, { settings, path: 'local.py' }, RULES, prev);
    assert.equal(lastFallback, '', `${from}: incremental`);
    const ref = analyze(g, d.text, { settings, path: 'local.py', tree: d.tree ?? undefined }, RULES);
    assert.deepEqual(inc.findings.map(plainFinding), ref.findings.map(plainFinding), `${from}: the findings of a full analysis`);
    ref.dispose();
    prev.dispose();
    prev = inc;
    return { d, requeried: lastRoots.map((r) => d.text.slice(r.start, r.end).split('\n')[0]) };
  };
  // the module-level `request` changes: `other` and `nested` read it, `view` and `comp` bind their own
  const { d, requeried } = edit('flask.request', 'x');
  assert.deepEqual(requeried, ['request = flask.requestx', 'def other():', 'def inner():']);
  assert.ok(prev.bindings.bindsLocally(d.text.indexOf('[request.args') + 1, 'request'), 'in the comprehension');
  assert.ok(!prev.bindings.bindsLocally(d.text.indexOf('        return request.args') + 15, 'request'), 'in the inner function');
  // (the name in a string is no reference: passed over before its function is collected)
  assert.equal(localsOf(prev, 'words'), undefined, 'a function naming it in a string only is not collected');
  assert.deepEqual(localsOf(prev, 'view'), ['request'], 'carried over');
  const inView = d.text.indexOf('return request.args') + 'return '.length;
  assert.ok(prev.bindings.bindsLocally(inView, 'request'));
  assert.ok(!prev.bindings.bindsLocally(inView, 'flask'));
  assert.ok(!prev.bindings.bindsLocally(d.text.indexOf('return request.form') + 'return '.length, 'request'));
  // an edit in `view` drops what it knew: it binds `requestx` now, and reads the module's `request`
  edit('    request', 'x');
  assert.notDeepEqual(localsOf(prev, 'view'), ['request']);
  assert.ok(!prev.bindings.bindsLocally(prev.text.indexOf('return request.args') + 'return '.length, 'request'));
  const { requeried: again } = edit('flask.requestx', 'y');
  assert.ok(again.includes('def view():'), 'view reads the changed name now');
  prev.dispose();
  store.dispose();
});

test('a finding after an edit on its own line (two statements on one line) is carried with its new character', async () => {
  const g = await grammar;
  const settings = settingsFor('django');
  // the edits touch the first statement of the line only: the second one's finding is carried over, not re-found;
  // with LF and with CRLF line ends (the last edits split a CRLF into a lone CR and an LF, and join them again)
  for (const eol of ['\n', '\r\n']) {
    const text = ['from flask import request', '', 'x = 1; q = request.args', 'y = 2', 'z = request.form', ''].join(eol);
    const store = new DocumentStore(g);
    const uri = 'file:///t/one_line.py';
    store.open(uri, 'python', 1, text);
    let prev = analyzeDocument(g, store.get(uri)!, { settings, path: 'one_line.py' }, RULES);
    assert.equal(prev.findings.filter((f) => f.rule.startsWith('flask-request')).length, 2);
    let version = 1;
    let incremental = 0;
    const edits: [string, string, number][] = [['x = 1', '0', 0], ['x = 10', ' ', 0], ['y = 2', `${eol}${eol}`, 0], ['x = 10 ', `# a comment${eol}w = 3;`, 0]];
    if (eol === '\r\n') edits.push(['y = 2\r', 'a', 0], ['y = 2\r', '', 1]);
    for (const [find, insert, remove] of edits) {
      const cur = store.get(uri)!.text;
      const at = cur.indexOf(find) + find.length;
      const lm = new LineMap(cur);
      store.change(uri, ++version, [{ range: { start: lm.position(at), end: lm.position(at + remove) }, text: insert }]);
      const d = store.get(uri)!;
      const inc = analyzeDocument(g, d, { settings, path: 'one_line.py' }, RULES, prev);
      if (!lastFallback) incremental++;
      const ref = analyze(g, d.text, { settings, path: 'one_line.py', tree: d.tree ?? undefined }, RULES);
      assert.deepEqual(inc.findings.map(plainFinding), ref.findings.map(plainFinding), `${JSON.stringify(eol)}, after ${JSON.stringify(insert)}: ${lastFallback || 'incremental'}`);
      ref.dispose();
      prev.dispose();
      prev = inc;
    }
    assert.ok(incremental >= edits.length - 1, `${incremental} of ${edits.length} incremental`);
    prev.dispose();
    store.dispose();
  }
});

test('an incremental analysis does not keep the analyses before it alive', async () => {
  // (a closure made where the module level is carried over kept that call's scope, the edit's offset map and through
  // it the previous analysis: every analysis since the last full collection stayed in memory)
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  const g = await grammar;
  const settings = settingsFor('django');
  const store = new DocumentStore(g);
  const uri = 'file:///t/blog/big.py';
  store.open(uri, 'python', 1, fixture());
  let prev = analyzeDocument(g, store.get(uri)!, { settings, path: 'blog/big.py' }, RULES);
  const first = new WeakRef(prev);
  const body = store.get(uri)!.text.indexOf('    return ');
  for (let i = 0; i < 6; i++) {
    const lm = new LineMap(store.get(uri)!.text);
    store.change(uri, i + 2, [{ range: { start: lm.position(body), end: lm.position(body) }, text: ' ' }]);
    const next = analyzeDocument(g, store.get(uri)!, { settings, path: 'blog/big.py' }, RULES, prev);
    assert.equal(lastFallback, '', `edit ${i} is incremental`);
    assert.ok(next.bindings.carried, `edit ${i} carries the module level over`);
    prev.dispose();
    prev = next;
  }
  // (a WeakRef holds its target until the current job ends; and under load a collection right after the edits can
  // still find it held by work the engine has not finished, such as an optimizing compile: a leak survives them all)
  for (let k = 0; k < 10 && first.deref() !== undefined; k++) {
    await new Promise((r) => setTimeout(r, 20));
    gc();
  }
  assert.equal(first.deref(), undefined, 'the first analysis is still reachable');
  prev.dispose();
  store.dispose();
});

test('the called names found in one pass are those a search for each name finds', async () => {
  const files = [...pythonFilesUnder(path.join(__dirname, '../../examples')), ...pythonFilesUnder(path.join(__dirname, '../../server/src/rules'))];
  let compared = 0;
  let called = 0;
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8') + '\nx.attr_call(1)\ndef defined_only (a):\n    pass\nüber (2)\n';
    const all = calledNames(text);
    for (const name of new Set(text.match(/[\p{L}_][\p{L}\p{N}_]*/gu) ?? [])) {
      assert.equal(all.has(name), new Calls(text).has(name), `${name} in ${file}`);
      compared++;
      if (all.has(name)) called++;
    }
    assert.ok(!all.has('attr_call') && !all.has('defined_only') && all.has('über'));
  }
  assert.ok(compared > 5000 && called > 500, `${compared} names, ${called} called`);
});

test('the called names found from each bracket are those a regular expression over the whole text finds', () => {
  // (the one-pass search before: a regular expression for a name, spaces and a bracket)
  const byRegex = (text: string) => {
    const out = new Set<string>();
    for (const m of text.matchAll(/([\p{L}_][\p{L}\p{N}_]*)\s*\(/gu)) {
      const i = m.index;
      if (i > 0 && /[\p{L}\p{N}_.]/u.test(text[i - 1])) continue;
      if (/\bdef\s+$/.test(text.slice(Math.max(0, i - 16), i))) continue;
      out.add(m[1]);
    }
    return out;
  };
  const random = rng(19);
  const pieces = ['f', 'g2', '_h', '1', '9x', '.', ' ', '\t', '\n', '\r\n', '\u00a0', '\u2028', '(', '((', ')', 'def ', 'def', 'über', 'ü', '𝑥', '𝟘', '🙂', 'x.y', '"s("', '#', ':', ',', 'a_b'];
  let names = 0;
  for (let k = 0; k < 3000; k++) {
    let text = '';
    for (let n = Math.floor(random() * 24); n > 0; n--) text += pieces[Math.floor(random() * pieces.length)];
    const want = [...byRegex(text)].sort();
    assert.deepEqual([...calledNames(text)].sort(), want, JSON.stringify(text));
    names += want.length;
  }
  for (const file of pythonFilesUnder(path.join(__dirname, '../../examples'))) {
    const text = fs.readFileSync(file, 'utf8');
    assert.deepEqual([...calledNames(text)].sort(), [...byRegex(text)].sort(), file);
  }
  assert.ok(names > 1000, `${names} names called`);
});

test('the statements an edited span touches are those of the module (a top-level ERROR flattened) that share a point with it', async () => {
  // on fresh trees and on trees reparsed after edits (tree-sitter's error recovery shapes those differently)
  const g = await grammar;
  const flat = (n: Node): Node[] => n.namedChildren.flatMap((c) => (!c ? [] : c.type === 'ERROR' ? flat(c) : [c]));
  const key = (list: Node[]) => list.map((st) => `${st.type}@${st.startIndex}-${st.endIndex}`);
  const random = rng(5);
  const texts = [
    ...pythonFilesUnder(path.join(__dirname, '../../examples')).map((f) => fs.readFileSync(f, 'utf8')),
    fixture(),
    // non-ASCII before the statements (offsets are UTF-16 units), and an unclosed bracket: the rest is one ERROR
    '# é ü 🙂\nimport flask\nx = ("ü"\n\ndef f():\n    return flask.g\n\ny = 2\n',
    'from flask import g\n\n\nclass A(:\n    def m(self):\n        return g\n\nz = [1,\n',
  ];
  let spans = 0;
  let withError = 0;
  const store = new DocumentStore(g);
  texts.forEach((text, t) => {
    const uri = `file:///statements/${t}.py`;
    store.open(uri, 'python', 1, text);
    for (let edit = 0; edit <= 40; edit++) {
      const doc = store.get(uri)!;
      const root = doc.tree!.rootNode;
      const all = flat(root);
      if (root.namedChildren.some((c) => c?.type === 'ERROR')) withError++;
      for (let k = 0; k < 12; k++) {
        const s = Math.floor(random() * (doc.text.length + 1));
        const e = Math.min(doc.text.length, s + Math.floor(random() * (k % 4 === 0 ? doc.text.length : 40)));
        const touch = (st: Node) => st.startIndex <= e && st.endIndex >= s;
        assert.deepEqual(key(statementsIn(root, s, e)), key(all.filter(touch)), `text ${t}, edit ${edit}, [${s}, ${e}]`);
        // (the module's own children, an ERROR as one)
        assert.deepEqual(key(statementsIn(root, s, e, false)), key(root.namedChildren.filter((c): c is Node => !!c && touch(c))), `text ${t}, edit ${edit}, [${s}, ${e}], unflattened`);
        spans++;
      }
      // a character typed somewhere (often one that breaks the indentation or a bracket)
      const lm = new LineMap(doc.text);
      const at = lm.position(Math.floor(random() * doc.text.length));
      store.change(uri, edit + 2, [{ range: { start: at, end: at }, text: ' ()\nab:'[Math.floor(random() * 7)] }]);
    }
    store.close(uri);
  });
  store.dispose();
  assert.ok(spans > 3000 && withError > 100, `${spans} spans, ${withError} trees with a top-level ERROR`);
});
