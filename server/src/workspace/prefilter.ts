// The scan's textual prefilter: which files can hold a finding, and which must be parsed for the ModuleIndex,
// decided from text alone (no parse).
//
// A rule fires only where its captures resolve to a framework object, and Bindings can only produce a qualified
// name whose root is a module some import statement names: in the file itself, or — through the index — a name a
// project module exports. So a file is *relevant* when its import statements name a source framework's module
// (directRelevance), or import a name the index resolves to a framework object (importsFrameworkName; scan.ts runs
// this as a fixpoint, summarizing newly relevant files each round). Only relevant files are parsed for the index
// (the others get an empty summary); a file is analyzed when it is relevant and contains a needle of an applicable
// rule. Every step over-approximates: extra imports found in strings or comments only add work, never drop a file.
import { absoluteImport, FACTORY, moduleNameFor, SuffixMap, suffixMatchAllowed, type ModuleIndex } from '../analysis/moduleIndex';
import { ruleTarget } from '../analysis/engine';
import { detached } from '../analysis/detached';
import type { LoadedRule } from '../analysis/rule';
import type { Settings, Source } from '../analysis/types';

/** Module roots whose objects the rules of each source framework resolve names to. */
// (the rules resolve to flask.…, flask_login.… and flask_sqlalchemy.… names only — werkzeug's redirect/abort are
// normalized to flask's — so another Flask extension (flask_restful, flask_cors) makes no file relevant. Plain
// sqlalchemy is not a source of the Flask-SQLAlchemy rules: they need a db/Model made by flask_sqlalchemy.)
const ECOSYSTEM: Record<Source, readonly string[]> = {
  flask: ['flask', 'werkzeug'],
  'flask-login': ['flask', 'werkzeug', 'flask_login'],
  'flask-sqlalchemy': ['flask', 'werkzeug', 'flask_sqlalchemy'],
  sqlalchemy: ['sqlalchemy'],
  django: ['django', 'rest_framework'],
  drf: ['django', 'rest_framework'],
  'django-orm': ['django', 'rest_framework'],
  fastapi: ['fastapi', 'starlette', 'pydantic'],
};

export interface FilterPlan {
  /** the rules that apply under the settings */
  rules: LoadedRule[];
  needles: string[];
  /** roots of modules whose import makes a file relevant (ECOSYSTEM, and the roots of rules' required names) */
  roots: Set<string>;
  /** needles of applicable rules that resolve nothing (no `requires`): a file holding one is analyzed regardless */
  ungatedNeedles: string[];
}

export function filterPlan(rules: readonly LoadedRule[], settings: Settings): FilterPlan {
  const applicable = rules.filter((r) => ruleTarget(r, settings));
  const needles = new Set<string>();
  const ungated = new Set<string>();
  const roots = new Set<string>();
  for (const r of applicable) {
    for (const n of r.needles) needles.add(n);
    for (const root of ECOSYSTEM[r.from] ?? []) roots.add(root);
    const reqs = Object.values(r.requires);
    if (!reqs.length) for (const n of r.needles) ungated.add(n);
    for (const req of reqs) if (Array.isArray(req)) for (const q of req as readonly string[]) roots.add(q.split('.')[0]);
  }
  return { rules: applicable, needles: [...needles], roots, ungatedNeedles: [...ungated] };
}

/**
 * Rules without `requires` (flask-view-return) decide in `when`, which resolves decorators: a Flask route, or what
 * an earlier fix-all pass made of one (Django's django.views.decorators.http.require_*, a FastAPI/Starlette path
 * operation). So a file holding such a rule's needle can fire it only when it is relevant, or imports one of these
 * modules directly (as for relevance, names re-exported by project modules that are not relevant are not followed).
 */
export function importsViewMarker(imports: readonly string[]): boolean {
  for (const m of imports) {
    if (m === 'django' || m === 'django.views' || m.startsWith('django.views.')) return true;
    if ((m.startsWith('fastapi') && (m.length === 7 || m[7] === '.')) || (m.startsWith('starlette') && (m.length === 9 || m[9] === '.'))) return true;
  }
  return false;
}

