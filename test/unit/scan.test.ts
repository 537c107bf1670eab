// The workspace scanner: same findings as analyzing each file with the full index, a cache that is exact, a
// prefilter that never drops a finding, cancellation, and identical results on one or two threads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { grammar, RULES, settingsFor } from '../helpers';
import { forgetFolderListings, scanWorkspace, type ScanResult } from '../../server/src/workspace/scan';
import { DEFAULT_SELECTION } from '../../server/src/workspace/files';
import { loadProject, analyzeFile } from '../../server/src/workspace/project';
import { plainFinding } from '../../server/src/workspace/scanCore';
import { textImports } from '../../server/src/workspace/prefilter';
import { Pool } from '../../server/src/workspace/pool';
import { closeKeptPool } from '../../server/src/workspace/keptPool';
import { spawnSync } from 'node:child_process';
import { cacheFile, flushCacheWrites, loadCache, sha1 } from '../../server/src/workspace/cache';
import * as crypto from 'node:crypto';
import { ModuleIndex, moduleNameFor, type ModuleSummary } from '../../server/src/analysis/moduleIndex';

const ROOT = path.resolve(__dirname, '../..');
const BLOG = path.join(ROOT, 'examples/flask-blog');
const EXAMPLES = path.join(ROOT, 'examples');

function tmpdir(prefix: string) {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

function copyDir(from: string, to: string) {
  fs.cpSync(from, to, { recursive: true });
}

/** rel → findings, for comparing runs */
function byFile(r: ScanResult) {
  const out: Record<string, unknown> = {};
  for (const f of r.files) if (f.findings.length) out[f.rel] = f.findings;
  return out;
}

function allFiles(r: ScanResult) {
  return Object.fromEntries(r.files.map((f) => [f.rel, { findings: f.findings, markers: f.markers, hash: f.hash }]));
}

/** Synthetic project: framework objects reached through relative, absolute, star, aliased and late imports. */
function synthetic(dir: string, copies = 1) {
  const w = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  };
  for (let i = 0; i < copies; i++) {
    const p = `pkg${i}`;
    w(`${p}/__init__.py`, 'from .app import create_app\n');
    w(`${p}/extensions.py`, 'from flask_sqlalchemy import SQLAlchemy\nfrom flask_login import LoginManager\ndb = SQLAlchemy()\nlogin = LoginManager()\n');
    w(`${p}/reexport.py`, `from .extensions import db as database\nfrom ${p}.extensions import login\n`);
    w(`${p}/models.py`, 'from .reexport import database\n\nclass User(database.Model):\n    id = database.Column(database.Integer, primary_key=True)\n    name = database.Column(database.String(80))\n');
    // no framework import at all: only the project's models
    w(`${p}/queries.py`, `from ${p}.models import User\nfrom .reexport import database\n\ndef find(n):\n    u = User.query.filter_by(name=n).first()\n    database.session.add(u)\n    database.session.commit()\n    return u\n`);
    w(`${p}/star.py`, 'from .extensions import *\n\ndef save(x):\n    db.session.add(x)\n    db.session.commit()\n');
    w(`${p}/app.py`, 'from flask import (\n    Flask,\n    jsonify as j,\n    request,\n)\n\ndef create_app():\n    app = Flask(__name__)\n\n    @app.route("/x/<int:n>", methods=["POST"])\n    def x(n):\n        return j(n=request.args.get("q"))\n    return app\n');
    w(`${p}/late.py`, 'def view():\n    import flask as f\n    return f.redirect(f.url_for("a"))\n');
    w(`${p}/cont.py`, 'from werkzeug.utils import \\\n    redirect\n\ndef go():\n    return redirect("/")\n');
    w(`${p}/semi.py`, 'x = 1; from flask import abort\n\ndef f():\n    abort(404)\n');
    w(`${p}/views.py`, `from ${p} import create_app\napp = create_app()\n\n@app.route("/")\ndef index():\n    return "hi"\n`);
    w(`${p}/plain.py`, 'import os\n\ndef get(d):\n    return d.get("route")\n');
    w(`${p}/noimport.py`, 'def route(x):\n    return x.get(1)\n# TODO(port): something [flask-route]\n');
    w(`${p}/shadow.py`, 'from .extensions import db\n\ndef f(db):\n    db.session.add(1)\n');
    // relevance only transitive, by name: extensions → models → views → helpers (no framework import after the first)
    w(`${p}/chain/__init__.py`, '');
    w(`${p}/chain/extensions.py`, 'from flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\n');
    w(`${p}/chain/models.py`, 'import os\nfrom .extensions import (\n    db,  # the app\'s\n)\n\nclass Post(db.Model):\n    id = db.Column(db.Integer, primary_key=True)\n');
    w(`${p}/chain/views.py`, `from ${p}.chain.models import Post\nCurrent = Post\n\ndef latest():\n    return Post.query.order_by(Post.id).first()\n`);
    w(`${p}/chain/helpers.py`, 'from .views import \\\n    Current\n\ndef first(n):\n    return Current.query.filter_by(id=n).first()\n');
    w(`${p}/chain/unrelated.py`, `from .views import latest as _l\nfrom ${p}.chain import extensions\n\ndef g(d):\n    return d.get("route")\n`);
    // views only by an earlier fix's decorators: Django's require_* (aliased), a FastAPI app a relevant module makes
    w(`${p}/djviews.py`, 'from django.views.decorators.http import require_GET as rg\n\n@rg\ndef hello(request):\n    return "hi"\n');
    w(`${p}/djplain.py`, 'from django.views import generic\n\ndef helper():\n    return {"os_require_quiesce": "yes"}\n');
    w(`${p}/apiapp.py`, 'from flask import Flask\nfrom fastapi import FastAPI\napp = Flask(__name__)\napi = FastAPI()\n');
    w(`${p}/apiviews.py`, 'from django.views import generic\nfrom .apiapp import api\n\n@api.get("/")\ndef root():\n    return "hi"\n');
    // Flask extensions no rule resolves to: no finding can come from them (flask_restful re-exports flask's request,
    // but names resolve through the file's imports: flask_restful.request); Flask-Login alone is relevant
    w(`${p}/restful.py`, 'import flask_restful\nfrom flask_cors import CORS\nfrom flask_restful import request, abort\n\nclass R(flask_restful.Resource):\n    def get(self):\n        abort(404)\n        return request.args.get("q")\n');
    w(`${p}/loginonly.py`, 'from flask_login import login_required, current_user\n\n@login_required\ndef me():\n    return current_user.name\n');
    // a project package named like a framework must not shadow it
    w(`${p}/server/flask/__init__.py`, 'def request():\n    return 1\n');
    w(`${p}/server/app2.py`, 'from flask import request\n\ndef v():\n    return request.args.get("q")\n');
  }
}

