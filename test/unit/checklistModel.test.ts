// The checklist tree model (client/src/checklist/model.ts): pure snapshots → nodes, status text and empty state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChecklistSnapshot, Occurrence, OccurrenceState, TodoItem } from '../../protocol';
import {
  buildTree,
  emptyReason,
  formatEffort,
  pickExample,
  statusDetail,
  statusText,
  walk,
  type ChecklistNode,
  type RulesInfo,
} from '../../client/src/checklist/model';

const FOLDER = 'file:///work/app';

let seq = 0;
function occ(p: Partial<Occurrence> & { rule: string; file: string; line: number; folder?: string }): Occurrence {
  const { line, folder, ...rest } = p;
  const category = p.category ?? (p.rule.includes('route') || p.rule.includes('blueprint') ? 'routing' : p.rule.startsWith('fsa-') ? 'models' : 'request');
  return {
    id: `${p.rule}:${p.file}:${line}:${seq++}`,
    title: `Title of ${p.rule}`,
    category,
    from: 'flask',
    uri: `${folder ?? FOLDER}/${p.file}`,
    range: { start: { line, character: 4 }, end: { line, character: 20 } },
    message: `Port ${p.rule}`,
    state: 'open',
    effortMinutes: 5,
    fixable: true,
    safe: true,
    scope: '',
    ...rest,
  };
}

function snapshot(occurrences: Occurrence[], p: Partial<ChecklistSnapshot> = {}): ChecklistSnapshot {
  const count = (s: OccurrenceState) => occurrences.filter((o) => o.state === s).length;
  const left = occurrences.filter((o) => o.state === 'open' || o.state === 'regression');
  const total = occurrences.length;
  return {
    folderUri: FOLDER,
    folderName: 'app',
    target: 'django',
    ormTarget: 'auto',
    hasBaseline: true,
    scanning: false,
    filesScanned: 10,
    occurrences,
    todos: [],
    categories: [],
    overall: {
      baseline: total - count('regression'),
      ported: count('ported'),
      open: count('open'),
      wontPort: count('wontPort'),
      regressions: count('regression'),
      percent: total ? Math.floor(((count('ported') + count('wontPort')) * 100) / total) : 100,
      effortLeftMinutes: left.reduce((n, o) => n + o.effortMinutes, 0),
    },
    ...p,
  };
}

function sample(): Occurrence[] {
  return [
    occ({ rule: 'flask-route', file: 'app/views.py', line: 30, scope: 'index' }),
    occ({ rule: 'flask-route', file: 'app/views.py', line: 10, scope: 'home' }),
    occ({ rule: 'flask-route', file: 'app/auth.py', line: 5, state: 'ported' }),
    occ({ rule: 'flask-route', file: 'app/admin.py', line: 7, state: 'wontPort', reason: 'admin goes away' }),
    occ({ rule: 'flask-blueprint', file: 'app/__init__.py', line: 3, effortMinutes: 10, fixable: false, safe: false }),
    occ({ rule: 'flask-request-args', file: 'app/views.py', line: 12, effortMinutes: 3 }),
    occ({ rule: 'flask-request-args', file: 'app/views.py', line: 14, effortMinutes: 3, state: 'regression' }),
    occ({ rule: 'fsa-model', file: 'app/models.py', line: 1, effortMinutes: 120 }),
  ];
}

const labels = (nodes: readonly ChecklistNode[]) => nodes.map((n) => n.label);
const find = (nodes: readonly ChecklistNode[], pred: (n: ChecklistNode) => boolean) => [...walk(nodes)].find(pred);

test('formatEffort', () => {
  assert.equal(formatEffort(0), '0 min');
  assert.equal(formatEffort(45), '45 min');
  assert.equal(formatEffort(60), '1 h');
  assert.equal(formatEffort(135), '2 h 15 min');
  assert.equal(formatEffort(59.6), '1 h');
  assert.equal(formatEffort(-3), '0 min');
});

