// What each project module exports that a framework made (`db = SQLAlchemy()`, `class User(db.Model)`,
// `from .extensions import db`), so a name imported from the project's own modules resolves across files.
import type { Node } from '../parsing/python';
import type { Bindings } from './bindings';

type Entry =
  | { k: 'q'; q: string }
  | { k: 'import'; module: string; name: string }
  | { k: 'module'; module: string }
  | { k: 'path'; path: string; call: boolean }
  | { k: 'class'; bases: string[] }
  | { k: 'def'; returns: string };

export type ModuleSummary = Record<string, Entry>;

/**
 * Top-level modules of the frameworks (and their companions) the rules resolve names to. An absolute import whose
 * first segment is one of these names the framework: it matches a project module only exactly (a project package
 * `keystone/server/flask/` must not shadow `from flask import request` by suffix).
 */
export const FRAMEWORK_MODULES: ReadonlySet<string> = new Set([
  'flask', 'flask_sqlalchemy', 'flask_login', 'flask_wtf', 'flask_migrate', 'werkzeug', 'jinja2', 'itsdangerous',
  'sqlalchemy', 'django', 'rest_framework', 'fastapi', 'starlette', 'pydantic',
]);

/** Whether an absolute module name may match a project module by suffix (not for a framework's own modules). */
export function suffixMatchAllowed(module: string): boolean {
  const dot = module.indexOf('.');
  return !FRAMEWORK_MODULES.has(dot < 0 ? module : module.slice(0, dot));
}

/** Prefix of a resolved name that is a function returning a framework object (an app factory). */
export const FACTORY = 'factory:';

/**
 * The absolute module of `from <dots><rest> import …` written in module `mod`: each dot after the first climbs one
 * package ('' when it climbs above the root and names nothing).
 */
export function absoluteImport(mod: { name: string; isPackage: boolean }, dots: number, rest: string | undefined): string {
  if (!dots) return rest ?? '';
  const parts = mod.name ? mod.name.split('.') : [];
  if (!mod.isPackage) parts.pop();
  for (let i = 1; i < dots; i++) parts.pop();
  if (rest) parts.push(rest);
  return parts.join('.') || (rest ?? '');
}

/** 'blog/views.py' → { name: 'blog.views', isPackage: false }; 'blog/__init__.py' → { name: 'blog', isPackage: true } */
export function moduleNameFor(relPath: string): { name: string; isPackage: boolean } {
  let p = relPath.includes('\\') ? relPath.replace(/\\/g, '/') : relPath;
  if (p.endsWith('.py')) p = p.slice(0, -3);
  else if (p.endsWith('.pyi')) p = p.slice(0, -4);
  const parts = p.split('/').filter(Boolean);
  const isPackage = parts[parts.length - 1] === '__init__';
  if (isPackage) parts.pop();
  return { name: parts.join('.'), isPackage };
}

/**
 * Which module each dotted suffix of the names added stands for (`c` of `a.b.c`, `b.c`, `a.b.c`): the one module, or
 * null when two or more modules end with it. How an import is matched to a project module by suffix.
 */
export class SuffixMap {
  private readonly map = new Map<string, string | null>();
  private readonly names = new Set<string>();

  /** (a name added again changes nothing) */
  add(name: string) {
    if (this.names.has(name)) return;
    this.names.add(name);
    for (let i = -1; ; ) {
      const suffix = i < 0 ? name : name.slice(i + 1);
      const had = this.map.get(suffix);
      this.map.set(suffix, had === undefined ? name : null);
      i = name.indexOf('.', i + 1);
      if (i < 0) break;
    }
  }

  /** The one module whose name ends with `suffix` (undefined: none, or more than one). */
  only(suffix: string): string | undefined {
    return this.map.get(suffix) ?? undefined;
  }
}

function dottedPath(n: Node | null | undefined): string | undefined {
  if (!n) return undefined;
  if (n.type === 'identifier') return n.text;
  if (n.type === 'attribute') {
    const o = dottedPath(n.childForFieldName('object'));
    const a = n.childForFieldName('attribute');
    return o && a ? `${o}.${a.text}` : undefined;
  }
  return undefined;
}

