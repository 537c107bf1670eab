// Shared by the reliability scripts and their npm-test samples: the corpora, a Python-parser oracle, and the
// fix-integrity check of one file under one setting.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import type { PythonGrammar, Node } from '../../server/src/parsing/python';
import { analyze, fixAllText } from '../../server/src/analysis/engine';
import { applyEdits, normalizeEdits } from '../../server/src/analysis/materialize';
import type { LoadedRule } from '../../server/src/analysis/rule';
import { DEFAULT_SETTINGS, type Settings, type WebTarget } from '../../server/src/analysis/types';
import type { ModuleIndex } from '../../server/src/analysis/moduleIndex';
import { diffEdits } from '../../server/src/lsp/edits';
import { loadProject } from '../../server/src/workspace/project';

export const ROOT = path.resolve(__dirname, '..', '..');
export const CORPUS_DIR = path.join(os.homedir(), '.cache', 'framework-porter', 'bench-corpus');
export const CORPUS_PACKAGES = ['python3-keystone', 'python3-django-horizon', 'python3-django-hyperkitty'];
export const TARGETS: WebTarget[] = ['django', 'fastapi', 'flask'];

export function settingsFor(target: WebTarget): Settings {
  return { ...DEFAULT_SETTINGS, target, ormTarget: 'auto' };
}

/** A project to check: files with their module index (null index: each file alone). */
export interface Project {
  name: string;
  files: { rel: string; text: string }[];
  index?: ModuleIndex;
}

const ALL_FILES = { include: ['**/*.py'], exclude: ['**/.git/**'], maxFileSize: 50_000_000 };

export async function exampleProjects(g: PythonGrammar): Promise<Project[]> {
  const out: Project[] = [];
  const dir = path.join(ROOT, 'examples');
  for (const name of fs.readdirSync(dir)) {
    const root = path.join(dir, name);
    if (!fs.statSync(root).isDirectory()) continue;
    const p = await loadProject(g, root, ALL_FILES);
    out.push({ name: `examples/${name}`, files: p.files, index: p.index });
  }
  return out;
}

/** Every fixture .py of every rule, each analyzed alone (as app.py). */
export function fixtureProject(): Project {
  const files: Project['files'] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.py') && p.includes(`${path.sep}fixtures${path.sep}`)) files.push({ rel: path.relative(ROOT, p).split(path.sep).join('/'), text: fs.readFileSync(p, 'utf8') });
    }
  };
  walk(path.join(ROOT, 'server', 'src', 'rules'));
  files.sort((a, b) => a.rel.localeCompare(b.rel));
  return { name: 'rule fixtures', files };
}

/** Fetches the Debian corpus (apt-get download + dpkg -x) into CORPUS_DIR unless it is there. */
export function ensureCorpus(log: (s: string) => void = () => undefined): string {
  const root = path.join(CORPUS_DIR, 'root');
  const pkgs = path.join(root, 'usr', 'lib', 'python3', 'dist-packages');
  if (fs.existsSync(path.join(pkgs, 'keystone')) && fs.existsSync(path.join(pkgs, 'horizon')) && fs.existsSync(path.join(pkgs, 'hyperkitty'))) return pkgs;
  const debs = path.join(CORPUS_DIR, 'debs');
  fs.mkdirSync(debs, { recursive: true });
  const { execFileSync } = require('node:child_process') as typeof import('node:child_process');
  log('fetching the Debian corpus (apt-get download)…');
  try {
    execFileSync('apt-get', ['download', ...CORPUS_PACKAGES], { cwd: debs, stdio: 'inherit' });
  } catch {
    execFileSync('apt-get', ['update'], { stdio: 'inherit' });
    execFileSync('apt-get', ['download', ...CORPUS_PACKAGES], { cwd: debs, stdio: 'inherit' });
  }
  for (const f of fs.readdirSync(debs)) if (f.endsWith('.deb')) execFileSync('dpkg', ['-x', path.join(debs, f), root]);
  return pkgs;
}

