// Which statements of a file can hold a finding: those naming something that may be bound to a framework object.
// The engine queries only those (fullUnits); the workspace scan parses only the top-level statements that can
// (partialParse.ts).
import { MATCH_OPTIONS, type PythonGrammar, type Query, type Node } from '../parsing/python';
import { dependencyNodes, textOf, type Bindings } from './bindings';
import { FACTORY } from './moduleIndex';
import { wordsRe } from './words';

/**
 * A module's statements, with a class's header parts and body statements in place of the class, and the nodes an
 * ERROR holds in place of the ERROR (recursively): an unclosed bracket can make the rest of the file one ERROR, which
 * names everything (as the incremental path's statementsOf, whose roots are these).
 */
export function statementUnits(root: Node): Node[] {
  const units: Node[] = [];
  const expand = (n: Node) => {
    for (const c of n.namedChildren) {
      if (!c) continue;
      if (c.type === 'ERROR') {
        expand(c);
        continue;
      }
      const body = c.type === 'class_definition' ? c.childForFieldName('body') : null;
      if (!body) {
        units.push(c);
        continue;
      }
      for (const k of c.namedChildren) if (k && k.endIndex <= body.startIndex) units.push(k);
      expand(body);
    }
  };
  expand(root);
  return units;
}

/**
 * The module's statements (an ERROR's nodes in place of the ERROR, as statementUnits has them) that hold one of the
 * units (in document order): a pattern rooted at a class can only make a finding in the statement that holds the unit
 * its captured framework name lies in.
 */
export function statementsHolding(root: Node, units: readonly Node[]): Node[] {
  const out: Node[] = [];
  let k = 0;
  const visit = (n: Node) => {
    for (const c of n.namedChildren) {
      if (!c || k >= units.length) return;
      if (c.type === 'ERROR') {
        visit(c);
        continue;
      }
      while (k < units.length && units[k].endIndex <= c.startIndex && units[k].startIndex < c.startIndex) k++;
      if (k < units.length && units[k].startIndex >= c.startIndex && units[k].endIndex <= c.endIndex) {
        out.push(c);
        while (k < units.length && units[k].endIndex <= c.endIndex) k++;
      }
    }
  };
  visit(root);
  return out;
}

/**
 * Modules whose objects the rules look at (a name bound to anything else never makes a finding): the Flask family
 * and SQLAlchemy, and what a fix-all pass makes of a Flask view (Django's view decorators and models, FastAPI).
 */
const FRAMEWORK_ROOT = /^(flask\w*|werkzeug|sqlalchemy|django\.(views|db)|fastapi|starlette)(\.|\(|$)/;

/** Whether a resolved name is an object of a framework the rules look at. */
export function isFrameworkName(q: string | undefined): boolean {
  return !!q && FRAMEWORK_ROOT.test(q.startsWith(FACTORY) ? q.slice(FACTORY.length) : q);
}

/**
 * What the text of an `x.name = value` holds: a dot, a name, perhaps an annotation (`x.name: T = value`), then an
 * `=` that is not `==` (spaces and line continuations between).
 */
const ATTRIBUTE_ASSIGNMENT = /\.\s*[\p{L}_][\p{L}\p{N}_]*[\s\\]*(?::[^=]*)?=(?!=)/u;

const attrQueries = new WeakMap<PythonGrammar, Query>();
/** Every `x.name = value` under the node. */
function attributeAssignments(grammar: PythonGrammar, at: Node): { name: string; value: Node }[] {
  let q = attrQueries.get(grammar);
  if (!q) attrQueries.set(grammar, (q = grammar.query('(assignment left: (attribute attribute: (identifier) @name) right: (_) @value)')));
  return q.matches(at, MATCH_OPTIONS).flatMap((m) => {
    const name = m.captures.find((c) => c.name === 'name')?.node;
    const value = m.captures.find((c) => c.name === 'value')?.node;
    return name && value ? [{ name: name.text, value }] : [];
  });
}

/**
 * The names that may be bound to a framework object, and which units (statements) name one (`hit`), or undefined
 * when a star import makes that unknowable. A name counts when one of its bindings is an import of a framework object, or an
 * assignment, class or def (module or class level) whose dependency text names a name that counts, to a fixpoint;
 * so does an attribute (`self.app = create_app()`: rules read what a class assigns to an attribute) whose assigned
 * value does. A function's own names are not followed: they are read only inside the function, a unit that names
 * what they derive from. Attribute assignments are looked for only in units that already name such a name (their
 * value must). `extra`: names whose units count too, without being followed.
 */
export function frameworkUnits(grammar: PythonGrammar, bindings: Bindings, text: string, units: Node[], extra: readonly string[]): { names: Set<string>; hit: boolean[] } | undefined {
  bindings.collectVisible();
  const all = bindings.collectedBindings();
  if (all.wildcards) return undefined;
  const names = new Set<string>();
  const deps: { name: string; text: string }[] = [];
  for (const b of all.list) {
    if (b.kind === 'import' || b.kind === 'from-import') {
      if (isFrameworkName(bindings.resolveBinding(b))) names.add(b.name);
    } else if (b.scope.kind !== 'function' && (b.kind === 'assign' || b.kind === 'class' || b.kind === 'def')) {
      deps.push({ name: b.name, text: textOf(text, dependencyNodes(b)) });
    }
  }
  const hit = new Array<boolean>(units.length).fill(false);
  if (!names.size) return { names, hit };
  const unitText = units.map((u) => text.slice(u.startIndex, u.endIndex));
  // each round tests the texts only for the names the last round added (a unit or dependency that did not name the
  // earlier ones still does not); a dependency found this round is tested for every name
  let fresh = [...names];
  let tested = 0; // deps[0, tested) were tested for every name but `fresh`
  while (fresh.length) {
    const re = wordsRe(fresh);
    unitText.forEach((t, i) => {
      if (hit[i] || !re.test(t)) return;
      hit[i] = true;
      // (the query walks the whole unit: most units assign no attribute)
      if (!ATTRIBUTE_ASSIGNMENT.test(t)) return;
      for (const a of attributeAssignments(grammar, units[i])) deps.push({ name: a.name, text: textOf(text, [a.value]) });
    });
    const all = deps.length > tested ? wordsRe(names) : re;
    const added: string[] = [];
    deps.forEach((d, j) => {
      if (names.has(d.name) || !(j < tested ? re : all).test(d.text)) return;
      names.add(d.name);
      added.push(d.name);
    });
    tested = deps.length;
    fresh = added;
  }
  const more = extra.filter((n) => !names.has(n));
  if (more.length) {
    const re = wordsRe(more);
    unitText.forEach((t, i) => (hit[i] ||= re.test(t)));
  }
  return { names, hit };
}

