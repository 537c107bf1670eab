// Seeded mutations of real Python files, for the fuzzer. Everything is a pure function of (seed, index): an input
// is reproduced from its seed and index alone.
import * as fs from 'node:fs';
import * as path from 'node:path';

export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function inputSeed(seed: number, index: number): number {
  let h = (seed * 0x9e3779b1) ^ (index * 0x85ebca77);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  return (h ^ (h >>> 15)) >>> 0;
}

type R = () => number;
const int = (r: R, n: number) => Math.floor(r() * n);
const pick = <T>(r: R, xs: readonly T[]): T => xs[int(r, xs.length)];

const TOKENS = [
  '(', ')', '[', ']', '{', '}', ':', ',', '.', '@', '=', '->', '**', '*', '\\', '\\\n', '"', "'", '"""', "'''", 'f"{', '}"', 'rb"', '#', '\n', '\n    ', '\t',
  'def ', 'class ', 'async ', 'await ', 'lambda ', 'yield ', 'return ', 'if ', 'else:', 'elif ', 'try:', 'except ', 'finally:', 'with ', 'import ', 'from ',
  'as ', 'global ', 'nonlocal ', 'pass', 'None', 'match ', 'case ', 'type ', ':=', '...', '0x', '1e', '1_000', 'print', '__name__',
  'request', 'app', 'db', 'jsonify', 'flask', 'Flask', 'Blueprint', 'route', 'session', 'g', 'current_user', 'query', 'Column', 'Model',
  '@app.route("/")\n', 'from flask import request\n', 'request.args.get("x")', 'jsonify(', 'db.session.', '.query.filter_by(', 'url_for("',
];

const SNIPPETS = [
  // Python 3.12–3.14 syntax
  'type Point = tuple[float, float]\ntype ListOrSet[T] = list[T] | set[T]\n',
  'def first[T](xs: list[T]) -> T:\n    return xs[0]\n',
  'class Box[T: (int, str), *Ts, **P]:\n    def get[S](self, s: S) -> T | S: ...\n',
  'name = "x"\nmsg = f"{f"{f"{name!r:>{10}}"}"}" + f"{"nested" + f"{1:{2}}"}"\n',
  'x = f"{\'\\n\'.join(["a", "b"])}"\ny = f"""{\n    1 +\n    2  # comment inside\n}"""\n',
  'try:\n    pass\nexcept* ValueError as eg:\n    pass\nexcept* (TypeError, KeyError):\n    raise\n',
  'match command.split():\n    case [action]:\n        pass\n    case [action, obj] if obj:\n        pass\n    case Point(x=0, y=0) | {"k": _, **rest}:\n        pass\n    case _:\n        pass\n',
  'def f():\n    return (yield)\nasync def g():\n    async with a as b, c as d:\n        async for x in y:\n            await z\n',
  'with (\n    open("a") as a,\n    open("b") as b,\n):\n    pass\n',
  'lambda: (x := 10)\nprint(*[1], **{})\ndel a[1:2, ...]\n',
  't = t"template {x}"\n',
  'def g[T = int](x: T = 1) -> T: return x\n',
  // Flask idioms, to exercise fixes in odd surroundings
  'from flask import Flask, request, jsonify, abort, session, g, redirect, url_for, render_template\napp = Flask(__name__)\n',
  '@app.route("/u/<int:uid>", methods=["GET", "POST"])\ndef u(uid):\n    if request.method == "POST":\n        return jsonify(request.get_json())\n    return render_template("u.html", uid=uid, q=request.args.get("q"))\n',
  '@app.errorhandler(404)\ndef nf(e):\n    return jsonify(error=str(e)), 404\n',
  '@app.before_request\ndef before():\n    g.user = session.get("user")\n',
  'from flask_sqlalchemy import SQLAlchemy\ndb = SQLAlchemy()\nclass User(db.Model):\n    id = db.Column(db.Integer, primary_key=True)\n    name = db.Column(db.String(80), nullable=False)\n',
  'def q():\n    return User.query.filter_by(name="x").first_or_404()\n',
  'from flask_login import login_required, current_user\n@app.route("/me")\n@login_required\ndef me():\n    return jsonify(current_user.name)\n',
  'bp = Blueprint("b", __name__)\n@bp.get("/x")\ndef x():\n    abort(403)\n    return redirect(url_for("u", uid=1))\n',
];

const UNICODE_IDS = ['ñame', 'переменная', '变量', 'λ', 'ｆｕｌｌ', 'café', 'x\u0301', 'ℌ', 'π', 'ᚠ'];
const ODD_CHARS = ['\0', '\uD800', '\uDFFF', '\uFEFF', '\u2028', '\u00A0', '\x0c', '\x1b', '😀', '\u200B', '\r', '\v', '\u0300'];

export interface Mutation {
  name: string;
  apply(text: string, r: R): string;
}