test('a scan finds what analyzing each file with the full index finds (examples/flask-blog)', async () => {
  const g = await grammar;
  for (const target of ['django', 'fastapi'] as const) {
    const settings = settingsFor(target);
    const proj = await loadProject(g, BLOG);
    const expected: Record<string, unknown> = {};
    for (const f of proj.files) {
      const a = analyzeFile(g, f, settings, proj.index, RULES);
      try {
        if (a.findings.length) expected[f.rel] = a.findings.map(plainFinding);
      } finally {
        a.dispose();
      }
    }
    const r = await scanWorkspace(BLOG, { settings, threads: 1 });
    assert.ok(Object.keys(expected).length > 0);
    assert.deepEqual(byFile(r), expected, target);
  }
});

test('a warm scan parses nothing and gives identical results', async () => {
  const cacheDir = tmpdir('fp-cache-');
  const settings = settingsFor('django');
  const cold = await scanWorkspace(BLOG, { settings, threads: 1, cacheDir });
  assert.equal(cold.stats.analysisCacheHits, 0);
  const warm = await scanWorkspace(BLOG, { settings, threads: 1, cacheDir });
  assert.deepEqual(allFiles(warm), allFiles(cold));
  assert.equal(warm.stats.indexParsed + warm.stats.analysisParsed, 0);
  assert.equal(warm.stats.analysisCacheHits, cold.stats.analyzed);
  assert.ok(warm.files.filter((f) => f.analyzed).every((f) => f.cached));
  // other settings: a different key, fresh analysis, still no parse for the index
  const other = await scanWorkspace(BLOG, { settings: settingsFor('fastapi'), threads: 1, cacheDir });
  assert.equal(other.stats.analysisCacheHits, 0);
  assert.equal(other.stats.indexParsed, 0);
});