export async function corpusProjects(g: PythonGrammar): Promise<Project[]> {
  const pkgs = ensureCorpus();
  const out: Project[] = [];
  for (const name of ['keystone', 'horizon', 'openstack_auth', 'openstack_dashboard', 'hyperkitty']) {
    const root = path.join(pkgs, name);
    if (!fs.existsSync(root)) continue;
    // the package's parent is the import root, so `keystone.x` resolves
    const p = await loadProject(g, root, ALL_FILES);
    out.push({ name: `debian/${name}`, files: p.files.map((f) => ({ rel: `${name}/${f.rel}`, text: f.text })), index: undefined });
  }
  return out;
}

/** ERROR and MISSING nodes of a parse. */
export function syntaxErrorCount(g: PythonGrammar, text: string): number {
  const p = g.newParser();
  const t = p.parse(text);
  let n = 0;
  try {
    if (!t) return -1;
    const stack: Node[] = [t.rootNode];
    while (stack.length) {
      const x = stack.pop()!;
      if (x.type === 'ERROR' || x.isMissing) n++;
      if (x.hasError) for (const c of x.children) if (c) stack.push(c);
    }
  } finally {
    t?.delete();
    p.delete();
  }
  return n;
}

/** Python's own parser (ast.parse of python3 on PATH), batched through one child process. */
export class PyOracle {
  private child: ChildProcess | undefined;
  private buf = '';
  private waiting: ((ok: boolean | undefined) => void)[] = [];
  readonly available: boolean;
  constructor() {
    const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
    this.available = process.env.FP_NO_PYTHON !== '1' && spawnSync('python3', ['-c', 'pass']).status === 0;
    if (!this.available) return;
    const prog = [
      'import ast, json, sys, warnings',
      'warnings.simplefilter("ignore")',
      'for line in sys.stdin:',
      '    src = json.loads(line)',
      '    try:',
      '        ast.parse(src)',
      '        ok = 1',
      '    except BaseException:',
      '        ok = 0',
      '    sys.stdout.write(str(ok) + "\\n"); sys.stdout.flush()',
    ].join('\n');
    this.child = spawn('python3', ['-c', prog], { stdio: ['pipe', 'pipe', 'ignore'] });
    this.child.stdout!.setEncoding('utf8');
    this.child.stdout!.on('data', (d: string) => {
      this.buf += d;
      let i: number;
      while ((i = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, i);
        this.buf = this.buf.slice(i + 1);
        this.waiting.shift()?.(line === '1');
      }
    });
  }
  /** undefined when python3 is not available */
  parses(src: string): Promise<boolean | undefined> {
    if (!this.child) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.child!.stdin!.write(JSON.stringify(src) + '\n');
    });
  }
  close() {
    this.child?.stdin?.end();
    this.child?.kill();
  }
}

export interface FileReport {
  file: string;
  target: WebTarget;
  findings: number;
  fixable: number;
  singleFixes: number;
  fixAllChanged: boolean;
  /** fix-all and the one-by-one sequence gave different texts (both checked) */
  sequenceDiffers: boolean;
  violations: string[];
}

const MAX_SEQUENCE = 300;

/**
 * Checks one file under one setting:
 *  - every single fix: its edits are in bounds and disjoint; the result has no more ERROR/MISSING nodes than the
 *    original and still parses with Python when the original did; text outside the edits is unchanged;
 *  - fix-all: same checks; a second fix-all changes nothing; no finding means no edit; the server's minimal
 *    line diff rebuilds the result;
 *  - one by one (apply the first fixable finding's fix, re-analyze, repeat): the same final text as fix-all, or
 *    else both parse and leave nothing fixable.
 */
