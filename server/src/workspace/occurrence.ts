// Occurrence ids: what identifies one idiom occurrence across edits, so a baseline recorded today still names the
// same occurrences next month. Pure (a tree and a text in, strings out).
//
//   id = `${rule}|${file}|${scopePath}|${sha1(normalized snippet).slice(0, 12)}|${ordinal}`
//
// - scopePath: the names of the enclosing classes/functions joined with '.' ('' at module level), e.g. "User.save".
//   A decorator belongs to the scope that holds the decorated definition, not to the function it decorates.
// - normalized snippet: the finding's source text with every run of whitespace collapsed to one space (and none
//   next to brackets and punctuation, so reformatting keeps it); when the node is tiny (`g`, `request.args`,
//   `@app.get("/")`) its context is added: the enclosing simple statement, or for a compound statement (if/for/
//   with/def…) just the finding's line, or for a decorator its line + the decorated definition's header line — so
//   two `request.args` in one function still differ, and editing a function body does not change its route's id.
// - ordinal: the index among occurrences of the file with the same key so far (in text order); it only matters
//   for exact duplicates within one scope.
//
// No line numbers: inserting or deleting lines above an occurrence (or anywhere outside its snippet and scope
// names) keeps its id. Editing the snippet itself gives a new id (the old one counts as ported, the new one as a
// regression) — deliberately: the code there changed.
//
// File renames: the file is part of the id, so a renamed file's occurrences would look ported + regressed.
// matchRenames() pairs each orphaned baseline id (its file no longer exists) with a current occurrence of a file
// that has no baseline entries (a new file) when rule, scopePath and snippet hash agree, in ordinal order; the
// caller treats the pair as one occurrence (and rewrites the state file's ids when it next writes it).
import * as crypto from 'node:crypto';
import type { Node } from '../parsing/python';

export interface OccurrenceKey {
  rule: string;
  file: string;
  scope: string;
  hash: string;
  ordinal: number;
}

/** The findings' part an id is made from. */
export interface FindingSpan {
  rule: string;
  /** UTF-16 offsets into the text */
  start: number;
  end: number;
}

/** Below this many characters (after normalizing) a snippet is too generic on its own. */
export const TINY_SNIPPET = 24;
/** A statement longer than this is not used as context (its first line is). */
const MAX_CONTEXT = 240;

/** Whitespace runs collapsed, and dropped next to brackets and punctuation: reformatting keeps the hash. */
export function normalizeSnippet(s: string): string {
  return s
    .replace(/\s+/g, ' ')
    .replace(/ ?([()[\]{},:;=.]) ?/g, '$1')
    .trim();
}

export function snippetHash(normalized: string): string {
  return crypto.createHash('sha1').update(normalized).digest('hex').slice(0, 12);
}

const SCOPES = new Set(['function_definition', 'class_definition']);

/** The enclosing class/function names of the node spanning [start, end), outermost first, joined with '.'. */
export function scopePathAt(root: Node, start: number, end: number): string {
  const node = root.descendantForIndex(start, Math.max(start, end - 1));
  const names: string[] = [];
  // the node itself is not its own scope (a rule may flag a whole `def`)
  for (let n = node?.parent ?? null; n; n = n.parent) {
    if (SCOPES.has(n.type) && !(n.startIndex === start && n.endIndex === end)) {
      const name = n.childForFieldName('name')?.text;
      if (name) names.push(name);
    }
  }
  return names.reverse().join('.');
}

function lineAt(text: string, offset: number): string {
  const s = text.lastIndexOf('\n', offset - 1) + 1;
  let e = text.indexOf('\n', offset);
  if (e === -1) e = text.length;
  return text.slice(s, e);
}

const COMPOUND = new Set(['if_statement', 'for_statement', 'while_statement', 'try_statement', 'with_statement', 'match_statement', 'function_definition', 'class_definition', 'decorated_definition']);

