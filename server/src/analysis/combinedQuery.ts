// One query made of every rule's patterns, each shape once: a full analysis walks each statement once for the whole
// rule set, and a match goes to the rules that own its pattern (engine.ts).
import type { PythonGrammar, Query } from '../parsing/python';
import type { LoadedRule } from './rule';
import { liftTextPredicates, splitPatterns, type TextCheck } from './queryPatterns';

/** Whether a full analysis finds the rule's candidates by the names it refers to (rule.ts `refersTo`, nameFinder.ts). */
export const byName = (rule: LoadedRule) => !!rule.refersTo?.length;

/** One query made of every rule's patterns: a full analysis walks the tree once for the whole rule set. */
export interface Combined {
  query: Query;
  /** combined pattern index → the rules (by index in the rule list) whose query holds a pattern of that shape */
  ownersOf: Owner[][];
}
/** A rule a pattern of the combined query stands for, with the text predicates lifted out of its own pattern. */
export interface Owner {
  order: number;
  checks?: TextCheck[];
}
const combinedCache = new WeakMap<PythonGrammar, WeakMap<readonly LoadedRule[], Map<string, Combined | null>>>();

/**
 * The combined query of the rules, or of those of the given sources only (`sources`: a file where no rule of a source
 * applies does not walk its patterns; each set compiled once). Owners are indices into `rules` either way.
 */
export function combinedFor(grammar: PythonGrammar, rules: readonly LoadedRule[], sources?: ReadonlySet<string>): Combined | undefined {
  let g = combinedCache.get(grammar);
  if (!g) combinedCache.set(grammar, (g = new WeakMap()));
  let m = g.get(rules);
  if (!m) g.set(rules, (m = new Map()));
  const key = sources ? [...sources].sort().join(',') : '*';
  let c = m.get(key);
  if (c === undefined) {
    c = null;
    try {
      // patterns of the same shape (once their literal text predicates are lifted: queryPatterns.ts) are one pattern
      // of the combined query, owned by every rule that has one; a query that cannot be split stays whole
      const shapes = new Map<string, Owner[]>();
      for (let i = 0; i < rules.length; i++) {
        if (byName(rules[i])) continue; // found by their names in a full analysis, by their own query otherwise
        if (sources && !sources.has(rules[i].from)) continue;
        const patterns = splitPatterns(rules[i].query);
        for (const p of patterns ?? [rules[i].query]) {
          const lifted = patterns ? liftTextPredicates(p) : undefined;
          // (an unlifted pattern keeps its predicates for web-tree-sitter: its key cannot equal a lifted shape)
          const key = lifted ? lifted.shape : `\0${p}`;
          const owner: Owner = lifted?.checks.length ? { order: i, checks: lifted.checks } : { order: i };
          const list = shapes.get(key);
          if (list) list.push(owner);
          else shapes.set(key, [owner]);
        }
      }
      // a pattern belongs to the shape whose bytes hold its start
      const source: string[] = [];
      const spans: { end: number; owners: Owner[] }[] = [];
      const utf8 = new TextEncoder();
      let bytes = 0;
      for (const [key, owners] of shapes) {
        const text = key.startsWith('\0') ? key.slice(1) : key;
        source.push(text, '\n');
        bytes += utf8.encode(text).length + 1;
        spans.push({ end: bytes, owners });
      }
      const query = grammar.query(source.join(''));
      const ownersOf: Owner[][] = [];
      let s = 0;
      for (let p = 0; p < query.patternCount(); p++) {
        const at = query.startIndexForPattern(p);
        while (s < spans.length && at >= spans[s].end) s++;
        if (s === spans.length) break;
        ownersOf.push(spans[s].owners);
      }
      if (ownersOf.length === query.patternCount()) c = { query, ownersOf };
      else query.delete();
    } catch {
      c = null; // a rule's query that does not compile: the per-rule path reports it as before
    }
    m.set(key, c);
  }
  return c ?? undefined;
}