test('changing a file re-analyzes that file and the files that import it, nothing else', async () => {
  const dir = tmpdir('fp-proj-');
  const cacheDir = tmpdir('fp-cache-');
  copyDir(BLOG, dir);
  const settings = settingsFor('django');
  const cold = await scanWorkspace(dir, { settings, threads: 1, cacheDir });
  const analyzed = cold.files.filter((f) => f.analyzed).map((f) => f.rel);
  assert.ok(analyzed.includes('blog/api.py') && analyzed.includes('blog/models.py'));

  // a leaf file: only it
  fs.appendFileSync(path.join(dir, 'blog/api.py'), '\n# a comment\n');
  const r1 = await scanWorkspace(dir, { settings, threads: 1, cacheDir });
  assert.deepEqual(r1.files.filter((f) => f.analyzed && !f.cached).map((f) => f.rel), ['blog/api.py']);

  // a module others import: it and its dependents (whose imports reach it), not the rest
  fs.appendFileSync(path.join(dir, 'blog/extensions.py'), '\nextra = SQLAlchemy()\n');
  const r2 = await scanWorkspace(dir, { settings, threads: 1, cacheDir });
  const redone = r2.files.filter((f) => f.analyzed && !f.cached).map((f) => f.rel);
  assert.ok(redone.includes('blog/models.py'), redone.join());
  const reach = (rel: string) => textImports(fs.readFileSync(path.join(dir, rel), 'utf8'), rel).some((m) => m.startsWith('blog'));
  for (const f of r2.files.filter((x) => x.analyzed && x.cached)) assert.ok(!reach(f.rel) || f.rel === 'config.py', `${f.rel} should have been re-analyzed`);
  // and the results equal a cold scan of the new text
  const fresh = await scanWorkspace(dir, { settings, threads: 1 });
  assert.deepEqual(allFiles(r2), allFiles(fresh));
});

test('rescans of an unchanged folder reuse the last plan; a changed cache file, other settings or a changed file recompute', async () => {
  const dir = tmpdir('fp-memo-');
  const cacheDir = tmpdir('fp-cache-');
  copyDir(BLOG, dir);
  // files older than the cache's trust window, so that they are trusted by size and mtime
  const past = new Date(Date.now() - 60_000);
  const files = fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.py'));
  for (const f of files) fs.utimesSync(path.join(dir, f), past, past);
  const settings = settingsFor('django');
  const cold = await scanWorkspace(dir, { settings, threads: 1, cacheDir });
  const warm1 = await scanWorkspace(dir, { settings, threads: 1, cacheDir });
  const warm2 = await scanWorkspace(dir, { settings, threads: 1, cacheDir });
  assert.equal(cold.stats.reusedPlan, false);
  for (const w of [warm1, warm2]) {
    assert.equal(w.stats.reusedPlan, true);
    assert.deepEqual(allFiles(w), allFiles(cold));
    assert.deepEqual(w.skipped, cold.skipped);
    assert.equal(w.stats.analysisCacheHits, cold.stats.analyzed);
    assert.equal(w.stats.relevant, cold.stats.relevant);
    assert.ok(w.files.filter((f) => f.analyzed).every((f) => f.cached));
    for (const name of ['blog.extensions', 'blog.models', 'blog']) assert.deepEqual(w.index.summaryOf(name), cold.index.summaryOf(name), name);
  }
  // the cache file written by another process: read again, plan recomputed
  const [cacheName] = fs.readdirSync(cacheDir);
  fs.utimesSync(path.join(cacheDir, cacheName), new Date(), new Date(Date.now() + 5000));
  const reread = await scanWorkspace(dir, { settings, threads: 1, cacheDir });
  assert.equal(reread.stats.reusedPlan, false);
  assert.deepEqual(allFiles(reread), allFiles(cold));
  assert.equal((await scanWorkspace(dir, { settings, threads: 1, cacheDir })).stats.reusedPlan, true);
  // other settings: their own plan
  const other = await scanWorkspace(dir, { settings: settingsFor('fastapi'), threads: 1, cacheDir });
  assert.equal(other.stats.reusedPlan, false);
  const otherCold = await scanWorkspace(dir, { settings: settingsFor('fastapi'), threads: 1 });
  assert.deepEqual(allFiles(other), allFiles(otherCold));
  // a changed file (still older than the trust window): re-read, and the results are those of a cold scan
  fs.appendFileSync(path.join(dir, 'blog/extensions.py'), '\nextra = SQLAlchemy()\n');
  const later = new Date(Date.now() - 30_000);
  fs.utimesSync(path.join(dir, 'blog/extensions.py'), later, later);
  const changed = await scanWorkspace(dir, { settings, threads: 1, cacheDir });
  assert.equal(changed.stats.reusedPlan, false);
  assert.deepEqual(allFiles(changed), allFiles(await scanWorkspace(dir, { settings, threads: 1 })));
  assert.ok(changed.files.some((f) => f.analyzed && !f.cached));
  // a file removed
  fs.rmSync(path.join(dir, 'blog/api.py'));
  const removed = await scanWorkspace(dir, { settings, threads: 1, cacheDir });
  assert.ok(!removed.files.some((f) => f.rel === 'blog/api.py'));
  assert.deepEqual(allFiles(removed), allFiles(await scanWorkspace(dir, { settings, threads: 1 })));
});

