// The shared state file (.framework-porter/state.json) and the occurrence ids it holds: byte-identical round trips,
// stable one-entry-per-line rendering, merges of two branches (also through git conflict markers), ids that survive
// edits above an occurrence, file renames, edits inside a snippet, concurrent writers, a corrupt file kept aside.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { grammar, RULES, settingsFor } from '../helpers';
import { analyze } from '../../server/src/analysis/engine';
import { occurrenceIds, parseId, matchRenames, formatId } from '../../server/src/workspace/occurrence';
import { computeProgress, type LiveOccurrence } from '../../server/src/workspace/progress';
import {
  mergeStates,
  parseState,
  readState,
  renderState,
  renameIds,
  statePath,
  writeState,
  type PortState,
} from '../../server/src/workspace/state';

const APP = `from flask import Flask, jsonify, request

app = Flask(__name__)


@app.route("/users")
def users():
    page = request.args.get("page")
    return jsonify(page=page)


class Api:
    def get(self):
        return jsonify(ok=True)
`;

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'fp-state-'));
}

async function idsOf(file: string, text: string): Promise<{ id: string; rule: string; line: number }[]> {
  const g = await grammar;
  const a = analyze(g, text, { settings: settingsFor('django'), path: file }, RULES);
  try {
    const ids = occurrenceIds(file, text, a.tree.rootNode, a.findings);
    return a.findings.map((f, i) => ({ id: ids[i], rule: f.rule, line: f.range.start.line }));
  } finally {
    a.dispose();
  }
}

async function live(file: string, text: string): Promise<LiveOccurrence[]> {
  return (await idsOf(file, text)).map((o) => ({
    id: o.id,
    rule: o.rule,
    file,
    uri: `file:///w/${file}`,
    range: { start: { line: o.line, character: 0 }, end: { line: o.line, character: 1 } },
    message: o.rule,
    fixable: true,
    safe: true,
    scope: parseId(o.id)!.scope,
  }));
}

const ruleMeta = (id: string) => {
  const r = RULES.find((x) => x.id === id);
  return r && { title: r.title, category: r.category, from: r.from, effortMinutes: r.effortMinutes };
};

const sample: PortState = {
  version: 1,
  target: 'django',
  baseline: ['flask-route|app.py||aaaaaaaaaaaa|0', 'flask-jsonify|app.py|users|bbbbbbbbbbbb|0', 'flask-g|pkg/a b.py|X.y|cccccccccccc|1'],
  wontPort: { 'flask-g|pkg/a b.py|X.y|cccccccccccc|1': 'kept: "g" is used by a plugin', 'flask-route|app.py||aaaaaaaaaaaa|0': 'later' },
};

describe('rendering and reading', () => {
  test('round trip is byte-identical, on disk too', () => {
    const text = renderState(sample);
    assert.equal(renderState(parseState(text)), text);
    const dir = tmp();
    const w = writeState(dir, sample, undefined, '');
    assert.equal(fs.readFileSync(statePath(dir), 'utf8'), text);
    assert.equal(w.raw, text);
    const r = readState(dir);
    assert.equal(r.raw, text);
    assert.deepEqual(r.state, parseState(text));
    // writing what was read changes nothing
    writeState(dir, r.state!, r.state, r.raw);
    assert.equal(fs.readFileSync(statePath(dir), 'utf8'), text);
    assert.deepEqual(fs.readdirSync(path.dirname(statePath(dir))), ['state.json'], 'no temp file left behind');
  });

  test('stable order: however the entries come, the text is the same', () => {
    const shuffled: PortState = { ...sample, baseline: [...sample.baseline].reverse(), wontPort: Object.fromEntries(Object.entries(sample.wontPort).reverse()) };
    assert.equal(renderState(shuffled), renderState(sample));
    assert.equal(renderState({ ...sample, baseline: [...sample.baseline, sample.baseline[0]] }), renderState(sample), 'duplicates dropped');
  });

  test('one entry per line, no timestamps, a trailing newline', () => {
    const text = renderState(sample);
    assert.ok(text.endsWith('}\n'));
    const lines = text.split('\n');
    const ID = /"[^"|]*\|[^"]*\|[^"|]*\|[0-9a-f]{12}\|\d+"/g;
    for (const l of lines) assert.ok((l.match(ID)?.length ?? 0) <= 1, `one id per line: ${l}`);
    for (const id of sample.baseline) assert.ok(lines.includes(`    ${JSON.stringify(id)},`) || lines.includes(`    ${JSON.stringify(id)}`), id);
    assert.doesNotMatch(text, /20\d\d-\d\d-\d\d|"(time|date|updated|saved)/i);
    assert.deepEqual(Object.keys(JSON.parse(text)), ['version', 'target', 'baseline', 'wontPort']);
  });

  test('bad shapes are refused with one sentence', () => {
    assert.throws(() => parseState('{"version": 2, "target": "django"}'), /version is 2/);
    assert.throws(() => parseState('{"version": 1, "target": "django", "baseline": [1]}'), /"baseline" is not an array of strings/);
    assert.throws(() => parseState('nope'), /not valid JSON/);
  });
});