const at = (text: string, r: R) => int(r, text.length + 1);
const lines = (t: string) => t.split('\n');

export const MUTATIONS: Mutation[] = [
  { name: 'truncate', apply: (t, r) => t.slice(0, at(t, r)) },
  { name: 'random-bytes', apply: (t, r) => { let s = t; for (let k = 1 + int(r, 8); k > 0; k--) { const i = at(s, r); s = s.slice(0, i) + String.fromCharCode(int(r, 0x3000)) + s.slice(i); } return s; } },
  { name: 'random-tokens', apply: (t, r) => { let s = t; for (let k = 1 + int(r, 6); k > 0; k--) { const i = at(s, r); s = s.slice(0, i) + pick(r, TOKENS) + s.slice(i); } return s; } },
  { name: 'delete-lines', apply: (t, r) => { const ls = lines(t); for (let k = 1 + int(r, 5); k > 0 && ls.length; k--) ls.splice(int(r, ls.length), 1 + int(r, 3)); return ls.join('\n'); } },
  { name: 'delete-range', apply: (t, r) => { const i = at(t, r); return t.slice(0, i) + t.slice(i + int(r, 200)); } },
  { name: 'unbalanced-brackets', apply: (t, r) => { let s = t; for (let k = 1 + int(r, 4); k > 0; k--) { const i = at(s, r); s = s.slice(0, i) + pick(r, ['(', '[', '{', ')', ']', '}', '((', '))']) + s.slice(i); } return s; } },
  { name: 'odd-chars', apply: (t, r) => { let s = t; for (let k = 1 + int(r, 6); k > 0; k--) { const i = at(s, r); s = s.slice(0, i) + pick(r, ODD_CHARS) + s.slice(i); } return s; } },
  { name: 'nul-bytes', apply: (t, r) => { const i = at(t, r); return t.slice(0, i) + '\0'.repeat(1 + int(r, 64)) + t.slice(i); } },
  { name: 'lone-surrogates', apply: (t, r) => { let s = t; for (let k = 1 + int(r, 4); k > 0; k--) { const i = at(s, r); s = s.slice(0, i) + String.fromCharCode(0xd800 + int(r, 0x800)) + s.slice(i); } return s; } },
  { name: 'crlf', apply: (t) => t.replace(/\r?\n/g, '\r\n') },
  { name: 'cr', apply: (t) => t.replace(/\r?\n/g, '\r') },
  { name: 'mixed-eol', apply: (t, r) => t.replace(/\n/g, () => pick(r, ['\n', '\r\n', '\r', '\n'])) },
  { name: 'tabs', apply: (t, r) => (r() < 0.5 ? t.replace(/^((?: {4})+)/gm, (m) => '\t'.repeat(m.length / 4)) : t.replace(/^ {4}/gm, () => (r() < 0.5 ? '\t' : '    '))) },
  // (`\bname\b` as maximal \w runs: a RegExp built from a 1 MB identifier is "too large" and killed the fuzzer)
  { name: 'non-ascii-identifiers', apply: (t, r) => { const names = [...new Set(t.match(/\b[a-z_][a-z0-9_]{2,}\b/g) ?? [])]; let s = t; for (let k = 1 + int(r, 4); k > 0 && names.length; k--) { const n = pick(r, names); const to = pick(r, UNICODE_IDS) + n.slice(0, 2); s = s.replace(/\w+/g, (w) => (w === n ? to : w)); } return s; } },
  { name: 'py312-syntax', apply: (t, r) => { const ls = lines(t); const i = int(r, ls.length + 1); const indent = r() < 0.3 ? '' : (/^\s*/.exec(ls[i] ?? '')?.[0] ?? ''); ls.splice(i, 0, ...pick(r, SNIPPETS.slice(0, 12)).split('\n').map((l) => (l ? indent + l : l))); return ls.join('\n'); } },
  { name: 'flask-snippet', apply: (t, r) => { const ls = lines(t); const i = int(r, ls.length + 1); const indent = r() < 0.5 ? '' : (/^\s*/.exec(ls[i] ?? '')?.[0] ?? ''); ls.splice(i, 0, ...pick(r, SNIPPETS.slice(12)).split('\n').map((l) => (l ? indent + l : l))); return ls.join('\n'); } },
  { name: 'swap-lines', apply: (t, r) => { const ls = lines(t); for (let k = 1 + int(r, 4); k > 0 && ls.length > 1; k--) { const a = int(r, ls.length); const b = int(r, ls.length); [ls[a], ls[b]] = [ls[b], ls[a]]; } return ls.join('\n'); } },
  { name: 'duplicate-region', apply: (t, r) => { const i = at(t, r); const j = Math.min(t.length, i + int(r, 400)); return t.slice(0, j) + t.slice(i, j) + t.slice(j); } },
  { name: 'reindent', apply: (t, r) => { const ls = lines(t); for (let k = 1 + int(r, 6); k > 0 && ls.length; k--) { const i = int(r, ls.length); ls[i] = pick(r, ['', ' ', '  ', '        ', '\t']) + ls[i].replace(/^\s*/, r() < 0.5 ? '' : ls[i].match(/^\s*/)![0]); } return ls.join('\n'); } },
  { name: 'strip-trailing-newline', apply: (t) => t.replace(/\s+$/, '') },
  { name: 'comment-markers', apply: (t, r) => { const ls = lines(t); const i = int(r, ls.length + 1); ls.splice(i, 0, pick(r, ['# TODO(port): x [flask-route]', '# port: ignore', '# port: ignore[flask-jsonify, fsa-query]', '# TODO(port): [', '# port: ignore[' ])); return ls.join('\n'); } },
];

