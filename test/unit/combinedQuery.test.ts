// The combined query holds each pattern shape once, with literal text predicates lifted out (queryPatterns.ts,
// combinedQuery.ts): it must give each rule exactly the matches the rule's own query gives under web-tree-sitter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exampleAndFixtureCases, grammar, RULES } from '../helpers';
import { byName, combinedFor } from '../../server/src/analysis/combinedQuery';
import { checksHold, liftTextPredicates, splitPatterns } from '../../server/src/analysis/queryPatterns';
import type { Node, QueryMatch } from '../../server/src/parsing/python';

test('a query text splits into its top-level patterns; comments and strings do not confuse it', () => {
  assert.deepEqual(splitPatterns('(call) @a\n; a comment (with "a paren\n(attribute attribute: (identifier) @x (#eq? @x "a)(;")) @f'), [
    '(call) @a',
    '(attribute attribute: (identifier) @x (#eq? @x "a)(;")) @f',
  ]);
  assert.deepEqual(splitPatterns('[(identifier) (attribute)] @finding\n((call) @c (#eq? @c "x"))'), ['[(identifier) (attribute)] @finding', '((call) @c (#eq? @c "x"))']);
  assert.deepEqual(splitPatterns('(call)* @a (x)'), ['(call)* @a', '(x)']);
  // a capture name with an underscore stays with its pattern; an anonymous node and a wildcard start their own
  assert.deepEqual(splitPatterns('(call) @my_call\n"def" @kw\n_ @any'), ['(call) @my_call', '"def" @kw', '_ @any']);
  assert.equal(splitPatterns('(call'), undefined);
  assert.equal(splitPatterns('(call))'), undefined);
  assert.equal(splitPatterns('(call "x)'), undefined);
});

test('literal #eq?/#any-of? predicates are lifted; patterns differing only in them have one shape', () => {
  const a = liftTextPredicates('(attribute\n  object: (_) @req\n  attribute: (identifier) @attr\n  (#eq? @attr "args")) @finding');
  const b = liftTextPredicates('((attribute object: (_) @req attribute: (identifier) @attr) @finding\n  (#any-of? @attr "method" "path"))');
  assert.ok(a && b);
  assert.equal(a.shape, '(attribute object: (_) @req attribute: (identifier) @attr) @finding');
  assert.equal(b.shape, a.shape);
  assert.deepEqual(a.checks, [{ capture: 'attr', values: ['args'], holdsWhenAbsent: true }]);
  assert.deepEqual(b.checks, [{ capture: 'attr', values: ['method', 'path'], holdsWhenAbsent: false }]);
  // escapes in literals are read as the query language reads them
  assert.deepEqual(liftTextPredicates('((string) @s (#eq? @s "a\\"b"))')?.checks, [{ capture: 's', values: ['a"b'], holdsWhenAbsent: true }]);
  // a group of more than one node is not one node's pattern: not unwrapped
  assert.equal(liftTextPredicates('((identifier) @a (identifier) @b (#eq? @a "x"))')?.shape, '((identifier) @a (identifier) @b)');
});

test('a pattern with another predicate, a directive or a quantifier is not lifted', () => {
  assert.equal(liftTextPredicates('((identifier) @a (#match? @a "^x"))'), undefined);
  assert.equal(liftTextPredicates('((identifier) @a (#eq? @a "x") (#set! k "v"))'), undefined);
  assert.equal(liftTextPredicates('((identifier) @a (#eq? @a @b))'), undefined);
  assert.equal(liftTextPredicates('((identifier) @a (#eq? @a "x" "y"))'), undefined);
  assert.equal(liftTextPredicates('((decorator)* @d (#any-of? @d "x"))'), undefined);
  // no predicate at all: the pattern is its own shape
  assert.deepEqual(liftTextPredicates('(call function: (_) @fn) @finding'), { shape: '(call function: (_) @fn) @finding', checks: [] });
});