describe('merging', () => {
  const base: PortState = { version: 1, target: 'django', baseline: ['a|f.py||h|0', 'b|f.py||h|0'], wontPort: { 'a|f.py||h|0': 'legacy' } };
  const ours: PortState = { ...base, baseline: [...base.baseline, 'c|g.py||h|0'], wontPort: { ...base.wontPort, 'b|f.py||h|0': 'ours' } };
  const theirs: PortState = { ...base, baseline: [...base.baseline, 'd|h.py||h|0'], wontPort: { ...base.wontPort, 'b|f.py||h|0': 'theirs', 'd|h.py||h|0': 'dead code' } };

  test('two branches: union of baselines and decisions, conflicting reasons kept both (commutative)', () => {
    const m = mergeStates(ours, theirs);
    assert.deepEqual(m.baseline, ['a|f.py||h|0', 'b|f.py||h|0', 'c|g.py||h|0', 'd|h.py||h|0']);
    assert.deepEqual(m.wontPort, { 'a|f.py||h|0': 'legacy', 'b|f.py||h|0': 'ours / theirs', 'd|h.py||h|0': 'dead code' });
    assert.equal(renderState(mergeStates(theirs, ours)), renderState(m));
    assert.equal(renderState(mergeStates(m, m)), renderState(m), 'idempotent');
    assert.equal(renderState(mergeStates(m, ours)), renderState(m));
  });

  test('git merges the rendered files line-wise; a conflicted file reads as the union', () => {
    const o = renderState(ours).split('\n');
    const t = renderState(theirs).split('\n');
    // a hand-made conflict over the regions where the two files differ
    let i = 0;
    while (o[i] === t[i]) i++;
    let j = 1;
    while (o[o.length - j] === t[t.length - j]) j++;
    const conflicted = [...o.slice(0, i), '<<<<<<< ours', ...o.slice(i, o.length - j + 1), '=======', ...t.slice(i, t.length - j + 1), '>>>>>>> theirs', ...o.slice(o.length - j + 1)].join('\n');
    assert.throws(() => JSON.parse(conflicted));
    assert.equal(renderState(parseState(conflicted)), renderState(mergeStates(ours, theirs)));
  });

  test('three-way (a writer with a stale read): its changes go onto the newer file', () => {
    const reopened: PortState = { ...base, wontPort: {} }; // ours reopened 'a'
    const m = mergeStates(reopened, theirs, base);
    assert.deepEqual(m.wontPort, { 'b|f.py||h|0': 'theirs', 'd|h.py||h|0': 'dead code' }, 'the reopen stays, their decisions stay');
    assert.deepEqual(m.baseline, theirs.baseline.slice().sort());
  });
});

describe('occurrence ids', () => {
  test('ids name rule, file, scope, snippet hash and ordinal', async () => {
    const occ = await idsOf('app.py', APP);
    const byRule = (r: string) => occ.filter((o) => o.rule === r).map((o) => parseId(o.id)!);
    const jsonify = byRule('flask-jsonify');
    assert.deepEqual(jsonify.map((k) => k.scope), ['users', 'Api.get']);
    assert.ok(byRule('flask-route').every((k) => k.scope === ''), 'a decorator is in the scope holding the decorated def');
    for (const o of occ) assert.equal(formatId(parseId(o.id)!), o.id);
    assert.equal(new Set(occ.map((o) => o.id)).size, occ.length, 'unique');
    assert.deepEqual(parseId('r|dir/we|rd.py|A.b|0123456789ab|3'), { rule: 'r', file: 'dir/we|rd.py', scope: 'A.b', hash: '0123456789ab', ordinal: 3 });
  });

  test('identical snippets in one scope get ordinals', async () => {
    const text = `from flask import jsonify\n\ndef f():\n    a = jsonify(1)\n    a = jsonify(1)\n`;
    const occ = (await idsOf('x.py', text)).filter((o) => o.rule === 'flask-jsonify');
    assert.deepEqual(occ.map((o) => parseId(o.id)!.ordinal), [0, 1]);
  });

  test('30 lines inserted above an occurrence keep its id', async () => {
    const before = await idsOf('app.py', APP);
    const filler = Array.from({ length: 30 }, (_, i) => `X_${i} = ${i}  # filler`).join('\n');
    const edited = APP.replace('app = Flask(__name__)\n', `app = Flask(__name__)\n${filler}\n\n\ndef helper():\n    return 1\n`);
    const after = await idsOf('app.py', edited);
    assert.deepEqual(after.map((o) => o.id).sort(), before.map((o) => o.id).sort());
    assert.ok(after.find((o) => o.rule === 'flask-jsonify')!.line > before.find((o) => o.rule === 'flask-jsonify')!.line + 29, 'the lines moved');
    // and reformatting whitespace inside the snippet does not matter either
    const spaced = await idsOf('app.py', APP.replace('return jsonify(page=page)', 'return jsonify(\n        page = page\n    )'));
    assert.deepEqual(spaced.map((o) => o.id).sort(), before.map((o) => o.id).sort(), 'reformatted whitespace');
  });

  test('renaming the file: baseline entries re-matched to the new file', async () => {
    const old = await live('app.py', APP);
    const renamed = await live('web/routes.py', APP);
    const baseline = old.map((o) => o.id);
    const wontPort = { [old[0].id]: 'not now' };
    const p = computeProgress({ baseline, current: renamed, wontPort, rule: ruleMeta, uriOf: (f) => f, currentFiles: new Set(['web/routes.py']) });
    assert.equal(p.overall.ported, 0);
    assert.equal(p.overall.regressions, 0);
    assert.equal(p.overall.open, renamed.length - 1);
    assert.equal(p.overall.wontPort, 1);
    assert.equal(p.occurrences.find((o) => o.state === 'wontPort')!.file, 'web/routes.py');
    assert.equal(p.renames.size, old.length);
    // the state file follows when it is next written
    const st = renameIds({ version: 1, target: 'django', baseline, wontPort }, p.renames)!;
    assert.ok(st.baseline.every((id) => parseId(id)!.file === 'web/routes.py'));
    assert.deepEqual(Object.values(st.wontPort), ['not now']);
    // an orphan only matches a file that has no baseline entries of its own
    assert.equal(matchRenames(baseline, renamed.map((o) => o.id), new Set(['app.py', 'web/routes.py'])).size, 0);
  });

  test('an edit inside the snippet: the old id is ported, the new one a regression', async () => {
    const before = await live('app.py', APP);
    const after = await live('app.py', APP.replace('return jsonify(page=page)', 'return jsonify(page=page, size=10)'));
    const p = computeProgress({ baseline: before.map((o) => o.id), current: after, wontPort: {}, rule: ruleMeta, uriOf: (f) => f, currentFiles: new Set(['app.py']) });
    const ported = p.occurrences.filter((o) => o.state === 'ported');
    const regressions = p.occurrences.filter((o) => o.state === 'regression');
    assert.equal(ported.length, 1);
    assert.equal(regressions.length, 1);
    assert.equal(ported[0].rule, 'flask-jsonify');
    assert.equal(regressions[0].rule, 'flask-jsonify');
    assert.equal(p.overall.open, before.length - 1);
  });
});

