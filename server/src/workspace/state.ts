// The porting state a team shares in review: .framework-porter/state.json in the workspace folder.
//
//   {
//     "version": 1,
//     "target": "django",
//     "baseline": [
//       "<occurrence id>",          ← sorted, one per line
//       …
//     ],
//     "wontPort": {
//       "<occurrence id>": "reason", ← sorted by id, one per line
//       …
//     }
//   }
//
// Ids are relative to the folder (see occurrence.ts). No timestamps, no absolute paths, a trailing newline: two
// branches that each add entries merge line-wise in git. A file that still holds git conflict markers is read as
// the merge of both sides. A file that cannot be read at all is renamed aside (state.json.corrupt-<n>), never
// overwritten. Writes are atomic (a temp file in the same directory, then rename); a writer whose read is stale
// (the file changed on disk since) re-reads and merges three-way before writing, so concurrent writers lose nothing.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const STATE_DIR = '.framework-porter';
export const STATE_FILE = 'state.json';
export const STATE_VERSION = 1;

export interface PortState {
  version: 1;
  /** the web target the baseline was recorded for */
  target: string;
  /** occurrence ids, sorted */
  baseline: string[];
  /** occurrence id → reason */
  wontPort: Record<string, string>;
}

export function statePath(root: string): string {
  return path.join(root, STATE_DIR, STATE_FILE);
}

export function emptyState(target: string): PortState {
  return { version: STATE_VERSION, target, baseline: [], wontPort: {} };
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Sorted, de-duplicated copy. */
export function normalizeState(s: PortState): PortState {
  const wontPort: Record<string, string> = {};
  for (const k of Object.keys(s.wontPort).sort(cmp)) wontPort[k] = s.wontPort[k];
  return { version: STATE_VERSION, target: s.target, baseline: [...new Set(s.baseline)].sort(cmp), wontPort };
}

/** The file's text: JSON with one entry per line, keys in a fixed order, sorted entries, trailing newline. */
export function renderState(s: PortState): string {
  const n = normalizeState(s);
  return JSON.stringify({ version: n.version, target: n.target, baseline: n.baseline, wontPort: n.wontPort }, null, 2) + '\n';
}

export class StateFormatError extends Error {}

function validate(raw: unknown): PortState {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new StateFormatError('it is not a JSON object');
  const r = raw as Record<string, unknown>;
  if (r.version !== STATE_VERSION) throw new StateFormatError(`its version is ${JSON.stringify(r.version)}, expected ${STATE_VERSION}`);
  if (typeof r.target !== 'string') throw new StateFormatError('"target" is not a string');
  const baseline = r.baseline ?? [];
  if (!Array.isArray(baseline) || !baseline.every((x) => typeof x === 'string')) throw new StateFormatError('"baseline" is not an array of strings');
  const wp = r.wontPort ?? {};
  if (!wp || typeof wp !== 'object' || Array.isArray(wp) || !Object.values(wp).every((x) => typeof x === 'string')) {
    throw new StateFormatError('"wontPort" is not an object of id → reason');
  }
  return normalizeState({ version: STATE_VERSION, target: r.target, baseline: baseline as string[], wontPort: wp as Record<string, string> });
}

const CONFLICT = /^(<{7}|={7}|>{7}|\|{7})( .*)?$/;

/** The two sides of a text with git conflict markers (diff3 base sections dropped), or undefined without markers. */
function conflictSides(text: string): [string, string] | undefined {
  const lines = text.split('\n');
  if (!lines.some((l) => /^<{7}( |$)/.test(l))) return undefined;
  const ours: string[] = [];
  const theirs: string[] = [];
  let mode: 'both' | 'ours' | 'base' | 'theirs' = 'both';
  for (const l of lines) {
    const m = CONFLICT.exec(l.replace(/\r$/, ''));
    if (m) {
      const c = m[1][0];
      mode = c === '<' ? 'ours' : c === '|' ? 'base' : c === '=' ? 'theirs' : 'both';
      continue;
    }
    if (mode === 'both' || mode === 'ours') ours.push(l);
    if (mode === 'both' || mode === 'theirs') theirs.push(l);
  }
  return [ours.join('\n'), theirs.join('\n')];
}

/** Parses a state file's text; throws StateFormatError (one sentence) when it is not one. */
export function parseState(text: string): PortState {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    const sides = conflictSides(text);
    if (sides) {
      try {
        return mergeStates(validate(JSON.parse(sides[0])), validate(JSON.parse(sides[1])));
      } catch {
        throw new StateFormatError('it holds git conflict markers that do not leave valid JSON on either side');
      }
    }
    throw new StateFormatError(`it is not valid JSON (${(e as Error).message})`);
  }
  return validate(raw);
}

/** "a / b" — both reasons, sorted and de-duplicated, so merging is commutative and idempotent. */
function combineReasons(a: string, b: string): string {
  if (a === b) return a;
  const parts = new Set([...a.split(' / '), ...b.split(' / ')].map((s) => s.trim()).filter(Boolean));
  return [...parts].sort(cmp).join(' / ');
}