/**
 * The view test's names, one of which must begin a word of a file's own text for its imports to make a decorator a view:
 * `django.views.decorators.http.require_*` (however imported or aliased, the text names `require_`), and an
 * owner resolving to `fastapi.FastAPI()`/`fastapi.APIRouter()` (through the file's own imports the text names
 * `FastAPI` or `APIRouter`). Otherwise only a name the index resolves can do it, and the index holds the summaries
 * of relevant modules only. So a file that is not relevant can fire an ungated rule only when it imports a view
 * marker module (importsViewMarker) and its text holds one of these words or it imports a relevant project module.
 */
export const VIEW_WORDS: readonly string[] = ['require_', 'FastAPI', 'APIRouter'];

export function isRelevantRoot(plan: FilterPlan, moduleName: string): boolean {
  return plan.roots.has(topModule(moduleName));
}

/** The top-level package of a dotted module name (`flask` of `flask.views`). */
export function topModule(moduleName: string): string {
  const dot = moduleName.indexOf('.');
  return dot < 0 ? moduleName : moduleName.slice(0, dot);
}

// Each pattern starts with a literal word, which V8 searches for quickly; the context before it (`\b`, or the start
// of a statement) is checked by hand: as a lookbehind in the pattern it made V8 try the pattern at every position
// (the `import` pattern alone was ≈ 35 ms per 1,000 files). A candidate whose context does not fit is skipped and
// the search resumes one character later, so the matches are those of the patterns with the context inside.
// The two `from` patterns, `from[ \t]+(\.*)[ \t]*([A-Za-z_][\w.]*)?[ \t]+import\b` (the module) and the same head
// without `\b` followed by `[ \t]*(\([^)]*\)|[^\n;]*)` (its names), are run as one walk over their common head.
const FROM_HEAD_RE = /from[ \t]+(\.*)[ \t]*([A-Za-z_][\w.]*)?[ \t]+import/g;
const FROM_STICKY = /from[ \t]+(\.*)[ \t]*([A-Za-z_][\w.]*)?[ \t]+import\b/y;
const LIST_STICKY = /[ \t]*(\([^)]*\)|[^\n;]*)/y;
const IMPORT_RE = /import[ \t]+([^\n;#]+)/g;
/** the first word of each comma-separated item of an import's names (brackets count as white space) */
const ITEM_WORD = /,[\s()]*([^\s,()]*)/g; // (over the names with a comma put before them)
const IDENTIFIER = /^[A-Za-z_]\w*$/;
const DOTTED = /^[A-Za-z_][\w.]*$/;

const isWordChar = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
/** `\b` before a word character at `at` */
const wordStart = (src: string, at: number) => at === 0 || !isWordChar(src.charCodeAt(at - 1));
/** `(?:^|[;:])[ \t]*` (multiline `^`: after any line terminator) right before `at` */
function statementStart(src: string, at: number): boolean {
  let k = at;
  while (k > 0 && (src.charCodeAt(k - 1) === 32 || src.charCodeAt(k - 1) === 9)) k--;
  if (k === 0) return true;
  const c = src.charCodeAt(k - 1);
  return c === 10 || c === 13 || c === 0x2028 || c === 0x2029 || c === 59 || c === 58;
}

function eachMatch(re: RegExp, src: string, fits: (src: string, at: number) => boolean, f: (m: RegExpExecArray) => void) {
  re.lastIndex = 0;
  for (let m; (m = re.exec(src)); ) {
    if (fits(src, m.index)) f(m);
    else re.lastIndex = m.index + 1;
  }
}

/**
 * The `from` imports of a text: `module(dots, rest)` for each match of the module pattern, `names(dots, rest, list)`
 * for each match of the names pattern, each as its own global search would find them: the names pattern resumes
 * after the list it took (a head inside it is not one of its matches), the module pattern after `import`, or one
 * character further when `\b` fails there and no other way to match starts at that head.
 */
function fromImports(src: string, module: (dots: number, rest: string | undefined) => void, names: (dots: number, rest: string | undefined, list: string) => void) {
  FROM_HEAD_RE.lastIndex = 0;
  let namesFrom = 0;
  for (let m; (m = FROM_HEAD_RE.exec(src)); ) {
    const at = m.index;
    const end = FROM_HEAD_RE.lastIndex;
    if (!wordStart(src, at)) {
      FROM_HEAD_RE.lastIndex = at + 1;
      continue;
    }
    if (at >= namesFrom) {
      LIST_STICKY.lastIndex = end;
      const list = LIST_STICKY.exec(src)!; // it matches anywhere (possibly empty)
      namesFrom = LIST_STICKY.lastIndex;
      names(m[1].length, m[2], list[1]);
    }
    let f: RegExpExecArray | null = m;
    if (isWordChar(src.charCodeAt(end))) {
      FROM_STICKY.lastIndex = at;
      f = FROM_STICKY.exec(src);
    }
    if (f) module(f[1].length, f[2]);
    FROM_HEAD_RE.lastIndex = f ? at + f[0].length : at + 1;
  }
}

/** The names `import a.b, c as d` lists (the dotted module names) */
function plainImports(src: string, out: Set<string>) {
  eachMatch(IMPORT_RE, src, statementStart, (m) => {
    const list = `,${m[1]}`;
    ITEM_WORD.lastIndex = 0;
    for (let w; (w = ITEM_WORD.exec(list)); ) if (w[1] && DOTTED.test(w[1])) out.add(w[1]);
  });
}

/**
 * What the file's import statements bind, textually: `[module, names]` for `from module import names` (absolute
 * module; names as imported, '*' for a star import; parenthesized multi-line lists and backslash continuations
 * handled) and `[module]` for `import module`. An over-approximation, like textImports.
 */
export type ImportItem = [module: string, names?: string[]];

/**
 * Both textual import facts of a file in one go (the continuation joining, the `from` walk and the `import` scan
 * shared):
 * `imports`, the absolute names of the modules its import statements name (an over-approximation; sorted, unique),
 * and `items`, what they bind (ImportItem).
 */
export function textImportFacts(text: string, rel: string): { imports: string[]; items: ImportItem[] } {
  if (!text.includes('import')) return { imports: [], items: [] };
  const src = text.includes('\\') ? text.replace(/\\\r?\n/g, ' ') : text;
  const mod = moduleNameFor(rel);
  const imports = new Set<string>();
  const byModule = new Map<string, Set<string>>();
  fromImports(
    src,
    (dots, rest) => {
      const abs = absoluteImport(mod, dots, rest);
      if (abs) imports.add(abs);
    },
    (dots, rest, list) => {
      const abs = absoluteImport(mod, dots, rest);
      if (!abs) return;
      let set = byModule.get(abs);
      if (!set) byModule.set(abs, (set = new Set()));
      // each comma-separated item's first word (comments and brackets count as white space)
      const names = `,${list.includes('#') ? list.replace(/#[^\n]*/g, ' ') : list}`;
      ITEM_WORD.lastIndex = 0;
      for (let m; (m = ITEM_WORD.exec(names)); ) {
        const name = m[1];
        if (name === '*' || (name && IDENTIFIER.test(name))) set.add(name);
      }
    },
  );
  const plain = new Set<string>();
  plainImports(src, plain);
  for (const p of plain) imports.add(p);
  const items: ImportItem[] = [];
  // (the cache keeps them: copies, not views into the text)
  for (const [m, names] of [...byModule].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) items.push([detached(m), [...names].sort().map(detached)]);
  for (const m of [...plain].sort()) items.push([detached(m)]);
  return { imports: [...imports].sort().map(detached), items };
}

/** Absolute names of the modules the file's import statements name (an over-approximation; sorted, unique). */
export function textImports(text: string, rel: string): string[] {
  return textImportFacts(text, rel).imports;
}

export function textImportItems(text: string, rel: string): ImportItem[] {
  return textImportFacts(text, rel).items;
}

/** Whether a qualified name from the index stands for an object of a framework the applicable rules port from. */
export function isFrameworkName(plan: FilterPlan, q: string): boolean {
  return isRelevantRoot(plan, q.startsWith(FACTORY) ? q.slice(FACTORY.length) : q);
}

/**
 * Name-level relevance against the index as it is: whether one of the file's imports binds a name that the index
 * resolves to a framework object (`from .extensions import db`, `from .models import User`), or star-imports /
 * imports a project module exporting one. `exportsFramework` memoizes per module (valid while the index is).
 */
export function importsFrameworkName(plan: FilterPlan, items: readonly ImportItem[], index: ModuleIndex, exportsFramework: Map<string, boolean>, self: string): boolean {
  const anyExport = (module: string): boolean => {
    let v = exportsFramework.get(module);
    if (v !== undefined) return v;
    v = false;
    const s = index.summaryOf(module);
    if (s) {
      for (const name of Object.keys(s)) {
        const q = index.resolveExport(module, name);
        if (q && isFrameworkName(plan, q)) {
          v = true;
          break;
        }
      }
    }
    exportsFramework.set(module, v);
    return v;
  };
  for (const [module, names] of items) {
    if (module === self || !index.has(module)) continue;
    if (!names) {
      if (anyExport(module)) return true;
      continue;
    }
    for (const n of names) {
      if (n === '*') {
        if (anyExport(module)) return true;
      } else {
        const q = index.resolveExport(module, n);
        if (q && isFrameworkName(plan, q)) return true;
      }
    }
  }
  return false;
}

/** Whether `word` occurs in the text at a word boundary, as `new RegExp(`\\b${word}`)` finds it (without the pattern). */
export function holdsWordStart(text: string, word: string): boolean {
  if (!word) return true;
  const first = isWordChar(word.charCodeAt(0));
  for (let i = text.indexOf(word); i >= 0; i = text.indexOf(word, i + 1)) {
    if ((i > 0 && isWordChar(text.charCodeAt(i - 1))) !== first) return true;
  }
  return false;
}

/** Module-name lookup exactly as ModuleIndex.find does it: exact, or the one module whose name ends with it. */
export class ModuleNames {
  private readonly exact = new Map<string, string>();
  /** (the scan's ModuleIndex of the same files shares it) */
  readonly bySuffix = new SuffixMap();

  /** `nameOf`: each file's module name (moduleNameFor's, as the caller has them) */
  constructor(rels: Iterable<string>, nameOf: (rel: string) => string = (rel) => moduleNameFor(rel).name) {
    for (const rel of rels) {
      const name = nameOf(rel);
      const seen = this.exact.has(name);
      this.exact.set(name, rel); // a later file of the same module wins, as in ModuleIndex.set
      if (!seen) this.bySuffix.add(name);
    }
  }

  /** The file (rel) that holds module `name` (the last one, as in ModuleIndex.set), by exact name. */
  fileOf(name: string): string | undefined {
    return this.exact.get(name);
  }

  /** The file (rel) of the project module an import names, or undefined for a module outside the project. */
  find(module: string): string | undefined {
    const rel = this.exact.get(module);
    if (rel !== undefined) return rel;
    if (!suffixMatchAllowed(module)) return undefined;
    const one = this.bySuffix.only(module);
    return one === undefined ? undefined : this.exact.get(one);
  }
}

export interface FileFacts {
  rel: string;
  imports: string[];
}

/**
 * The directly relevant files (one of their imports names a module of a source framework of the applicable rules),
 * each file's project-module dependencies, and the files some import statement names (a file's own included).
 * The name-level fixpoint over the index is in scan.ts.
 *
 * Only a named module's summary is ever read: Bindings consults the index for `from m import x` (m's summary), the
 * prefilter for the modules a file imports, and the index's own chains for the modules the summaries import —
 * always a module some import statement names. So a file no import names needs no summary.
 */
export function directRelevance(plan: FilterPlan, facts: readonly FileFacts[], names: ModuleNames): { relevant: Set<string>; deps: Map<string, string[]>; imported: Set<string> } {
  const relevant = new Set<string>();
  const deps = new Map<string, string[]>();
  const imported = new Set<string>();
  for (const f of facts) {
    const d: string[] = [];
    let direct = false;
    for (const imp of f.imports) {
      if (isRelevantRoot(plan, imp)) direct = true;
      const target = names.find(imp);
      if (target === undefined) continue;
      imported.add(target);
      if (target !== f.rel) d.push(target);
    }
    deps.set(f.rel, d);
    if (direct) relevant.add(f.rel);
  }
  return { relevant, deps, imported };
}