/** The module-level names of one file, as descriptions the index can resolve later. */
export function summarize(b: Bindings): ModuleSummary {
  const out: ModuleSummary = {};
  for (const [name, list] of b.module.bindings) {
    const last = list[list.length - 1];
    switch (last.kind) {
      case 'import':
        out[name] = { k: 'module', module: last.module ?? name };
        break;
      case 'from-import':
        out[name] = { k: 'import', module: last.module ?? '', name: last.importedName ?? name };
        break;
      case 'assign': {
        const v = last.value;
        if (v?.type === 'call') {
          const p = dottedPath(v.childForFieldName('function'));
          if (p) out[name] = { k: 'path', path: p, call: true };
          else {
            const q = b.resolve(v);
            if (q) out[name] = { k: 'q', q };
          }
        } else {
          const p = dottedPath(v);
          if (p) out[name] = { k: 'path', path: p, call: false };
        }
        break;
      }
      case 'class': {
        const bases = (last.bases ?? []).map(dottedPath).filter((x): x is string => !!x);
        if (bases.length) out[name] = { k: 'class', bases };
        break;
      }
      case 'def': {
        const q = last.def ? b.returnsOf(last.def) : undefined;
        if (q) out[name] = { k: 'def', returns: q };
        break;
      }
    }
  }
  return out;
}

export class ModuleIndex {
  /** a function: the summary is made when first asked for (setLazy) */
  private readonly modules = new Map<string, ModuleSummary | (() => ModuleSummary)>();

  /**
   * `bySuffix`: the suffixes of the names this index will be given, made already (the scan's ModuleNames of the
   * same files: made once, not twice); the index adds to it any other name it is given.
   */
  constructor(private readonly bySuffix = new SuffixMap()) {}

  /** bumped by every set(): an analysis made with an older version may resolve differently */
  version = 0;

  set(moduleName: string, summary: ModuleSummary) {
    this.put(moduleName, summary);
  }

  /**
   * A module whose summary is made the first time a lookup needs it (the language server's folder index: an open
   * file reads the summaries of the few modules its imports reach, not those of every file of the folder).
   */
  setLazy(moduleName: string, summary: () => ModuleSummary) {
    this.put(moduleName, summary);
  }

  private put(moduleName: string, summary: ModuleSummary | (() => ModuleSummary)) {
    this.version++;
    if (!this.modules.has(moduleName)) this.bySuffix.add(moduleName);
    this.modules.set(moduleName, summary);
  }

  get size() {
    return this.modules.size;
  }

  /** The summary registered for a project module (exact or by suffix, as imports are resolved). */
  summaryOf(module: string): ModuleSummary | undefined {
    return this.find(module);
  }

  /** The project module an import names: exact, or the one module whose dotted name ends with it. */
  private find(module: string): ModuleSummary | undefined {
    const name = this.nameOf(module);
    if (name === undefined) return undefined;
    const s = this.modules.get(name)!;
    if (typeof s !== 'function') return s;
    const made = s();
    this.modules.set(name, made);
    return made;
  }

  private nameOf(module: string): string | undefined {
    if (this.modules.has(module)) return module;
    if (!suffixMatchAllowed(module)) return undefined;
    return this.bySuffix.only(module) ?? undefined;
  }

  has(module: string): boolean {
    return this.nameOf(module) !== undefined;
  }

  resolveExport(module: string, name: string, depth = 0): string | undefined {
    if (depth > 20) return undefined;
    const summary = this.find(module);
    if (!summary) return undefined;
    const e = summary[name];
    if (!e) return undefined;
    switch (e.k) {
      case 'q':
        return e.q;
      case 'def':
        // a factory: calling it gives what it returns (see Bindings.resolve of a call)
        return `${FACTORY}${e.returns}`;
      case 'module':
        return this.has(e.module) ? undefined : e.module;
      case 'import':
        return this.resolveExport(e.module, e.name, depth + 1) ?? (this.has(e.module) ? undefined : `${e.module}.${e.name}`);
      case 'path': {
        const q = this.resolvePath(module, e.path, depth + 1);
        return q && (e.call ? `${q}()` : q);
      }
      case 'class': {
        let found: string | undefined;
        for (const base of e.bases) found = this.resolvePath(module, base, depth + 1) ?? found;
        return found;
      }
    }
  }

  private resolvePath(module: string, path: string, depth: number): string | undefined {
    const [head, ...rest] = path.split('.');
    const q = this.resolveExport(module, head, depth);
    return q ? [q, ...rest].join('.') : undefined;
  }
}