test('lifted checks hold as web-tree-sitter evaluates them: every node of the capture; an absent capture passes #eq? only', () => {
  const text = 'a b';
  const at = (s: number, e: number) => ({ startIndex: s, endIndex: e });
  const eq = { capture: 'x', values: ['a'], holdsWhenAbsent: true };
  const anyOf = { capture: 'x', values: ['a', 'b'], holdsWhenAbsent: false };
  assert.equal(checksHold([eq], { x: [at(0, 1)] }, text), true);
  assert.equal(checksHold([eq], { x: [at(2, 3)] }, text), false);
  assert.equal(checksHold([eq], { x: [at(0, 1), at(2, 3)] }, text), false);
  assert.equal(checksHold([eq], {}, text), true);
  assert.equal(checksHold([anyOf], { x: [at(0, 1), at(2, 3)] }, text), true);
  assert.equal(checksHold([anyOf], {}, text), false);
});

const key = (id: string, qm: QueryMatch) =>
  `${id} ${qm.captures
    .map((c) => `${c.name}@${c.node.startIndex}-${c.node.endIndex}`)
    .sort()
    .join(' ')}`;

test('on every example file and rule fixture, the combined query (of all sources, or of some) gives each rule the matches of its own query', async () => {
  const g = await grammar;
  const combined = combinedFor(g, RULES);
  assert.ok(combined, 'the rule set compiles as one query');
  // shapes are shared: fewer patterns than the rules' own queries hold
  const own = RULES.filter((r) => !byName(r)).map((r) => g.query(r.query));
  const ownPatterns = own.reduce((s, q) => s + q.patternCount(), 0);
  assert.ok(combined.query.patternCount() < ownPatterns - 10, `${combined.query.patternCount()} of ${ownPatterns}`);
  assert.ok(combined.ownersOf.some((o) => o.length > 3 && o.every((x) => x.checks)), 'rules that differ only in a predicate share a pattern');
  const subsets = [new Set(['flask']), new Set(['flask-sqlalchemy']), new Set(['flask', 'flask-login'])];
  const variants = [{ sources: undefined, query: combined }, ...subsets.map((sources) => ({ sources, query: combinedFor(g, RULES, sources)! }))];
  for (const v of variants.slice(1)) assert.ok(v.query && v.query.query.patternCount() < combined.query.patternCount(), [...v.sources!].join());
  const fromOf = new Map(RULES.map((r) => [r.id, r.from]));
  const parser = g.newParser();
  let files = 0;
  let compared = 0;
  const seenTexts = new Set<string>();
  for await (const { file, text } of exampleAndFixtureCases()) {
    if (seenTexts.has(text)) continue; // (the cases repeat each file per target: matches do not depend on it)
    seenTexts.add(text);
    const tree = parser.parse(text);
    assert.ok(tree);
    try {
      const root: Node = tree.rootNode;
      const viaOwn = new Set<string>();
      RULES.filter((r) => !byName(r)).forEach((r, i) => {
        for (const qm of own[i].matches(root)) viaOwn.add(key(r.id, qm));
      });
      for (const { sources, query } of variants) {
        const viaCombined = new Set<string>();
        for (const qm of query.query.matches(root)) {
          const all: Record<string, Node[]> = {};
          for (const c of qm.captures) (all[c.name] ??= []).push(c.node);
          for (const o of query.ownersOf[qm.patternIndex]) if (!o.checks || checksHold(o.checks, all, text)) viaCombined.add(key(RULES[o.order].id, qm));
        }
        const expected = [...viaOwn].filter((k) => !sources || sources.has(fromOf.get(k.split(' ')[0])!));
        assert.deepEqual([...viaCombined].sort(), expected.sort(), `${file} (${sources ? [...sources].join() : 'all sources'})`);
      }
      compared += viaOwn.size;
      files++;
    } finally {
      tree.delete();
    }
  }
  parser.delete();
  for (const q of own) q.delete();
  assert.ok(files > 150, `${files} files`);
  assert.ok(compared > 1000, `${compared} matches`);
});