test('the prefilter never drops a file with findings (examples/ and a synthetic project)', async () => {
  const dir = tmpdir('fp-syn-');
  synthetic(dir);
  for (const root of [EXAMPLES, dir]) {
    for (const target of ['django', 'fastapi'] as const) {
      const settings = settingsFor(target);
      const on = await scanWorkspace(root, { settings, threads: 1 });
      const off = await scanWorkspace(root, { settings, threads: 1, prefilter: false });
      assert.ok(Object.keys(byFile(off)).length > 0);
      assert.deepEqual(byFile(on), byFile(off), `${root} ${target}`);
      assert.ok(on.stats.analyzed < off.stats.analyzed, 'the prefilter skips something');
    }
  }
  // the synthetic project's indirect cases are found
  const r = await scanWorkspace(dir, { settings: settingsFor('django'), threads: 1 });
  const files = byFile(r);
  for (const rel of ['pkg0/queries.py', 'pkg0/star.py', 'pkg0/app.py', 'pkg0/cont.py', 'pkg0/semi.py', 'pkg0/late.py', 'pkg0/chain/models.py', 'pkg0/chain/views.py', 'pkg0/chain/helpers.py', 'pkg0/server/app2.py']) assert.ok(files[rel], `${rel} has findings`);
  // relevance is by name: a file importing only plain names of the chain is not parsed for the index
  assert.ok(r.stats.relevant < r.stats.listed);
  const off = await scanWorkspace(dir, { settings: settingsFor('django'), threads: 1, prefilter: false });
  assert.ok(r.stats.indexParsed < off.stats.indexParsed, `${r.stats.indexParsed} < ${off.stats.indexParsed}`);
  assert.ok(!files['pkg0/shadow.py'] && !files['pkg0/plain.py']);
  // a file importing django.views whose text names no view decorator (`os_require_quiesce` is none), and imports no
  // relevant module: not analyzed
  assert.ok(files['pkg0/djviews.py'] && files['pkg0/apiviews.py']);
  assert.equal(r.files.find((f) => f.rel === 'pkg0/djplain.py')?.analyzed, false);
  assert.equal(r.files.find((f) => f.rel === 'pkg0/noimport.py')?.markers.length, 1);
  // a file importing only Flask extensions that no rule resolves to is not analyzed, and analyzed it has no finding
  assert.equal(r.files.find((f) => f.rel === 'pkg0/restful.py')?.analyzed, false);
  assert.ok(!byFile(off)['pkg0/restful.py']);
  assert.ok(files['pkg0/loginonly.py'], 'a file importing Flask-Login alone is analyzed');
});

test('cancellation stops the scan early', async () => {
  const dir = tmpdir('fp-many-');
  synthetic(dir, 30);
  let calls = 0;
  const r = await scanWorkspace(dir, {
    settings: settingsFor('django'),
    threads: 1,
    onProgress: () => void calls++,
    isCancelled: () => calls >= 2,
  });
  assert.equal(r.cancelled, true);
  assert.ok(r.files.filter((f) => f.analyzed).length < r.stats.analyzed, `${r.files.length} of ${r.stats.analyzed}`);
  const ac = new AbortController();
  ac.abort();
  const r2 = await scanWorkspace(dir, { settings: settingsFor('django'), signal: ac.signal });
  assert.equal(r2.cancelled, true);
  assert.equal(r2.files.length, 0);
});