/** Rare, expensive mutations (each bounded): deep nesting, megabyte lines. */
export const HEAVY: Mutation[] = [
  { name: 'deep-parens-10000', apply: (t, r) => { const i = at(t, r); const o = pick(r, ['(', '[', '{', 'f(', 'not ', '-', 'x.']); const c = o === 'f(' || o === '(' ? ')' : o === '[' ? ']' : o === '{' ? '}' : ''; return t.slice(0, i) + '\nx = ' + o.repeat(10000) + '1' + c.repeat(r() < 0.8 ? 10000 : 9000) + '\n' + t.slice(i); } },
  // nested blocks cost depth² bytes of indentation: 1,500 levels is 1.1 MB (10,000 would be 50 MB; see HUGE below)
  { name: 'deep-blocks-1500', apply: (t) => { let s = ''; for (let d = 0; d < 1500; d++) s += ' '.repeat(d) + 'if x:\n'; return t + '\n' + s + ' '.repeat(1500) + 'request.args.get("q")\n'; } },
  { name: 'deep-lambdas-10000', apply: (t) => t + '\nf = ' + 'lambda: '.repeat(10000) + 'request\n' },
  { name: 'deep-binary-10000', apply: (t, r) => t + '\ny = ' + Array.from({ length: 10000 }, () => pick(r, ['a', '1', 'request.args'])).join(pick(r, [' + ', ' or ', ' and ', '.', ' if c else '])) + '\n' },
  { name: 'megabyte-line', apply: (t, r) => { const i = at(t, r); const unit = pick(r, ['x', 'ab + ', '"s" ', '(', '# ', 'jsonify(1), ']); return t.slice(0, i) + unit.repeat(Math.ceil(1_000_000 / unit.length)) + t.slice(i); } },
  { name: 'megabyte-string', apply: (t) => t + '\ns = """' + 'z'.repeat(1_000_000) + '"""\n' },
];

export interface FuzzInput {
  index: number;
  base: string;
  mutations: string[];
  target: 'django' | 'fastapi' | 'flask';
  text: string;
}

export function makeInput(seed: number, index: number, pool: readonly { rel: string; text: string }[]): FuzzInput {
  const r = rng(inputSeed(seed, index));
  const base = pool[int(r, pool.length)];
  let text = base.text;
  const mutations: string[] = [];
  const n = r() < 0.1 ? 0 : 1 + int(r, 3);
  for (let k = 0; k < n; k++) {
    const m = r() < 0.004 ? pick(r, HEAVY) : pick(r, MUTATIONS);
    mutations.push(m.name);
    text = m.apply(text, r);
  }
  const target = pick(r, ['django', 'fastapi', 'flask'] as const);
  return { index, base: base.rel, mutations, target, text };
}

/** The base files: the example apps, every rule fixture, and (when cached) a slice of the Debian corpus. */
export function fuzzPool(root: string, corpusPkgs: string | undefined, corpusEvery = 1): { rel: string; text: string }[] {
  const out: { rel: string; text: string }[] = [];
  const walk = (d: string, keep: (p: string) => boolean, relTo: string, limit = 400_000) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p, keep, relTo, limit);
      else if (e.isFile() && e.name.endsWith('.py') && keep(p) && fs.statSync(p).size < limit) out.push({ rel: path.relative(relTo, p).split(path.sep).join('/'), text: fs.readFileSync(p, 'utf8') });
    }
  };
  walk(path.join(root, 'examples'), () => true, root);
  walk(path.join(root, 'server', 'src', 'rules'), (p) => p.includes(`${path.sep}fixtures${path.sep}`), root);
  const flask = out.length;
  if (corpusPkgs && fs.existsSync(corpusPkgs)) {
    const before = out.length;
    walk(corpusPkgs, () => true, corpusPkgs, 120_000);
    // keep every n-th corpus file, and the Flask files twice as likely as any corpus file
    const corpus = out.splice(before).filter((_, i) => i % corpusEvery === 0);
    out.push(...out.slice(0, flask), ...corpus);
  }
  return out;
}