test('group by category: categories in the fixed order, rules by open count, files by path, occurrences by line', () => {
  const tree = buildTree([snapshot(sample())], { groupBy: 'category' });
  assert.deepEqual(labels(tree), ['routing', 'request', 'models'], 'no folder level for one folder; fixed category order');
  const routing = tree[0]!;
  assert.equal(routing.kind, 'category');
  assert.equal(routing.icon, 'link');
  assert.deepEqual(routing.children.map((r) => r.rule), ['flask-route', 'flask-blueprint'], 'rules by open count desc');
  const route = routing.children[0]!;
  assert.equal(route.kind, 'rule');
  assert.deepEqual(labels(route.children), ['app/admin.py', 'app/auth.py', 'app/views.py'], 'files by path');
  const views = route.children[2]!;
  assert.equal(views.kind, 'file');
  assert.deepEqual(labels(views.children), ['Line 11', 'Line 31'], 'occurrences by line');
  assert.deepEqual(views.children.map((o) => o.description), ['home', 'index']);
  assert.equal(views.children[0]!.kind, 'occurrence');
  assert.deepEqual(views.children[0]!.range, { start: { line: 10, character: 4 }, end: { line: 10, character: 20 } });
  assert.equal(views.children[0]!.uri, `${FOLDER}/app/views.py`);
});

test('group by file: file → occurrence, labelled by rule, ordered by line', () => {
  const tree = buildTree([snapshot(sample())], { groupBy: 'file' });
  assert.deepEqual(labels(tree), ['app/__init__.py', 'app/admin.py', 'app/auth.py', 'app/models.py', 'app/views.py']);
  assert.ok(tree.every((n) => n.kind === 'file'));
  const views = tree[4]!;
  assert.deepEqual(views.children.map((o) => [o.rule, o.description.split(' · ')[0]]), [
    ['flask-route', 'line 11'],
    ['flask-request-args', 'line 13'],
    ['flask-request-args', 'line 15'],
    ['flask-route', 'line 31'],
  ]);
  assert.equal(views.children[0]!.label, 'Title of flask-route');
  assert.equal(views.description, '0 of 4 ported · 1 new · 16 min left');
});

test('counts, progress strings and effort sums (ported and won\'t port count toward progress)', () => {
  const tree = buildTree([snapshot(sample())], { groupBy: 'category' });
  const routing = tree[0]!;
  // routing: 4 flask-route (2 open, 1 ported, 1 won't port) + 1 blueprint open → 3 left: 5 + 5 + 10 min
  assert.deepEqual(routing.counts, { total: 5, open: 3, ported: 1, wontPort: 1, regressions: 0, left: 3, effortLeftMinutes: 20 });
  assert.equal(routing.description, "1 of 5 ported · 1 won't port · 20 min left");
  const request = tree[1]!;
  assert.equal(request.description, '0 of 2 ported · 1 new · 6 min left');
  const models = tree[2]!;
  assert.equal(models.description, '0 of 1 ported · 2 h left');
  const route = routing.children[0]!;
  assert.equal(route.description, "flask-route · 1 of 4 ported · 1 won't port · 10 min left");
  const auth = route.children.find((f) => f.label === 'app/auth.py')!;
  assert.equal(auth.description, '1 of 1 ported · done');
  assert.match(routing.tooltip, /Effort left: 20 min/);
  assert.match(routing.tooltip, /40 % done/);
});

test('before a baseline nodes show "N left"', () => {
  const tree = buildTree([snapshot(sample(), { hasBaseline: false })], { groupBy: 'category' });
  assert.equal(tree[0]!.description, '3 left · 20 min');
  assert.equal(tree[2]!.description, '1 left · 2 h');
  const auth = find(tree, (n) => n.kind === 'file' && n.label === 'app/auth.py')!;
  assert.equal(auth.description, '0 left');
});