test('one thread and two threads give identical results', async () => {
  const dir = tmpdir('fp-thr-');
  synthetic(dir, 12);
  copyDir(BLOG, path.join(dir, 'blogcopy'));
  const settings = settingsFor('django');
  const progress: number[] = [];
  const one = await scanWorkspace(dir, { settings, threads: 1 });
  const two = await scanWorkspace(dir, { settings, threads: 2, inThreadBelow: 0, onProgress: (d) => void progress.push(d) });
  assert.equal(two.stats.threads, 2);
  assert.deepEqual(allFiles(two), allFiles(one));
  assert.equal(progress[progress.length - 1], two.files.length);
  assert.ok(Object.keys(byFile(one)).length > 10);
});

test('a pool kept between scans serves the next ones with its worker, reading and analyzing (after a cancelled scan, under other settings), with the results of one thread', async (t) => {
  t.after(closeKeptPool);
  const dir = tmpdir('fp-kept-');
  synthetic(dir, 12);
  copyDir(BLOG, path.join(dir, 'blogcopy'));
  // files the read phase skips, wherever it reads them: too large, binary, not UTF-8
  fs.writeFileSync(path.join(dir, 'huge.py'), `from flask import request\n${'x = request.args\n'.repeat(400)}`);
  fs.writeFileSync(path.join(dir, 'binary.py'), 'x = 1\0\n');
  fs.writeFileSync(path.join(dir, 'latin1.py'), Buffer.from([0x78, 0x3d, 0xe9, 0x0a]));
  const settings = settingsFor('django');
  const selection = { ...DEFAULT_SELECTION, maxFileSize: 5000 };
  const alone = await scanWorkspace(dir, { settings, selection, threads: 1 });
  const one = allFiles(alone);
  assert.ok(listedFiles(dir) >= 256, 'enough files for the workers to read some');
  for (const f of ['binary.py', 'huge.py', 'latin1.py']) assert.ok(alone.skipped.some((x) => x.file === f), f);
  const keep = { settings, selection, threads: 2, keepWorkersMs: 60_000 };
  // the first scan starts the worker (this much work would stay in this thread: inThreadBelow 0 makes it start)
  const first = await scanWorkspace(dir, { ...keep, inThreadBelow: 0 });
  assert.equal(first.stats.threads, 2);
  assert.equal(first.stats.readLanes, 1, 'no worker yet when the files are read');
  assert.deepEqual(allFiles(first), one);
  // not kept: a scan this small stays in this thread
  assert.equal((await scanWorkspace(dir, { settings, selection, threads: 2 })).stats.threads, 1);
  // kept: the next scan takes the started worker whatever its work; a cancelled one leaves nothing behind it
  let calls = 0;
  const cancelled = await scanWorkspace(dir, { ...keep, onProgress: () => void calls++, isCancelled: () => calls >= 2 });
  assert.equal(cancelled.cancelled, true);
  assert.equal(cancelled.stats.threads, 2);
  const after = await scanWorkspace(dir, keep);
  assert.equal(after.stats.threads, 2);
  assert.equal(after.stats.readLanes, 2, 'the kept worker read files too');
  assert.deepEqual(allFiles(after), one);
  assert.deepEqual(after.skipped, alone.skipped);
  // other settings: the same workers, the new settings
  const fastapi = await scanWorkspace(dir, { ...keep, settings: settingsFor('fastapi') });
  assert.equal(fastapi.stats.threads, 2);
  assert.deepEqual(allFiles(fastapi), allFiles(await scanWorkspace(dir, { settings: settingsFor('fastapi'), selection, threads: 1 })));
  // a cache: the files it vouches for are not read again, those changed since are (files this new are all re-read)
  const cacheDir = tmpdir('fp-kept-cache-');
  await scanWorkspace(dir, { ...keep, cacheDir });
  fs.appendFileSync(path.join(dir, 'pkg0/app.py'), '\n\ndef late():\n    return request.form\n');
  const changed = await scanWorkspace(dir, { ...keep, cacheDir });
  assert.deepEqual(allFiles(changed), allFiles(await scanWorkspace(dir, { settings, selection, threads: 1 })));
  // a scan allowed one thread does not take the kept workers
  const single = await scanWorkspace(dir, { ...keep, threads: 1 });
  assert.equal(single.stats.threads, 1);
  assert.equal(single.stats.readLanes, 1);
});

function listedFiles(dir: string) {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.py')).length;
}