/**
 * Merges two states.
 * Two-way (no `base`: two branches' files): union of baselines; union of won't-port decisions, and when both give
 * an id different reasons, both reasons joined with ' / ' (sorted); target: `ours` unless empty.
 * Three-way (`base` = what `ours` was derived from, `theirs` = what is on disk now): the changes from base to ours
 * are applied to theirs — ids ours added or removed (baseline and won't-port), reasons ours changed; what ours left
 * alone is taken from theirs. So a reopen is not undone by a concurrent writer, and nothing theirs added is lost.
 */
export function mergeStates(ours: PortState, theirs: PortState, base?: PortState): PortState {
  if (!base) {
    const wontPort: Record<string, string> = { ...theirs.wontPort };
    for (const [id, reason] of Object.entries(ours.wontPort)) wontPort[id] = wontPort[id] === undefined ? reason : combineReasons(reason, wontPort[id]);
    return normalizeState({ version: STATE_VERSION, target: ours.target || theirs.target, baseline: [...ours.baseline, ...theirs.baseline], wontPort });
  }
  const baseSet = new Set(base.baseline);
  const oursSet = new Set(ours.baseline);
  const removed = new Set(base.baseline.filter((id) => !oursSet.has(id)));
  const baseline = [...theirs.baseline.filter((id) => !removed.has(id)), ...ours.baseline.filter((id) => !baseSet.has(id))];
  const wontPort: Record<string, string> = { ...theirs.wontPort };
  for (const id of new Set([...Object.keys(base.wontPort), ...Object.keys(ours.wontPort)])) {
    const b = base.wontPort[id];
    const o = ours.wontPort[id];
    if (b === o) continue; // ours did not touch it
    if (o === undefined) delete wontPort[id];
    else wontPort[id] = o;
  }
  return normalizeState({ version: STATE_VERSION, target: ours.target !== base.target ? ours.target : theirs.target, baseline, wontPort });
}

export interface ReadResult {
  /** undefined: no state file (or a corrupt one, now set aside) */
  state?: PortState;
  /** the exact text read ('' when there is none): what a later write compares with */
  raw: string;
  /** one sentence when the file was corrupt and was renamed aside */
  problem?: string;
}

/** Reads the state file of a folder. A corrupt file is renamed to state.json.corrupt-<n> and reported. */
export function readState(root: string): ReadResult {
  const file = statePath(root);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { raw: '' };
    return { raw: '', problem: `Framework Porter could not read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).` };
  }
  try {
    return { state: parseState(text), raw: text };
  } catch (e) {
    let n = 1;
    while (fs.existsSync(`${file}.corrupt-${n}`)) n++;
    const aside = `${file}.corrupt-${n}`;
    try {
      fs.renameSync(file, aside);
    } catch (e2) {
      return { raw: text, problem: `Framework Porter could not use ${file} because ${(e as Error).message}, and could not set it aside (${(e2 as Error).message}); fix or delete it.` };
    }
    return { raw: '', problem: `Framework Porter set ${file} aside as ${path.basename(aside)} because ${(e as Error).message}; porting progress starts from no baseline until it is restored.` };
  }
}

/** Writes text to the state file atomically (temp file in the same directory, then rename). */
export function writeStateText(root: string, text: string): void {
  const file = statePath(root);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = path.join(path.dirname(file), `.${STATE_FILE}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`);
  try {
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
  } catch (e) {
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // nothing left to clean
    }
    throw e;
  }
}

/**
 * Writes `next`, derived from `base` (the state as read, whose text was `baseRaw`). If the file on disk is no longer
 * `baseRaw`, another writer came first: its state is re-read and merged three-way with ours. Returns what was written.
 */
export function writeState(root: string, next: PortState, base: PortState | undefined, baseRaw: string): { state: PortState; raw: string } {
  let out = normalizeState(next);
  let onDisk = '';
  try {
    onDisk = fs.readFileSync(statePath(root), 'utf8');
  } catch {
    onDisk = '';
  }
  if (onDisk !== baseRaw && onDisk !== '') {
    let theirs: PortState | undefined;
    try {
      theirs = parseState(onDisk);
    } catch {
      theirs = undefined; // a corrupt file on disk: read again through readState to set it aside
      const again = readState(root);
      theirs = again.state;
    }
    if (theirs) out = mergeStates(out, theirs, base ?? emptyState(out.target));
  }
  const raw = renderState(out);
  writeStateText(root, raw);
  return { state: out, raw };
}

/** Applies a rename map (old id → new id) to a state's ids; undefined when nothing changes. */
export function renameIds(s: PortState, renames: ReadonlyMap<string, string>): PortState | undefined {
  if (!renames.size) return undefined;
  let changed = false;
  const baseline = s.baseline.map((id) => {
    const n = renames.get(id);
    if (n) changed = true;
    return n ?? id;
  });
  const wontPort: Record<string, string> = {};
  for (const [id, reason] of Object.entries(s.wontPort)) {
    const n = renames.get(id);
    if (n) changed = true;
    wontPort[n ?? id] = reason;
  }
  return changed ? normalizeState({ ...s, baseline, wontPort }) : undefined;
}