test('states: icons, colours, contextValues, descriptions; regressions are marked', () => {
  const tree = buildTree([snapshot(sample())], { groupBy: 'category' });
  const occs = [...walk(tree)].filter((n) => n.kind === 'occurrence');
  const byState = (s: OccurrenceState) => occs.filter((o) => o.state === s);
  assert.ok(byState('open').every((o) => o.icon === 'circle-large-outline'));
  const ported = byState('ported')[0]!;
  assert.equal(ported.icon, 'pass');
  assert.equal(ported.iconColor, 'testing.iconPassed');
  assert.equal(ported.contextValue, 'occurrence.ported');
  assert.equal(ported.description, 'ported');
  const wont = byState('wontPort')[0]!;
  assert.equal(wont.icon, 'circle-slash');
  assert.equal(wont.contextValue, 'occurrence.wontPort');
  assert.equal(wont.description, "won't port: admin goes away");
  assert.deepEqual(wont.wontPortIds.length, 1);
  assert.match(wont.tooltip, /admin goes away/);
  const reg = byState('regression')[0]!;
  assert.equal(reg.icon, 'warning');
  assert.equal(reg.contextValue, 'occurrence.regression.fixable');
  assert.match(reg.description, /new since the baseline/);
  const blueprint = occs.find((o) => o.rule === 'flask-blueprint')!;
  assert.equal(blueprint.contextValue, 'occurrence.open', 'not fixable: no applyFix');
  const open = occs.find((o) => o.rule === 'flask-route' && o.state === 'open')!;
  assert.equal(open.contextValue, 'occurrence.open.fixable');
  assert.ok(open.occurrenceId);
  assert.deepEqual(open.openIds, [open.occurrenceId]);

  const rules = [...walk(tree)].filter((n) => n.kind === 'rule');
  const ctx = Object.fromEntries(rules.map((r) => [r.rule, r.contextValue]));
  assert.deepEqual(ctx, {
    'flask-route': 'rule.open.fixable.wontPort',
    'flask-blueprint': 'rule.open',
    'flask-request-args': 'rule.open.fixable',
    'fsa-model': 'rule.open.fixable',
  });
  const args = rules.find((r) => r.rule === 'flask-request-args')!;
  assert.equal(args.icon, 'warning', 'a rule with regressions is marked');
  const route = rules.find((r) => r.rule === 'flask-route')!;
  assert.equal(route.openIds.length, 2);
  assert.equal(route.wontPortIds.length, 1);

  const done = buildTree([snapshot([occ({ rule: 'flask-g', file: 'a.py', line: 1, state: 'ported' })])], { groupBy: 'category' });
  const doneRule = find(done, (n) => n.kind === 'rule')!;
  assert.equal(doneRule.contextValue, 'rule');
  assert.equal(doneRule.icon, 'pass');
});

test('showStates lists only those states but counts cover everything', () => {
  const tree = buildTree([snapshot(sample())], { groupBy: 'category', showStates: ['open', 'regression'] });
  const route = find(tree, (n) => n.rule === 'flask-route' && n.kind === 'rule')!;
  assert.deepEqual(labels(route.children), ['app/views.py'], 'files with only done occurrences disappear');
  assert.equal(route.description, "flask-route · 1 of 4 ported · 1 won't port · 10 min left");
  const none = buildTree([snapshot([occ({ rule: 'flask-g', file: 'a.py', line: 1, state: 'ported' })])], { groupBy: 'category', showStates: ['open'] });
  assert.deepEqual(none, []);
});