/** The text an occurrence is recognized by (normalized). */
export function snippetOf(text: string, root: Node | undefined, start: number, end: number): string {
  const own = normalizeSnippet(text.slice(start, end));
  if (own.length >= TINY_SNIPPET) return own;
  let context: string | undefined;
  if (root) {
    let n: Node | null = root.descendantForIndex(start, Math.max(start, end - 1));
    while (n && n.parent && n.parent.type !== 'block' && n.parent.type !== 'module') n = n.parent;
    if (n?.type === 'decorated_definition') {
      // a decorator: known by the name of the definition it decorates — not its body, nor its parameters, which
      // other fixes change (Django's `request`, FastAPI's typed parameters)
      const def = n.childForFieldName('definition');
      const name = def?.childForFieldName('name')?.text;
      if (def) context = `${lineAt(text, start)} ${def.type === 'class_definition' ? 'class' : 'def'} ${name ?? ''}`;
    } else if (n && n.type !== 'module' && !COMPOUND.has(n.type) && n.endIndex - n.startIndex <= MAX_CONTEXT) {
      context = text.slice(n.startIndex, n.endIndex);
    }
    // in a compound statement's header (`if request.method == "POST":`): the line
  }
  context ??= lineAt(text, start);
  const ctx = normalizeSnippet(context);
  return ctx !== own ? `${own} @ ${ctx}` : own;
}

export function formatId(k: OccurrenceKey): string {
  return `${k.rule}|${k.file}|${k.scope}|${k.hash}|${k.ordinal}`;
}

/** Splits an id (file paths may themselves hold '|': rule is first, the last three parts are fixed). */
export function parseId(id: string): OccurrenceKey | undefined {
  const parts = id.split('|');
  if (parts.length < 5) return undefined;
  const ordinal = Number(parts[parts.length - 1]);
  if (!Number.isInteger(ordinal) || ordinal < 0) return undefined;
  return {
    rule: parts[0],
    file: parts.slice(1, parts.length - 3).join('|'),
    scope: parts[parts.length - 3],
    hash: parts[parts.length - 2],
    ordinal,
  };
}

/**
 * Ids of a file's findings, in the order given. `root` is the tree of exactly `text` (without one, the snippet of
 * a tiny node falls back to its line and every scope is '' — use a tree whenever there is one).
 */
export function occurrenceIds(file: string, text: string, root: Node | undefined, findings: readonly FindingSpan[]): string[] {
  const seen = new Map<string, number>();
  const order = findings.map((f, i) => ({ f, i })).sort((a, b) => a.f.start - b.f.start || a.f.end - b.f.end || (a.f.rule < b.f.rule ? -1 : a.f.rule > b.f.rule ? 1 : 0));
  const out: string[] = new Array(findings.length);
  for (const { f, i } of order) {
    const scope = root ? scopePathAt(root, f.start, f.end) : '';
    const hash = snippetHash(snippetOf(text, root, f.start, f.end));
    const base = `${f.rule}|${file}|${scope}|${hash}`;
    const ordinal = seen.get(base) ?? 0;
    seen.set(base, ordinal + 1);
    out[i] = `${base}|${ordinal}`;
  }
  return out;
}

/**
 * Renamed files: orphaned baseline ids (their file is not among `currentFiles`) paired with current ids of files
 * that hold no baseline id, when rule, scope and snippet hash agree (ordinals paired in order).
 * Returns baseline id → current id.
 */
export function matchRenames(baseline: Iterable<string>, currentIds: Iterable<string>, currentFiles: ReadonlySet<string>): Map<string, string> {
  const out = new Map<string, string>();
  const baselineFiles = new Set<string>();
  const orphans = new Map<string, string[]>();
  const base = [...baseline].sort();
  const inBaseline = new Set(base);
  for (const id of base) {
    const k = parseId(id);
    if (!k) continue;
    baselineFiles.add(k.file);
    if (currentFiles.has(k.file)) continue;
    const key = `${k.rule}|${k.scope}|${k.hash}`;
    const list = orphans.get(key) ?? [];
    list.push(id);
    orphans.set(key, list);
  }
  if (!orphans.size) return out;
  const candidates = new Map<string, string[]>();
  for (const id of [...currentIds].sort()) {
    if (inBaseline.has(id)) continue;
    const k = parseId(id);
    if (!k || baselineFiles.has(k.file)) continue;
    const key = `${k.rule}|${k.scope}|${k.hash}`;
    const list = candidates.get(key) ?? [];
    list.push(id);
    candidates.set(key, list);
  }
  const byOrdinal = (a: string, b: string) => parseId(a)!.ordinal - parseId(b)!.ordinal || (a < b ? -1 : a > b ? 1 : 0);
  for (const [key, olds] of orphans) {
    const news = candidates.get(key);
    if (!news) continue;
    olds.sort(byOrdinal);
    news.sort(byOrdinal);
    for (let i = 0; i < Math.min(olds.length, news.length); i++) out.set(olds[i], news[i]);
  }
  return out;
}