export async function checkFile(
  g: PythonGrammar,
  rules: readonly LoadedRule[],
  file: { rel: string; text: string },
  target: WebTarget,
  index: ModuleIndex | undefined,
  py: PyOracle | undefined,
): Promise<FileReport> {
  const settings = settingsFor(target);
  const opts = { settings, path: file.rel.startsWith('server/') ? 'app.py' : file.rel, index };
  const text = file.text;
  const v: string[] = [];
  const r: FileReport = { file: file.rel, target, findings: 0, fixable: 0, singleFixes: 0, fixAllChanged: false, sequenceDiffers: false, violations: v };
  const errs0 = syntaxErrorCount(g, text);
  const py0 = py ? await py.parses(text) : undefined;
  const parsesLikeOriginal = async (out: string, what: string) => {
    const e = syntaxErrorCount(g, out);
    if (e > errs0) v.push(`${what}: ${e - errs0} new ERROR/MISSING node(s)`);
    if (py0 && py && (await py.parses(out)) === false) v.push(`${what}: Python's parser rejects the result (the original parses)`);
  };
  const leavesNothingFixable = (out: string, what: string) => {
    const a = analyze(g, out, opts, rules);
    try {
      const left = a.findings.filter((f) => f.fixable);
      if (left.length) v.push(`${what}: ${left.length} fixable finding(s) left (${left[0].rule} at ${left[0].range.start.line + 1})`);
    } finally {
      a.dispose();
    }
  };

  const a = analyze(g, text, opts, rules);
  try {
    r.findings = a.findings.length;
    for (let i = 0; i < a.findings.length; i++) {
      const f = a.findings[i];
      if (!f.fixable) continue;
      r.fixable++;
      const fix = a.fix(i);
      if (!fix) {
        v.push(`fix ${f.rule}@${f.range.start.line + 1}: marked fixable but no fix could be made`);
        continue;
      }
      const what = `fix ${f.rule}@${f.range.start.line + 1}`;
      for (const e of fix.edits) if (e.start < 0 || e.end > text.length || e.start > e.end) v.push(`${what}: edit out of bounds ${e.start}-${e.end}`);
      try {
        normalizeEdits([...fix.edits]);
      } catch (e) {
        v.push(`${what}: overlapping edits (${(e as Error).message})`);
        continue;
      }
      const out = applyEdits(text, fix.edits);
      r.singleFixes++;
      if (!unchangedOutside(text, out, fix.edits)) v.push(`${what}: text outside the fix's edits changed`);
      if (/[\uE000\uE001]/.test(out) && !/[\uE000\uE001]/.test(text)) v.push(`${what}: an unresolved import token is left in the text`);
      await parsesLikeOriginal(out, what);
    }
  } finally {
    a.dispose();
  }

  const all = fixAllText(g, text, opts, rules).text;
  r.fixAllChanged = all !== text;
  if (r.fixable === 0 && all !== text) v.push('fix-all changed a file with nothing fixable');
  if (all !== text) {
    await parsesLikeOriginal(all, 'fix-all');
    if (/[\uE000\uE001]/.test(all) && !/[\uE000\uE001]/.test(text)) v.push('fix-all: an unresolved import token is left in the text');
    const again = fixAllText(g, all, opts, rules).text;
    if (again !== all) v.push('a second fix-all changed the text');
    const d = diffEdits(text, all);
    if (applyEdits(text, d) !== all) v.push('fix-all: the minimal line diff does not rebuild the result');
  }

  // one by one
  let cur = text;
  let steps = 0;
  for (; steps < MAX_SEQUENCE; steps++) {
    const b = analyze(g, cur, opts, rules);
    let next: string | undefined;
    try {
      for (let i = 0; i < b.findings.length && next === undefined; i++) {
        if (!b.findings[i].fixable) continue;
        const fix = b.fix(i);
        if (fix && fix.edits.length) next = applyEdits(cur, fix.edits);
      }
    } finally {
      b.dispose();
    }
    if (next === undefined || next === cur) break;
    cur = next;
  }
  if (steps >= MAX_SEQUENCE) v.push(`one-by-one: still fixable after ${MAX_SEQUENCE} fixes (a fix that never converges)`);
  if (cur !== all) {
    r.sequenceDiffers = true;
    if (cur !== text) await parsesLikeOriginal(cur, 'one-by-one');
    leavesNothingFixable(cur, 'one-by-one');
    leavesNothingFixable(all, 'fix-all');
  }
  return r;
}

/** Whether `out` is `text` with only the edited ranges replaced (checked independently of applyEdits). */
export function unchangedOutside(text: string, out: string, edits: { start: number; end: number; text: string }[]): boolean {
  const sorted = [...edits].sort((x, y) => x.start - y.start || x.end - y.end);
  let pos = 0;
  let o = 0;
  for (const e of sorted) {
    const keep = text.slice(pos, e.start);
    if (out.slice(o, o + keep.length) !== keep) return false;
    o += keep.length + e.text.length;
    pos = Math.max(pos, e.end);
  }
  return out.slice(o) === text.slice(pos) && o + (text.length - pos) === out.length;
}