test('an idle kept pool does not keep the process alive', () => {
  const dir = tmpdir('fp-kept-exit-');
  synthetic(dir, 2);
  const script = `const { scanWorkspace } = require(${JSON.stringify(path.join(ROOT, 'server/src/workspace/scan.ts'))});
    const { settingsFor } = require(${JSON.stringify(path.join(ROOT, 'test/helpers.ts'))});
    scanWorkspace(${JSON.stringify(dir)}, { settings: settingsFor('django'), threads: 2, inThreadBelow: 0, keepWorkersMs: 600000 })
      .then((r) => console.log(JSON.stringify({ threads: r.stats.threads, files: r.files.length })));`;
  const t0 = Date.now();
  const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(child.status, 0, child.stderr);
  const py = fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.py')).length;
  assert.deepEqual(JSON.parse(child.stdout.trim()), { threads: 2, files: py });
  assert.ok(Date.now() - t0 < 30_000, 'exited long before the pool would be closed');
});

test('a cache written after the scan: later scans read it meanwhile, a flush or the exit writes it', async () => {
  const dir = tmpdir('fp-later-');
  synthetic(dir, 1);
  const settings = settingsFor('django');
  const cacheDir = tmpdir('fp-later-cache-');
  const file = cacheFile(cacheDir, dir);
  const first = await scanWorkspace(dir, { settings, cacheDir, threads: 1, writeCacheAfterMs: 60_000 });
  assert.ok(!fs.existsSync(file), 'not written before the scan returns');
  assert.ok(first.stats.analyzed > 0);
  // a scan meanwhile reads what will be written: every analysis from it (files this new are read again, not analyzed)
  const second = await scanWorkspace(dir, { settings, cacheDir, threads: 1, writeCacheAfterMs: 60_000 });
  assert.equal(second.stats.analysisCacheHits, second.stats.analyzed);
  assert.deepEqual(allFiles(second), allFiles(first));
  assert.ok(!fs.existsSync(file));
  flushCacheWrites();
  assert.ok(fs.existsSync(file));
  assert.ok(loadCache(cacheDir, dir));
  // written when due
  const due = tmpdir('fp-later-due-');
  await scanWorkspace(dir, { settings, cacheDir: due, threads: 1, writeCacheAfterMs: 50 });
  assert.ok(!fs.existsSync(cacheFile(due, dir)));
  await new Promise((r) => setTimeout(r, 200));
  assert.ok(fs.existsSync(cacheFile(due, dir)));
  // a process that exits with a write still due makes it (the timer does not keep it alive)
  const exiting = tmpdir('fp-later-exit-');
  const script = `const { scanWorkspace } = require(${JSON.stringify(path.join(ROOT, 'server/src/workspace/scan.ts'))});
    const { settingsFor } = require(${JSON.stringify(path.join(ROOT, 'test/helpers.ts'))});
    scanWorkspace(${JSON.stringify(dir)}, { settings: settingsFor('django'), cacheDir: ${JSON.stringify(exiting)}, threads: 1, writeCacheAfterMs: 600000 })
      .then((r) => console.log(JSON.stringify({ files: r.files.length })));`;
  const t0 = Date.now();
  const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(child.status, 0, child.stderr);
  assert.ok(Date.now() - t0 < 30_000);
  assert.ok(fs.existsSync(cacheFile(exiting, dir)), 'written at exit');
  const reread = await scanWorkspace(dir, { settings, cacheDir: exiting, threads: 1 });
  assert.deepEqual(allFiles(reread), allFiles(first));
});

test('work split between this thread and a started worker gives the results of this thread alone', async () => {
  const dir = tmpdir('fp-pool-');
  synthetic(dir, 3);
  const settings = settingsFor('django');
  const files = fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.py')).map((f) => f.split(path.sep).join('/')).sort();
  const text = (rel: string) => fs.readFileSync(path.join(dir, rel), 'utf8');
  const runAll = async (workers: number) => {
    const pool = await Pool.create(RULES, settings);
    try {
      pool.addWorkers(workers);
      await pool.started();
      const idx = await pool.run(files.map((rel) => ({ kind: 'index' as const, rel, text: text(rel), keep: true })), {});
      const index = new ModuleIndex();
      const summaries: [string, ModuleSummary][] = idx.results.map((r, i) => [moduleNameFor(files[i]).name, r.kind === 'index' ? r.summary : {}]);
      for (const [n, s] of summaries) index.set(n, s);
      pool.setIndex(index, () => summaries, settings);
      const an = await pool.run(files.map((rel) => ({ kind: 'analyze' as const, rel, text: text(rel) })), { owner: (i) => idx.by[i] });
      return { idx: idx.results, an: an.results, lanes: new Set([...idx.by, ...an.by]), parsed: idx.parsed + an.parsed };
    } finally {
      await pool.close();
    }
  };
  const one = await runAll(0);
  const two = await runAll(1);
  assert.deepEqual(two.idx, one.idx);
  assert.deepEqual(two.an, one.an);
  assert.deepEqual([...one.lanes], [0]);
  assert.ok(two.lanes.has(1), 'the worker did some of the work');
  assert.ok(two.parsed >= files.length && two.parsed < 2 * files.length, 'trees kept for the analysis are mostly reused');
});