test('tooltips: rule before → after from the rule info for the folder target, effort, docs', () => {
  const rules: RulesInfo = {
    'flask-route': {
      title: 'Flask route',
      effortMinutes: 5,
      summary: 'Routes become URL patterns.',
      examples: [
        { target: 'fastapi', before: '@app.route("/")', after: '@app.get("/")' },
        { target: 'django', before: '@app.route("/")', after: 'path("", views.index)' },
      ],
      docsUri: 'https://example.invalid/flask-route',
    },
    'fsa-model': {
      title: 'db.Model',
      effortMinutes: 120,
      examples: [
        { target: 'sqlalchemy2', before: 'class A(db.Model): ...', after: 'class A(Base): ...' },
        { target: 'django-orm', before: 'class A(db.Model): ...', after: 'class A(models.Model): ...' },
      ],
    },
  };
  const tree = buildTree([snapshot(sample())], { groupBy: 'category', rules });
  const route = find(tree, (n) => n.kind === 'rule' && n.rule === 'flask-route')!;
  assert.equal(route.label, 'Flask route', 'the rule info title wins');
  assert.match(route.tooltip, /path\(\"\", views\.index\)/);
  assert.doesNotMatch(route.tooltip, /app\.get/);
  assert.match(route.tooltip, /After \(Django\)/);
  assert.match(route.tooltip, /effort 5 min each/);
  assert.match(route.tooltip, /\[Documentation\]\(https:\/\/example\.invalid\/flask-route\)/);
  assert.match(route.tooltip, /Routes become URL patterns/);
  const model = find(tree, (n) => n.kind === 'rule' && n.rule === 'fsa-model')!;
  assert.match(model.tooltip, /models\.Model/, 'ORM rules use the ORM target (auto → Django ORM for Django)');
  const occNode = find(tree, (n) => n.kind === 'occurrence' && n.rule === 'flask-route')!;
  assert.match(occNode.tooltip, /Port flask-route/);
  assert.match(occNode.tooltip, /Effort: 5 min/);
  assert.match(occNode.tooltip, /State: /);

  assert.equal(pickExample(rules['fsa-model'], 'fastapi', 'auto')?.target, 'sqlalchemy2');
  assert.equal(pickExample(rules['fsa-model'], 'django', 'sqlalchemy2')?.target, 'sqlalchemy2');
  assert.equal(pickExample(undefined, 'django', 'auto'), undefined);
});

test('the todos group: "Left for a person", after the categories, in both groupings', () => {
  const todos: TodoItem[] = [
    { file: 'app/views.py', uri: `${FOLDER}/app/views.py`, line: 40, text: 'check the CSRF exemption', rule: 'flask-route' },
    { file: 'app/auth.py', uri: `${FOLDER}/app/auth.py`, line: 2, text: 'session lifetime' },
  ];
  for (const groupBy of ['category', 'file'] as const) {
    const tree = buildTree([snapshot(sample(), { todos })], { groupBy });
    const last = tree[tree.length - 1]!;
    assert.equal(last.kind, 'todos');
    assert.equal(last.label, 'Left for a person');
    assert.equal(last.icon, 'person');
    assert.equal(last.description, '2 TODO(port) comments');
    assert.deepEqual(labels(last.children), ['session lifetime', 'check the CSRF exemption'], 'by file then line');
    const t = last.children[1]!;
    assert.equal(t.kind, 'todo');
    assert.equal(t.description, 'app/views.py:41 · flask-route');
    assert.deepEqual(t.range, { start: { line: 40, character: 0 }, end: { line: 40, character: 0 } });
    assert.equal(t.uri, `${FOLDER}/app/views.py`);
  }
  const onlyTodos = buildTree([snapshot([], { todos })], { groupBy: 'category' });
  assert.deepEqual(onlyTodos.map((n) => n.kind), ['todos']);
});

test('empty input: no nodes, empty reasons and no status', () => {
  assert.deepEqual(buildTree([], { groupBy: 'category' }), []);
  assert.equal(emptyReason([], []), 'noFolder');
  assert.equal(statusText([]), '');
  assert.equal(statusDetail([]), '');
  const empty = snapshot([]);
  assert.deepEqual(buildTree([empty], { groupBy: 'file' }), []);
  assert.equal(emptyReason([empty], []), 'allPorted');
  assert.equal(emptyReason([{ ...empty, hasBaseline: false }], []), 'noBaseline');
  assert.equal(emptyReason([{ ...empty, filesScanned: 0 }], []), 'noPython');
  assert.equal(emptyReason([{ ...empty, scanning: true }], []), 'scanning');
  const tree = buildTree([snapshot(sample())], { groupBy: 'category' });
  assert.equal(emptyReason([snapshot(sample())], tree), undefined);
});

test('multi-root: a folder level, each folder with its own target and progress', () => {
  const other = 'file:///work/api';
  const a = snapshot(sample());
  const b = snapshot([occ({ rule: 'flask-jsonify', category: 'response', file: 'main.py', line: 3, folder: other })], {
    folderUri: other,
    folderName: 'api',
    target: 'fastapi',
    hasBaseline: false,
  });
  const tree = buildTree([a, b], { groupBy: 'category' });
  assert.deepEqual(labels(tree), ['app', 'api']);
  assert.ok(tree.every((n) => n.kind === 'folder' && n.icon === 'root-folder'));
  assert.equal(tree[0]!.description, "Django · 1 of 8 ported · 1 won't port · 1 new · 2 h 26 min left");
  assert.equal(tree[1]!.description, 'FastAPI · 1 left · 5 min');
  assert.equal(tree[1]!.contextValue, 'folder.noBaseline');
  assert.deepEqual(labels(tree[1]!.children), ['response']);
  const ids = [...walk(tree)].map((n) => n.id);
  assert.equal(new Set(ids).size, ids.length, 'ids are unique');
  assert.ok([...walk(tree[1]!.children)].every((n) => n.folderUri === other));
  assert.deepEqual(labels(buildTree([a, b], { groupBy: 'category', targetFilter: 'fastapi' })), ['response'], 'target filter; one folder left: no folder level');
  assert.equal(statusText([a, b]), 'Porting to Django, FastAPI · 7 left');
});

test('status text and detail', () => {
  const s = snapshot(sample());
  assert.equal(statusText([s]), `Porting to Django · ${s.overall.percent} %`);
  assert.equal(statusText([{ ...s, overall: { ...s.overall, percent: 31 } }]), 'Porting to Django · 31 %');
  assert.equal(statusText([{ ...s, hasBaseline: false }]), 'Porting to Django · 6 left');
  assert.equal(statusText([{ ...s, target: 'fastapi' }]), `Porting to FastAPI · ${s.overall.percent} %`);
  assert.equal(statusDetail([s]), "1 of 7 ported · 6 left · 1 won't port · 1 new · 2 h 26 min of work left");
  assert.match(statusDetail([{ ...s, hasBaseline: false, scanning: true }]), /^6 left · no baseline yet · .* · scanning…$/);
  // several folders with baselines: the percent is weighted by baseline size
  const a = { ...s, overall: { ...s.overall, baseline: 30, percent: 50 } };
  const b = { ...s, folderUri: 'file:///b', overall: { ...s.overall, baseline: 10, percent: 10 } };
  assert.equal(statusText([a, b]), 'Porting to Django · 40 %');
});

test('stable ordering and ids whatever the input order', () => {
  const occs = sample();
  const shuffled = [...occs].reverse();
  const x = buildTree([snapshot(occs)], { groupBy: 'category' });
  const y = buildTree([snapshot(shuffled)], { groupBy: 'category' });
  assert.deepEqual(y, x);
  const fx = buildTree([snapshot(occs)], { groupBy: 'file' });
  const fy = buildTree([snapshot(shuffled)], { groupBy: 'file' });
  assert.deepEqual(fy, fx);
  // unknown categories go after the known ones, alphabetically; ties between rules by id
  const odd = buildTree(
    [snapshot([occ({ rule: 'z-rule', category: 'zzz', file: 'a.py', line: 1 }), occ({ rule: 'b-rule', category: 'aaa', file: 'a.py', line: 2 }), occ({ rule: 'flask-g', category: 'testing', file: 'a.py', line: 3 })])],
    { groupBy: 'category' },
  );
  assert.deepEqual(labels(odd), ['testing', 'aaa', 'zzz']);
  assert.equal(odd[1]!.icon, 'symbol-misc');
  const ties = buildTree([snapshot([occ({ rule: 'b', category: 'routing', file: 'a.py', line: 1 }), occ({ rule: 'a', category: 'routing', file: 'a.py', line: 2 })])], { groupBy: 'category' });
  assert.deepEqual(ties[0]!.children.map((r) => r.rule), ['a', 'b']);
});