describe('writing', () => {
  test('concurrent writers: a stale read loses nothing', () => {
    const dir = tmp();
    writeState(dir, { version: 1, target: 'django', baseline: ['a|f.py||h|0', 'b|f.py||h|0'], wontPort: {} }, undefined, '');
    const readA = readState(dir);
    const readB = readState(dir);
    // B writes first
    const b = readB.state!;
    writeState(dir, { ...b, wontPort: { ...b.wontPort, 'a|f.py||h|0': 'by B' } }, readB.state, readB.raw);
    // A writes from its stale read, knowing nothing of B's write
    const a = readA.state!;
    writeState(dir, { ...a, wontPort: { ...a.wontPort, 'b|f.py||h|0': 'by A' } }, readA.state, readA.raw);
    const final = readState(dir).state!;
    assert.deepEqual(final.wontPort, { 'a|f.py||h|0': 'by B', 'b|f.py||h|0': 'by A' });
    assert.deepEqual(final.baseline, ['a|f.py||h|0', 'b|f.py||h|0']);
    // and a stale reopen is not undone by the newer file
    const readC = readState(dir);
    writeState(dir, { ...final, wontPort: { ...final.wontPort, 'c|g.py||h|0': 'by D' } }, final, readC.raw); // D writes
    writeState(dir, { ...readC.state!, wontPort: { 'b|f.py||h|0': 'by A' } }, readC.state, readC.raw); // C reopens a
    assert.deepEqual(readState(dir).state!.wontPort, { 'b|f.py||h|0': 'by A', 'c|g.py||h|0': 'by D' });
  });

  test('a corrupt file is set aside with one sentence and never overwritten', () => {
    const dir = tmp();
    fs.mkdirSync(path.dirname(statePath(dir)), { recursive: true });
    fs.writeFileSync(statePath(dir), '{"version": 1, "baseline": [');
    fs.writeFileSync(`${statePath(dir)}.corrupt-1`, 'an older one');
    const r = readState(dir);
    assert.equal(r.state, undefined);
    assert.ok(r.problem);
    assert.equal(r.problem.split(/\.\s+[A-Z]/).length, 1, 'one sentence');
    assert.match(r.problem, /state\.json\.corrupt-2/);
    assert.equal(fs.readFileSync(`${statePath(dir)}.corrupt-2`, 'utf8'), '{"version": 1, "baseline": [');
    assert.equal(fs.readFileSync(`${statePath(dir)}.corrupt-1`, 'utf8'), 'an older one');
    assert.equal(fs.existsSync(statePath(dir)), false);
    writeState(dir, sample, undefined, r.raw);
    assert.equal(fs.readFileSync(`${statePath(dir)}.corrupt-2`, 'utf8'), '{"version": 1, "baseline": [');
    assert.equal(readState(dir).raw, renderState(sample));
  });
});