test('a file the parser must not see is skipped with its reason, in this thread and in a worker, and the rest is scanned', async () => {
  const dir = tmpdir('fp-refuse-');
  // 1,500 nested blocks: web-tree-sitter's wasm parser fails on them and stays broken (parsing/python.ts parseRefusal)
  let deep = 'from flask import request\n\n';
  for (let d = 0; d < 1500; d++) deep += `${' '.repeat(d)}if x:\n`;
  fs.writeFileSync(path.join(dir, 'a_deep.py'), `${deep}${' '.repeat(1500)}request.args.get("q")\n`);
  fs.writeFileSync(path.join(dir, 'b_view.py'), 'from flask import request\n\n\ndef view():\n    return request.args.get("q")\n');
  fs.writeFileSync(path.join(dir, 'c_uses.py'), 'from a_deep import request\n\n\ndef other():\n    return request.args\n');
  const cacheDir = tmpdir('fp-refuse-cache-');
  const settings = settingsFor('django');
  for (const opts of [{ threads: 1 }, { threads: 2, inThreadBelow: 0 }, { threads: 1, cacheDir }, { threads: 1, cacheDir }]) {
    const r = await scanWorkspace(dir, { settings, ...opts });
    assert.deepEqual(r.skipped.map((s) => s.file), ['a_deep.py'], JSON.stringify(opts));
    assert.match(r.skipped[0].reason, /^not parsed: .*indentation/);
    assert.deepEqual(r.files.filter((f) => f.findings.length).map((f) => f.rel), ['b_view.py']);
  }
});

test('a scan with no cache (sizes and mtimes from the files read) skips what a scan with one skips, for the same reasons', async () => {
  const dir = tmpdir('fp-nostat-');
  copyDir(BLOG, dir);
  fs.writeFileSync(path.join(dir, 'huge.py'), `from flask import request\n${'x = request.args\n'.repeat(400)}`);
  fs.writeFileSync(path.join(dir, 'blog/binary.py'), 'x = 1\0\n');
  fs.writeFileSync(path.join(dir, 'latin1.py'), Buffer.from([0x78, 0x3d, 0xe9, 0x0a]));
  const settings = settingsFor('django');
  const selection = { ...DEFAULT_SELECTION, maxFileSize: 5000 };
  const cacheDir = tmpdir('fp-nostat-cache-');
  const runs: ScanResult[] = [];
  for (const opts of [{}, { cacheDir }, { cacheDir }]) runs.push(await scanWorkspace(dir, { settings, selection, threads: 1, ...opts }));
  const [none, cold, cached] = runs;
  assert.ok(cached.stats.analysisCacheHits > 0 && cold.stats.analysisCacheHits === 0, 'the third scan had a cache');
  const large = none.skipped.filter((x) => /larger than maxFileSize/.test(x.reason)).map((x) => x.file);
  assert.ok(large.includes('huge.py') && large.length >= 2, JSON.stringify(none.skipped));
  assert.deepEqual(none.skipped.filter((x) => !large.includes(x.file)).map((x) => [x.file, x.reason]), [['blog/binary.py', 'binary file (NUL bytes)'], ['latin1.py', 'not UTF-8 text']]);
  for (const r of [cold, cached]) {
    assert.deepEqual(r.skipped, none.skipped);
    assert.deepEqual(allFiles(r), allFiles(none));
    assert.equal(r.stats.listed, none.stats.listed);
  }
  assert.equal(none.stats.listed, none.files.length + none.skipped.length - large.length);
});

