// What a rule is. Each rule lives in server/src/rules/<source>/<rule-id>/: rule.ts (this shape), query.scm,
// fixtures/. scripts/gen-rules.mjs gathers them; nothing else needs to change to add one.
import type { Node, Tree } from '../parsing/python';
import type { Bindings } from './bindings';
import type { FixBuilder } from './fixBuilder';
import type { Category, FixTarget, Settings, Source } from './types';

export interface RuleContext {
  text: string;
  tree: Tree;
  bindings: Bindings;
  settings: Settings;
  /** the target this rule is being asked about: a web target for web rules, an ORM target for ORM rules */
  target: FixTarget;
}

export interface RuleMatch {
  /** the first node of each capture */
  captures: Record<string, Node>;
  /** every node of each capture (for quantified captures) */
  all: Record<string, Node[]>;
  /** the node the finding covers: @finding, else the match's first capture */
  node: Node;
  ctx: RuleContext;
  /** what a node stands for: 'flask.request', 'flask.Flask()', … */
  resolve(node: Node | null | undefined): string | undefined;
}

/** Qualified names a captured node must stand for, or a predicate over its qualified name. */
export type Requirement = readonly string[] | ((qname: string | undefined, node: Node, m: RuleMatch) => boolean);

export interface RuleFix {
  /** the code action's title; may depend on the match */
  title: string | ((m: RuleMatch) => string);
  /** whether the rewrite keeps behaviour; a fix that calls fx.todo() or fx.unsafe() is unsafe whatever this says */
  safe: boolean;
  /** builds the rewrite; returns false when this match cannot be rewritten (then no quick fix is offered) */
  apply(m: RuleMatch, fx: FixBuilder): boolean | void;
}

export interface RuleExample {
  target: FixTarget;
  before: string;
  after: string;
}

export interface RuleDef {
  id: string;
  from: Source;
  category: Category;
  /** short name shown in lists, e.g. "Flask route decorator" */
  title: string;
  message: string | ((m: RuleMatch) => string);
  effortMinutes: number;
  /** textual prefilter: a file that contains none of these is never queried by this rule */
  needles: readonly string[];
  requires: Record<string, Requirement>;
  /**
   * For a rule whose query captures any name or attribute as @finding (`[(identifier) (attribute)] @finding`): the
   * qualified names such a finding stands for ('flask.g'). A full analysis then looks only at the names some binding
   * makes stand for one of them and at the attributes ending in one of their last names (nameFinder.ts), instead of
   * matching every name in the file; `requires` still decides. An incremental run, and a file with a star import,
   * use the query.
   */
  refersTo?: readonly string[];
  /**
   * Parameter names this rule may act on without their being bound to a framework object (a `request` parameter a
   * fix gave a view; `cls` in a model's classmethod). A full analysis queries only statements naming a
   * framework-bound name (engine.ts fullUnits) or one of these; the scan's partial parse keeps the top-level
   * statements with a `def` whose parameters name one (partialParse.ts).
   */
  unboundNames?: readonly string[];
  when?: (m: RuleMatch) => boolean;
  fixes: Partial<Record<FixTarget, RuleFix>>;
  docs: {
    summary: string;
    /** behaviour that changes across frameworks, worth a warning */
    notes?: readonly string[];
    links?: readonly string[];
  };
}

/** A rule as the engine holds it: the definition plus what gen-rules.mjs adds from its folder. */
export interface LoadedRule extends RuleDef {
  query: string;
  examples: RuleExample[];
  /** folder relative to the repository, for docs and fixture tests */
  dir: string;
}

export function defineRule(def: RuleDef): RuleDef {
  return def;
}
