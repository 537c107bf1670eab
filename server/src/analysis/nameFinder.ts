// Finds the candidates of rules that name what their finding stands for (rule.ts `refersTo`) by those names, instead
// of a query that matches every name and attribute: in the benchmark's scan such patterns made 30,000 of 40,000
// query matches, each a Node built by web-tree-sitter, resolved and dropped, for 17 findings.
import { attributeNamesFor, type Bindings } from './bindings';
import type { Node } from '../parsing/python';
import { wordsRe } from './words';

/**
 * What `[(identifier) (attribute)] @finding` would capture in a unit that can stand for one of `qnames`: every
 * identifier some visible binding makes stand for one of them, and every attribute ending in one of their last
 * names (resolve() reads an attribute as its object's name plus its own). Undefined when a star import may bind any
 * name: then the query must run.
 */
export function nameFinder(
  bindings: Bindings,
  text: string,
  qnames: ReadonlySet<string>,
  units: readonly Node[],
): ((unit: Node) => Node[]) | undefined {
  const attrs = attributeNamesFor(qnames);
  const names = bindings.namesBoundTo(qnames, units, attrs);
  if (!names) return undefined;
  const re = wordsRe([...names, ...attrs], { flags: 'g' });
  return (unit) => {
    const out: Node[] = [];
    // the unit's own text: a search of the whole text would run past the unit to the next word, as far as the end of
    // the file for each of a thousand units that name none (a unit starts and ends at a token: no word is cut)
    const base = unit.startIndex;
    const src = text.slice(base, unit.endIndex);
    re.lastIndex = 0;
    for (let m = re.exec(src); m; m = re.exec(src)) {
      const start = base + m.index;
      const end = start + m[0].length;
      const id = unit.descendantForIndex(start, end);
      // (a word in a string or a comment is no identifier)
      if (!id || id.type !== 'identifier' || id.startIndex !== start || id.endIndex !== end) continue;
      if (names.has(m[0])) out.push(id);
      if (attrs.has(m[0])) {
        const p = id.parent;
        if (p?.type === 'attribute' && p.childForFieldName('attribute')?.startIndex === start) out.push(p);
      }
    }
    return out;
  };
}