test('the cache hash is the SHA-1 of the UTF-8 text, for a string as for its bytes, of the files whose hash is read', async () => {
  for (const s of ['', 'from flask import g\n', 'é = "ß\u{1F600}"\r\n']) {
    const want = crypto.createHash('sha1').update(Buffer.from(s, 'utf8')).digest('hex');
    assert.equal(sha1(s), want);
    assert.equal(sha1(Buffer.from(s, 'utf8')), want);
  }
  // a scan hashes the bytes it read: the same hash as the text's, with a byte order mark or without; it hashes the
  // files a later step reads the hash of (analyzed, or holding a marker), and a file made relevant by name (a
  // project module's framework object) from the text it reads again
  const dir = tmpdir('fp-hash-');
  const texts: Record<string, string> = {
    'plain.py': 'from flask import g\n',
    'bom.py': '\ufefffrom flask import request\nx = "é"\r\n',
    'bom2.py': '\ufeff\ufeff# TODO(port): x\nx = 1\n',
    'astral.py': 'from flask import g\ns = "\u{1F600}"\n',
    'helpers.py': 'from flask import request as req\n',
    'byname.py': 'from helpers import req\n\ndef view():\n    return req.args\n',
    'other.py': 'import os\nx = "é"\n',
  };
  for (const [f, t] of Object.entries(texts)) fs.writeFileSync(path.join(dir, f), t);
  for (const opts of [{}, { cacheDir: tmpdir('fp-hash-cache-') }]) {
    for (let pass = 0; pass < 2; pass++) {
      const r = await scanWorkspace(dir, { settings: settingsFor('django'), threads: 1, ...opts });
      for (const f of r.files) assert.equal(f.hash, f.rel === 'other.py' ? '' : sha1(texts[f.rel].replace(/^\ufeff\ufeff?/, '')), f.rel);
      assert.equal(r.files.length, 7);
      assert.ok(r.files.find((f) => f.rel === 'byname.py')!.findings.some((x) => x.rule === 'flask-request-args'));
      if (pass === 1 && 'cacheDir' in opts) assert.equal(r.stats.analysisCacheHits, r.stats.analyzed, JSON.stringify(r.files.map((f) => [f.rel, f.analyzed, f.cached])));
    }
  }
});

test('rescans reuse the folder listings of unchanged folders and still see a file added to one', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fp-rescan-'));
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fp-rescan-cache-'));
  try {
    const view = (name: string) => `from flask import request\n\n\ndef ${name}():\n    return request.args.get("q")\n`;
    fs.mkdirSync(path.join(root, 'app', 'views'), { recursive: true });
    fs.writeFileSync(path.join(root, 'app', 'views', 'a.py'), view('a'));
    const past = new Date(Date.now() - 60_000);
    for (const d of ['', 'app', 'app/views']) fs.utimesSync(path.join(root, d), past, past);
    for (const f of ['app/views/a.py']) fs.utimesSync(path.join(root, f), past, past);
    const settings = settingsFor('django');
    const scan = async () => {
      const r = await scanWorkspace(root, { settings, cacheDir, threads: 1 });
      return r.files.filter((f) => f.findings.length).map((f) => f.rel).sort();
    };
    assert.deepEqual(await scan(), ['app/views/a.py']); // no cache: every folder read
    assert.deepEqual(await scan(), ['app/views/a.py']); // a rescan: listings recorded
    assert.deepEqual(await scan(), ['app/views/a.py']); // listings reused
    fs.writeFileSync(path.join(root, 'app', 'views', 'b.py'), view('b'));
    assert.deepEqual(await scan(), ['app/views/a.py', 'app/views/b.py']);
    fs.rmSync(path.join(root, 'app', 'views', 'a.py'));
    assert.deepEqual(await scan(), ['app/views/b.py']);
    // a file system whose folder mtime does not move with a new file: hidden until the listings are dropped, as the
    // checklist does for a rescan its file watcher asked for
    for (const d of ['app', 'app/views']) fs.utimesSync(path.join(root, d), past, past);
    await scan();
    await scan();
    fs.writeFileSync(path.join(root, 'app', 'views', 'c.py'), view('c'));
    fs.utimesSync(path.join(root, 'app', 'views'), past, past);
    assert.deepEqual(await scan(), ['app/views/b.py']);
    forgetFolderListings(root);
    assert.deepEqual(await scan(), ['app/views/b.py', 'app/views/c.py']);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
});
