// The CLI as a user runs it: `node dist/cli.js …` (built by `npm run build`) on examples/flask-blog and on
// temporary folders. Checks the JSON contract, the exact findings of each rule across the example app (written
// from reading its source), fix / --dry-run, the rules listing, SARIF, and the exit codes of bad usage.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parsePatch, applyPatch } from 'diff';
import { RULES } from '../../server/src/rules/generated';
import { loadPython } from '../../server/src/parsing/python';
import { DEFAULT_SETTINGS } from '../../server/src/analysis/types';
import { loadCliProject } from '../../server/src/cli/project';
import { scanProject } from '../../server/src/cli/scan';
import { writeFileAtomic } from '../../server/src/cli/fsx';

const root = path.resolve(__dirname, '../..');
// FRAMEWORK_PORTER_CLI: another build of the CLI to test (default: dist/cli.js of `npm run build`)
const cli = process.env.FRAMEWORK_PORTER_CLI ? path.resolve(process.env.FRAMEWORK_PORTER_CLI) : path.join(root, 'dist', 'cli.js');
const example = path.join(root, 'examples', 'flask-blog');
const TARGETS = ['django', 'fastapi'] as const;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], cwd = root): Run {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function runOk(args: string[], cwd = root): Run {
  const r = run(args, cwd);
  assert.equal(r.code, 0, `framework-porter ${args.join(' ')} exited ${r.code}\n${r.stderr}`);
  return r;
}

interface JsonFinding {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  rule: string;
  from: string;
  category: string;
  message: string;
  fixable: boolean;
  safe: boolean;
}
interface JsonReport {
  version: number;
  root: string;
  target: string;
  files: number;
  findings: JsonFinding[];
  summary: { byCategory: Record<string, number>; byFrom: Record<string, number> };
  [extra: string]: unknown;
}

function scanJson(p: string, target: string, extra: string[] = []): JsonReport {
  const r = runOk(['scan', p, '--to', target, '--format', 'json', ...extra]);
  return JSON.parse(r.stdout) as JsonReport;
}

const tmpDirs: string[] = [];
function tmpDir(prefix = 'fp-cli-'): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tmpDirs.push(d);
  return d;
}
function copyExample(): string {
  const d = path.join(tmpDir(), 'flask-blog');
  fs.cpSync(example, d, { recursive: true });
  return d;
}

/** path (relative, '/') → content of every file under dir */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(path.relative(dir, p).split(path.sep).join('/'), fs.readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

function pythonParses(file: string): void {
  try {
    execFileSync('python3', ['-c', 'import ast,sys; ast.parse(open(sys.argv[1]).read())', file], { stdio: 'pipe' });
  } catch (e) {
    const err = e as { stderr?: Buffer };
    assert.fail(`${file} does not parse:\n${err.stderr?.toString() ?? String(e)}`);
  }
}

const key = (f: Pick<JsonFinding, 'file' | 'line' | 'rule'>) => `${f.file}:${f.line} ${f.rule}`;

before(() => {
  if (!fs.existsSync(cli)) execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  assert.ok(fs.existsSync(cli), 'dist/cli.js: run `npm run build` first');
});

after(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------------------------
// What each rule must find in examples/flask-blog, for --to django and --to fastapi alike (ORM rules with the
// default --orm auto: Django ORM / SQLAlchemy 2.0), written from the example's source: "file:line".
// ---------------------------------------------------------------------------------------------------------------
const EXPECTED: Record<string, string[]> = {
  // every @<blueprint>.route(...) decorator; not @app.before_request / after_request / errorhandler / cli.command,
  // not lookalikes.py's plain @route("report")
  'flask-route': [
    'blog/api.py:20', 'blog/api.py:26', 'blog/api.py:32', 'blog/api.py:49', 'blog/api.py:64', 'blog/api.py:70',
    'blog/api.py:77', 'blog/api.py:82',
    'blog/auth.py:14', 'blog/auth.py:36', 'blog/auth.py:58',
    'blog/posts.py:11', 'blog/posts.py:18', 'blog/posts.py:27', 'blog/posts.py:33', 'blog/posts.py:42', 'blog/posts.py:64',
  ],
  // every jsonify(...) call, including the one nested in make_response() (api.py:85)
  'flask-jsonify': [
    'blog/__init__.py:41',
    'blog/api.py:17', 'blog/api.py:23', 'blog/api.py:29', 'blog/api.py:36', 'blog/api.py:45', 'blog/api.py:46',
    'blog/api.py:61', 'blog/api.py:67', 'blog/api.py:74', 'blog/api.py:79', 'blog/api.py:85',
  ],
  'flask-make-response': ['blog/api.py:85'],
  'flask-redirect': ['blog/auth.py:31', 'blog/auth.py:53', 'blog/auth.py:64', 'blog/posts.py:22', 'blog/posts.py:59', 'blog/posts.py:73'],
  // lookalikes.py defines its own render_template: not Flask's
  'flask-render-template': [
    'blog/__init__.py:42',
    'blog/auth.py:33', 'blog/auth.py:45', 'blog/auth.py:55',
    'blog/posts.py:15', 'blog/posts.py:24', 'blog/posts.py:30', 'blog/posts.py:39', 'blog/posts.py:50', 'blog/posts.py:61',
  ],
  // lookalikes.page_from(request) reads a parameter's .args: not Flask's request
  'flask-request-args': ['blog/auth.py:50', 'blog/posts.py:13', 'blog/posts.py:20'],
  'flask-request-form': [
    'blog/auth.py:17', 'blog/auth.py:18', 'blog/auth.py:19', 'blog/auth.py:39', 'blog/auth.py:40', 'blog/auth.py:47',
    'blog/posts.py:46', 'blog/posts.py:47', 'blog/posts.py:54',
  ],
  // the app has no file uploads
  'flask-request-files': [],
  // url_for() directly inside redirect() is ported by flask-redirect; only auth.py:52 stands alone
  'flask-url-for': ['blog/auth.py:52'],
  // classes deriving from db.Model (User also from UserMixin); the name is flagged
  'fsa-model': ['blog/models.py:21', 'blog/models.py:37', 'blog/models.py:64'],
  // db.Column(...) assignments in model classes, but not the ForeignKey column (fsa-foreign-key) nor the
  // association table's columns (post_tags, lines 12-13)
  'fsa-column': [
    'blog/models.py:22', 'blog/models.py:23', 'blog/models.py:24', 'blog/models.py:25', 'blog/models.py:26', 'blog/models.py:27',
    'blog/models.py:40', 'blog/models.py:41', 'blog/models.py:42', 'blog/models.py:43', 'blog/models.py:44', 'blog/models.py:45',
    'blog/models.py:46',
    'blog/models.py:65', 'blog/models.py:66', 'blog/models.py:67',
  ],
  // Model.query chains (names imported from .models resolve through the project's ModuleIndex; cls.query in a
  // classmethod of a model too); tag.posts.order_by() (posts.py:38) is a relationship, not Model.query
  'fsa-query': [
    'blog/api.py:22', 'blog/api.py:28', 'blog/api.py:37', 'blog/api.py:51', 'blog/api.py:66', 'blog/api.py:67',
    'blog/auth.py:23', 'blog/auth.py:41',
    'blog/models.py:71',
    'blog/posts.py:14', 'blog/posts.py:23', 'blog/posts.py:29', 'blog/posts.py:35', 'blog/posts.py:67',
  ],
  // abort(404), abort(403) and `import flask` … flask.abort(400)
  'flask-abort': ['blog/api.py:73', 'blog/posts.py:37', 'blog/posts.py:69'],
  'flask-app': ['blog/__init__.py:11'],
  'flask-blueprint': ['blog/api.py:9', 'blog/auth.py:11', 'blog/posts.py:8'],
  'flask-register-blueprint': ['blog/__init__.py:22', 'blog/__init__.py:23', 'blog/__init__.py:24'],
  // @app.before_request inside the factory, @api.before_request on the blueprint
  'flask-before-request': ['blog/__init__.py:26', 'blog/api.py:12'],
  'flask-after-request': ['blog/__init__.py:31'],
  'flask-errorhandler': ['blog/__init__.py:38'],
  'flask-flash': [
    'blog/auth.py:22', 'blog/auth.py:24', 'blog/auth.py:30', 'blog/auth.py:44', 'blog/auth.py:49', 'blog/auth.py:63',
    'blog/posts.py:49', 'blog/posts.py:58', 'blog/posts.py:72',
  ],
  // each use of g: api.py:15 has three (g.authenticated, g.api_key twice)
  'flask-g': [
    'blog/__init__.py:28', 'blog/__init__.py:29', 'blog/__init__.py:33',
    'blog/api.py:14', 'blog/api.py:15', 'blog/api.py:15', 'blog/api.py:15', 'blog/api.py:16',
  ],
  // flask.request.cookies through `import flask`
  'flask-request-cookies': ['blog/api.py:84'],
  'flask-request-headers': ['blog/api.py:14'],
  // request.get_json() and request.json
  'flask-request-json': ['blog/api.py:34', 'blog/api.py:56'],
  // request.method, and request.path in the 404 handler
  'flask-request-method': ['blog/__init__.py:40', 'blog/api.py:16', 'blog/api.py:52', 'blog/auth.py:16', 'blog/auth.py:38', 'blog/posts.py:45'],
  // Flask's session (lookalikes.py's local `session` variables are not)
  'flask-session': ['blog/auth.py:48', 'blog/auth.py:62'],
  'flask-send-file': [],
  // SQLAlchemy(), db.init_app, db.create_all, db.drop_all (also in the tests, through `from blog.extensions import db`)
  'fsa-db-setup': ['blog/__init__.py:15', 'blog/__init__.py:47', 'blog/extensions.py:5', 'tests/test_smoke.py:21', 'tests/test_smoke.py:26'],
  'fsa-foreign-key': ['blog/models.py:47'],
  'fsa-relationship': ['blog/models.py:28', 'blog/models.py:48', 'blog/models.py:49'],
  'fsa-table': ['blog/models.py:10'],
  // first_or_404 / get_or_404 on Model.query are part of fsa-query chains; no db.get_or_404 in the app
  'fsa-get-or-404': [],
  // db.session.add / commit / rollback / delete / get, and db.session.remove() in the tests
  'fsa-session': [
    'blog/api.py:40', 'blog/api.py:42', 'blog/api.py:44', 'blog/api.py:53', 'blog/api.py:54', 'blog/api.py:60',
    'blog/auth.py:28', 'blog/auth.py:29',
    'blog/models.py:74', 'blog/models.py:80',
    'blog/posts.py:53', 'blog/posts.py:57', 'blog/posts.py:70', 'blog/posts.py:71',
    'tests/test_smoke.py:25',
  ],
  // app.config / current_app.config: from_object, item get and set, .get() (__init__.py:13 has two)
  'flask-app-config': [
    'blog/__init__.py:12', 'blog/__init__.py:13', 'blog/__init__.py:13', 'blog/__init__.py:29',
    'blog/api.py:15', 'blog/api.py:22', 'blog/api.py:85',
  ],
  // Flask-Login
  'flask-current-user': ['blog/posts.py:52', 'blog/posts.py:68', 'blog/posts.py:68'],
  'flask-login-required': ['blog/auth.py:59', 'blog/posts.py:43', 'blog/posts.py:65'],
  'flask-login-user': ['blog/auth.py:47'],
  'flask-logout-user': ['blog/auth.py:61'],
  // self.app = create_app(TestConfig) … self.app.test_client(): the app factory's Flask app across modules
  'flask-test-client': ['tests/test_smoke.py:22', 'tests/test_smoke.py:81'],
};

/** Findings checked one by one, with their exact start column. */
const SPOT: { target?: string; file: string; line: number; column: number; rule: string; fixable?: boolean; safe?: boolean }[] = [
  { file: 'blog/posts.py', line: 11, column: 1, rule: 'flask-route', fixable: true },
  { target: 'fastapi', file: 'blog/posts.py', line: 11, column: 1, rule: 'flask-route', fixable: true, safe: true },
  { target: 'django', file: 'blog/posts.py', line: 11, column: 1, rule: 'flask-route', fixable: true, safe: false },
  { file: 'blog/api.py', line: 23, column: 12, rule: 'flask-jsonify', fixable: true, safe: true },
  { file: 'blog/api.py', line: 85, column: 30, rule: 'flask-jsonify' },
  { file: 'blog/api.py', line: 85, column: 16, rule: 'flask-make-response' },
  { file: 'blog/__init__.py', line: 41, column: 20, rule: 'flask-jsonify' },
  { file: 'blog/__init__.py', line: 42, column: 16, rule: 'flask-render-template' },
  { file: 'blog/auth.py', line: 52, column: 24, rule: 'flask-url-for' },
  { file: 'blog/posts.py', line: 13, column: 12, rule: 'flask-request-args' },
  { file: 'blog/auth.py', line: 47, column: 35, rule: 'flask-request-form' },
  { file: 'blog/models.py', line: 21, column: 7, rule: 'fsa-model' },
  { file: 'blog/models.py', line: 71, column: 15, rule: 'fsa-query' },
  { file: 'blog/api.py', line: 67, column: 26, rule: 'fsa-query' },
  { file: 'blog/api.py', line: 84, column: 13, rule: 'flask-request-cookies' },
  { file: 'blog/api.py', line: 15, column: 43, rule: 'flask-g' },
  { file: 'blog/extensions.py', line: 5, column: 6, rule: 'fsa-db-setup' },
  { file: 'blog/models.py', line: 47, column: 5, rule: 'fsa-foreign-key' },
];

const FINDING_KEYS = ['file', 'line', 'column', 'endLine', 'endColumn', 'rule', 'from', 'category', 'message', 'fixable', 'safe'];

describe('scan --format json on examples/flask-blog', { concurrency: true }, () => {
  const reports = new Map<string, JsonReport>();
  before(() => {
    for (const t of TARGETS) reports.set(t, scanJson(example, t));
  });

  for (const target of TARGETS) {
    test(`${target}: the JSON contract`, () => {
      const r = reports.get(target)!;
      assert.equal(r.version, 1);
      assert.equal(r.root, example);
      assert.equal(r.target, target);
      // blog/{__init__,api,auth,extensions,lookalikes,models,posts}.py, config.py, wsgi.py, tests/test_smoke.py
      assert.equal(r.files, 10);
      assert.ok(Array.isArray(r.findings) && r.findings.length > 0);
      const ruleIds = new Set(RULES.map((x) => x.id));
      for (const f of r.findings) {
        assert.deepEqual(Object.keys(f).sort(), [...FINDING_KEYS].sort(), JSON.stringify(f));
        assert.equal(typeof f.file, 'string');
        assert.ok(!f.file.includes('\\') && !path.isAbsolute(f.file) && !f.file.startsWith('.'), f.file);
        assert.ok(fs.existsSync(path.join(example, f.file)), f.file);
        for (const k of ['line', 'column', 'endLine', 'endColumn'] as const) assert.ok(Number.isInteger(f[k]) && f[k] >= 1, `${k} ${f[k]}`);
        assert.ok(f.endLine > f.line || (f.endLine === f.line && f.endColumn > f.column), `empty range ${key(f)}`);
        assert.ok(ruleIds.has(f.rule), f.rule);
        const rule = RULES.find((x) => x.id === f.rule)!;
        assert.equal(f.from, rule.from);
        assert.equal(f.category, rule.category);
        assert.ok(typeof f.message === 'string' && f.message.length > 0);
        assert.equal(typeof f.fixable, 'boolean');
        assert.equal(typeof f.safe, 'boolean');
        if (f.safe) assert.ok(f.fixable, 'safe implies fixable');
        // the range points at real text of the file
        const lines = fs.readFileSync(path.join(example, f.file), 'utf8').split('\n');
        assert.ok(f.line <= lines.length && f.column <= lines[f.line - 1].length + 1, key(f));
      }
      // sorted by file, then position
      const sorted = [...r.findings].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column));
      assert.deepEqual(r.findings.map(key), sorted.map(key));
      // the summary counts the findings
      const count = (k: 'category' | 'from') => {
        const o: Record<string, number> = {};
        for (const f of r.findings) o[f[k]] = (o[f[k]] ?? 0) + 1;
        return o;
      };
      assert.deepEqual(r.summary.byCategory, count('category'));
      assert.deepEqual(r.summary.byFrom, count('from'));
    });

    test(`${target}: the exact findings of each rule`, () => {
      const r = reports.get(target)!;
      for (const [rule, where] of Object.entries(EXPECTED)) {
        assert.ok(RULES.some((x) => x.id === rule), `rule ${rule} exists`);
        const actual = r.findings.filter((f) => f.rule === rule).map(key).sort();
        const expected = where.map((w) => `${w} ${rule}`).sort();
        assert.deepEqual(actual, expected, `findings of ${rule} (--to ${target})`);
      }
    });

    test(`${target}: specific findings`, () => {
      const r = reports.get(target)!;
      for (const s of SPOT) {
        if (s.target && s.target !== target) continue;
        const onLine = r.findings.filter((x) => x.file === s.file && x.line === s.line && x.rule === s.rule);
        assert.ok(onLine.length > 0, `${s.rule} at ${s.file}:${s.line}`);
        const f = onLine.find((x) => x.column === s.column);
        assert.ok(f, `${s.rule} at ${s.file}:${s.line}:${s.column} (found columns ${onLine.map((x) => x.column).join(', ')})`);
        if (s.fixable !== undefined) assert.equal(f.fixable, s.fixable, `fixable: ${s.rule} at ${s.file}:${s.line}`);
        if (s.safe !== undefined) assert.equal(f.safe, s.safe, `safe: ${s.rule} at ${s.file}:${s.line}`);
      }
    });

    test(`${target}: nothing in blog/lookalikes.py, config.py, wsgi.py`, () => {
      const r = reports.get(target)!;
      for (const file of ['blog/lookalikes.py', 'config.py', 'wsgi.py']) {
        assert.deepEqual(r.findings.filter((f) => f.file === file).map(key), [], file);
      }
    });
  }

  test('--rule restricts the findings to those rules', () => {
    const r = scanJson(example, 'django', ['--rule', 'flask-route', '--rule', 'flask-jsonify']);
    assert.deepEqual([...new Set(r.findings.map((f) => f.rule))].sort(), ['flask-jsonify', 'flask-route']);
    assert.equal(r.findings.length, EXPECTED['flask-route'].length + EXPECTED['flask-jsonify'].length);
    const comma = scanJson(example, 'django', ['--rule', 'flask-route,flask-jsonify']);
    assert.deepEqual(comma.findings, r.findings);
  });

  test('--include / --exclude select files', () => {
    const r = scanJson(example, 'django', ['--include', 'blog/api.py', 'blog/posts.py']);
    assert.equal(r.files, 2);
    assert.deepEqual([...new Set(r.findings.map((f) => f.file))].sort(), ['blog/api.py', 'blog/posts.py']);
    const x = scanJson(example, 'django', ['--exclude', 'blog/api.py', '--exclude', 'tests/**']);
    assert.equal(x.files, 8);
    assert.ok(!x.findings.some((f) => f.file === 'blog/api.py'));
  });

  test('--orm keep leaves ORM rules out; --to flask reports no Flask idiom', () => {
    const keep = scanJson(example, 'django', ['--orm', 'keep']);
    assert.ok(!keep.findings.some((f) => f.rule.startsWith('fsa-')));
    assert.ok(keep.findings.some((f) => f.rule === 'flask-route'));
    const flask = scanJson(example, 'flask', ['--orm', 'keep']);
    assert.ok(!flask.findings.some((f) => f.from === 'flask'), 'no flask → flask finding');
  });

  test('a single file as PATH', () => {
    const file = path.join(example, 'blog', 'api.py');
    const r = scanJson(file, 'django', ['--rule', 'flask-jsonify']);
    assert.equal(r.root, file);
    assert.equal(r.files, 1);
    assert.deepEqual(
      r.findings.map((f) => `${f.file}:${f.line}`),
      EXPECTED['flask-jsonify'].filter((w) => w.startsWith('blog/api.py')).map((w) => w.replace('blog/', '')),
    );
  });

  test('names imported from the project resolve only with the project index', () => {
    // `from .models import Post` in api.py: Post.query is found when the whole app is scanned (above), and
    // not when api.py is scanned alone (its package is not part of PATH)
    const alone = scanJson(path.join(example, 'blog', 'api.py'), 'django', ['--rule', 'fsa-query']);
    assert.equal(alone.findings.length, 0);
  });
});

describe('scan --format text and sarif', { concurrency: true }, () => {
  test('text: one line per finding plus a summary line', () => {
    const json = scanJson(example, 'django');
    const r = runOk(['scan', example, '--to', 'django']);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.length, json.findings.length + 1);
    json.findings.forEach((f, i) => {
      const label = !f.fixable ? 'no fix' : f.safe ? 'fixable' : 'unsafe fix';
      assert.equal(lines[i], `${f.file}:${f.line}:${f.column}  ${f.rule}  ${f.message}  [${label}]`);
    });
    assert.match(lines[lines.length - 1], new RegExp(`^${json.findings.length} findings in \\d+ files \\(10 files analyzed`));
  });

  test('sarif: SARIF 2.1.0 with rules and results', () => {
    const json = scanJson(example, 'fastapi');
    const r = runOk(['scan', example, '--to', 'fastapi', '--format', 'sarif']);
    const log = JSON.parse(r.stdout);
    assert.equal(log.version, '2.1.0');
    assert.equal(log.runs.length, 1);
    const run0 = log.runs[0];
    assert.equal(run0.tool.driver.name, 'framework-porter');
    const rules = run0.tool.driver.rules as { id: string; shortDescription: { text: string }; fullDescription: { text: string }; helpUri: string; defaultConfiguration: { level: string } }[];
    assert.deepEqual(rules.map((x) => x.id).sort(), RULES.map((x) => x.id).sort());
    for (const d of rules) {
      assert.ok(d.shortDescription.text && d.fullDescription.text, d.id);
      assert.ok(d.helpUri.endsWith(`docs/rules/${d.id}.md`), d.helpUri);
      assert.ok(['none', 'note', 'warning', 'error'].includes(d.defaultConfiguration.level));
    }
    assert.ok(run0.originalUriBaseIds.ROOT.uri.startsWith('file://'));
    assert.equal(run0.results.length, json.findings.length);
    run0.results.forEach((res: any, i: number) => {
      const f = json.findings[i];
      assert.equal(res.ruleId, f.rule);
      assert.equal(rules[res.ruleIndex].id, f.rule);
      assert.ok(['note', 'warning', 'error'].includes(res.level));
      assert.equal(res.message.text, f.message);
      const loc = res.locations[0].physicalLocation;
      assert.equal(loc.artifactLocation.uri, f.file);
      assert.equal(loc.artifactLocation.uriBaseId, 'ROOT');
      assert.deepEqual(loc.region, { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: f.endColumn });
      assert.deepEqual({ category: res.properties.category, from: res.properties.from, safe: res.properties.safe }, { category: f.category, from: f.from, safe: f.safe });
    });
  });
});

describe('fix', { concurrency: true }, () => {
  test('--dry-run prints the unified diff of what fix writes, and writes nothing', () => {
    const dry = copyExample();
    const real = copyExample();
    const before = snapshot(dry);
    const mtimes = new Map([...before.keys()].map((f) => [f, fs.statSync(path.join(dry, f)).mtimeMs]));
    const r = runOk(['fix', dry, '--to', 'django', '--dry-run']);
    assert.deepEqual(snapshot(dry), before, 'no file changed');
    for (const [f, m] of mtimes) assert.equal(fs.statSync(path.join(dry, f)).mtimeMs, m, `${f} untouched`);
    assert.match(r.stdout, /^diff --git a\/blog\/__init__\.py b\/blog\/__init__\.py\n--- a\/blog\/__init__\.py\n\+\+\+ b\/blog\/__init__\.py\n@@ /);
    const summary = /dry run: would fix (\d+) findings? in (\d+) files?; (\d+) TODO\(port\) left; nothing written/.exec(r.stderr);
    assert.ok(summary, r.stderr);

    // the diff, applied to the original files, gives exactly what fix writes
    runOk(['fix', real, '--to', 'django']);
    const patches = parsePatch(r.stdout);
    const patched = new Set<string>();
    for (const p of patches) {
      assert.ok(p.oldFileName?.startsWith('a/') && p.newFileName?.startsWith('b/'), `${p.oldFileName} ${p.newFileName}`);
      const rel = p.oldFileName!.slice(2);
      assert.equal(p.newFileName!.slice(2), rel);
      const applied = applyPatch(before.get(rel)!, p);
      assert.equal(applied, fs.readFileSync(path.join(real, rel), 'utf8'), `the diff of ${rel} is what fix wrote`);
      patched.add(rel);
    }
    for (const [rel, text] of before) if (!patched.has(rel)) assert.equal(fs.readFileSync(path.join(real, rel), 'utf8'), text, `${rel} unchanged by fix`);
    assert.ok(patched.has('blog/api.py') && patched.has('blog/posts.py') && !patched.has('blog/lookalikes.py'));
    assert.equal(Number(summary[2]), patched.size);
  });

  for (const target of TARGETS) {
    test(`--to ${target} on a copy: writes the files, they parse, nothing fixable is left`, () => {
      const dir = copyExample();
      const before = snapshot(dir);
      fs.chmodSync(path.join(dir, 'blog', 'api.py'), 0o640);
      const r = runOk(['fix', dir, '--to', target]);
      const lines = r.stdout.trimEnd().split('\n');
      const perFile = lines.slice(0, -1);
      for (const l of perFile) assert.match(l, /^fixed \d+ findings? in \S+\.py; \d+ TODO\(port\) left$/, l);
      assert.match(lines[lines.length - 1], /^fixed \d+ findings? in \d+ files?; \d+ TODO\(port\) left$/);
      const changed = perFile.map((l) => / in (\S+);/.exec(l)![1]).sort();
      const after = snapshot(dir);
      assert.deepEqual([...after.keys()].sort(), [...before.keys()].sort(), 'no file added or removed (no temp file left)');
      assert.deepEqual(changed, [...before.keys()].filter((f) => after.get(f) !== before.get(f)).sort(), 'one line per changed file');
      assert.ok(changed.includes('blog/api.py') && changed.includes('blog/posts.py'));
      assert.equal(after.get('blog/lookalikes.py'), before.get('blog/lookalikes.py'));
      // counts add up
      const sum = (re: RegExp) => perFile.reduce((n, l) => n + Number(re.exec(l)![1]), 0);
      const total = /^fixed (\d+) findings? in (\d+) files?; (\d+) TODO/.exec(lines[lines.length - 1])!;
      assert.equal(Number(total[1]), sum(/^fixed (\d+)/));
      assert.equal(Number(total[2]), perFile.length);
      assert.equal(Number(total[3]), sum(/; (\d+) TODO/));
      for (const f of changed) {
        const todos = (after.get(f)!.match(/# TODO\(port\):/g) ?? []).length;
        assert.ok(perFile.some((l) => l.includes(` in ${f}; ${todos} TODO(port) left`)), `TODO count of ${f}`);
      }
      // the mode of a rewritten file is kept
      assert.equal(fs.statSync(path.join(dir, 'blog', 'api.py')).mode & 0o777, 0o640);
      for (const f of [...after.keys()].filter((x) => x.endsWith('.py'))) pythonParses(path.join(dir, f));
      const again = scanJson(dir, target);
      assert.deepEqual(again.findings.filter((f) => f.fixable).map(key), [], 'nothing fixable after fix');
      // a second fix changes nothing
      const second = runOk(['fix', dir, '--to', target]);
      assert.match(second.stdout, /^fixed 0 findings in 0 files/);
      assert.deepEqual(snapshot(dir), after);
    });
  }

  test('--rule fixes only that rule; --safe-only leaves unsafe fixes', () => {
    const dir = copyExample();
    runOk(['fix', dir, '--to', 'django', '--rule', 'flask-jsonify']);
    const r = scanJson(dir, 'django');
    assert.equal(r.findings.filter((f) => f.rule === 'flask-jsonify').length, 0);
    // the routes are all still there (jsonify's fix adds import lines: compare per file)
    const perFile = (xs: string[]) => xs.map((x) => x.split(':')[0]).sort();
    assert.deepEqual(perFile(r.findings.filter((f) => f.rule === 'flask-route').map((f) => f.file)), perFile(EXPECTED['flask-route']));

    const safe = copyExample();
    runOk(['fix', safe, '--to', 'django', '--safe-only']);
    const s = scanJson(safe, 'django');
    assert.deepEqual(s.findings.filter((f) => f.safe).map(key), [], 'no safe fix left');
    // the Django route fix is unsafe (it leaves a TODO for urls.py): all routes are still there
    assert.equal(s.findings.filter((f) => f.rule === 'flask-route').length, EXPECTED['flask-route'].length);
  });

  test('refuses to write through a symlink that leads outside PATH', () => {
    const base = tmpDir();
    fs.mkdirSync(path.join(base, 'outside'));
    fs.mkdirSync(path.join(base, 'project'));
    const target = path.join(base, 'outside', 'app.py');
    const code = 'from flask import jsonify\n\n\ndef f():\n    return jsonify(a=1)\n';
    fs.writeFileSync(target, code);
    fs.symlinkSync(target, path.join(base, 'project', 'link.py'));
    const r = run(['fix', path.join(base, 'project', 'link.py'), '--to', 'django']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /not written link\.py: refusing to write outside/);
    assert.equal(fs.readFileSync(target, 'utf8'), code);
    // a directory scan does not follow it either
    const d = run(['fix', path.join(base, 'project'), '--to', 'django']);
    assert.equal(d.code, 0, d.stderr);
    assert.equal(fs.readFileSync(target, 'utf8'), code);
  });
});

describe('unreadable files and crashes', { concurrency: true }, () => {
  test('binary and non-UTF-8 files are skipped with one stderr line each', () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'good.py'), 'from flask import jsonify\n\n\ndef f():\n    return jsonify(a=1)\n');
    fs.writeFileSync(path.join(dir, 'bin.py'), Buffer.from([0x78, 0x20, 0x3d, 0x20, 0x31, 0x00, 0x0a]));
    fs.writeFileSync(path.join(dir, 'latin1.py'), Buffer.from('s = "caf\xe9"\n', 'latin1'));
    const r = runOk(['scan', dir, '--to', 'django', '--format', 'json']);
    const lines = r.stderr.trimEnd().split('\n').sort();
    assert.deepEqual(lines, ['skipped bin.py: binary file (NUL bytes)', 'skipped latin1.py: not UTF-8 text']);
    const j = JSON.parse(r.stdout) as JsonReport;
    assert.equal(j.files, 1);
    assert.equal(j.skipped, 2);
    assert.deepEqual(j.findings.map((f) => `${f.file}:${f.line} ${f.rule}`), ['good.py:5 flask-jsonify']);
    const big = run(['scan', dir, '--to', 'django', '--max-file-size', '10']);
    assert.equal(big.code, 0);
    assert.match(big.stderr, /skipped good\.py: larger than maxFileSize/);
    const fix = run(['fix', dir, '--to', 'fastapi']);
    assert.equal(fix.code, 0, fix.stderr);
    assert.match(fix.stdout, /^fixed 1 finding in good\.py; 0 TODO\(port\) left$/m);
  });

  test('a crash in one file is reported with its name and the scan goes on', async () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'a.py'), 'from flask import jsonify\nx = jsonify(1)\n');
    fs.writeFileSync(path.join(dir, 'b.py'), '# CRASH_ME\nfrom flask import jsonify\ny = jsonify(2)\n');
    fs.writeFileSync(path.join(dir, 'c.py'), 'from flask import jsonify\nz = jsonify(3)\n');
    const g = await loadPython();
    const project = await loadCliProject(g, dir);
    // a rule whose query does not compile, reached only by b.py (its needle)
    const broken = { ...RULES.find((x) => x.id === 'flask-jsonify')!, id: 'broken', needles: ['CRASH_ME'], query: '((call' };
    const errors: string[] = [];
    const res = scanProject(g, project, { ...DEFAULT_SETTINGS, target: 'django' }, [...RULES, broken], undefined, (f, e) => errors.push(`${f}: ${e}`));
    assert.equal(errors.length, 1);
    assert.match(errors[0], /^b\.py: /);
    assert.equal(res.files, 2);
    assert.deepEqual(res.findings.map((f) => `${f.file}:${f.line} ${f.rule}`), ['a.py:2 flask-jsonify', 'c.py:2 flask-jsonify']);
  });

  test('a file changed on disk after it was read is not overwritten', async () => {
    const dir = tmpDir();
    const f = path.join(dir, 'x.py');
    fs.writeFileSync(f, 'a = 1\n');
    fs.chmodSync(f, 0o600);
    const read = fs.readFileSync(f);
    fs.writeFileSync(f, 'a = 2\n'); // someone else saved it meanwhile
    const r = writeFileAtomic(f, read, Buffer.from('b = 1\n'));
    assert.equal(r.ok, false);
    assert.equal(fs.readFileSync(f, 'utf8'), 'a = 2\n');
    assert.deepEqual(fs.readdirSync(dir), ['x.py'], 'no temp file left');
    const ok = writeFileAtomic(f, fs.readFileSync(f), Buffer.from('b = 1\n'));
    assert.equal(ok.ok, true);
    assert.equal(fs.readFileSync(f, 'utf8'), 'b = 1\n');
    assert.equal(fs.statSync(f).mode & 0o777, 0o600);
    assert.deepEqual(fs.readdirSync(dir), ['x.py']);
  });
});

describe('rules', { concurrency: true }, () => {
  interface RuleJson {
    id: string;
    from: string;
    to: string[];
    category: string;
    title: string;
    fixable: boolean;
    safe: boolean;
    effortMinutes: number;
    examples: { target: string; before: string; after: string }[];
    summary: string;
  }
  let rules: RuleJson[] = [];
  before(() => {
    rules = JSON.parse(runOk(['rules', '--format', 'json']).stdout);
  });

  test('--format json: the contract', () => {
    assert.ok(Array.isArray(rules));
    assert.deepEqual(rules.map((r) => r.id).sort(), RULES.map((r) => r.id).sort());
    for (const r of rules) {
      assert.deepEqual(Object.keys(r), ['id', 'from', 'to', 'category', 'title', 'fixable', 'safe', 'effortMinutes', 'examples', 'summary']);
      const def = RULES.find((x) => x.id === r.id)!;
      assert.equal(r.from, def.from);
      assert.deepEqual(r.to, Object.keys(def.fixes));
      assert.equal(r.category, def.category);
      assert.equal(r.title, def.title);
      assert.equal(r.fixable, r.to.length > 0);
      assert.equal(r.safe, r.to.length > 0 && Object.values(def.fixes).every((f) => f!.safe));
      assert.equal(r.effortMinutes, def.effortMinutes);
      assert.equal(r.summary, def.docs.summary);
      for (const e of r.examples) {
        assert.ok(['django', 'fastapi', 'flask'].includes(e.target), e.target);
        assert.ok(e.before.length > 0 && e.after.length > 0);
      }
      assert.deepEqual(r.examples, def.examples);
    }
  });

  test("every example: the rule fires on before and not on after", () => {
    const base = tmpDir();
    const cases: { rule: string; target: string; dir: string }[] = [];
    rules.forEach((r) =>
      r.examples.forEach((e, i) => {
        const dir = path.join(base, e.target, `${r.id}-${i}`);
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(path.join(dir, 'before.py'), e.before);
        fs.writeFileSync(path.join(dir, 'after.py'), e.after);
        cases.push({ rule: r.id, target: e.target, dir: `${e.target}/${r.id}-${i}` });
      }),
    );
    for (const target of new Set(cases.map((c) => c.target))) {
      const rep = scanJson(path.join(base, target), target);
      for (const c of cases.filter((x) => x.target === target)) {
        const rel = c.dir.slice(target.length + 1);
        const on = (file: string) => rep.findings.filter((f) => f.file === `${rel}/${file}` && f.rule === c.rule);
        assert.ok(on('before.py').length > 0, `${c.rule} fires on its ${target} example's before`);
        assert.deepEqual(on('after.py').map(key), [], `${c.rule} is silent on its ${target} example's after`);
      }
    }
  });

  test('--format text and md', () => {
    const text = runOk(['rules']).stdout.trimEnd().split('\n');
    assert.equal(text.length, RULES.length + 1);
    assert.equal(text[text.length - 1], `${RULES.length} rules`);
    const md = runOk(['rules', '--format', 'md']).stdout;
    assert.match(md, /^\| rule \| from \| category \| targets \| safe \| effort \|\n\| --- /);
    for (const r of RULES) assert.ok(md.includes(`[\`${r.id}\`](docs/rules/${r.id}.md)`), r.id);
  });

  test('docs/rules has a page per rule (npm run docs)', () => {
    for (const r of RULES) {
      const page = path.join(root, 'docs', 'rules', `${r.id}.md`);
      assert.ok(fs.existsSync(page), `docs/rules/${r.id}.md`);
      const text = fs.readFileSync(page, 'utf8');
      assert.ok(text.startsWith(`# \`${r.id}\``));
      assert.ok(text.includes(r.docs.summary));
      for (const e of r.examples) assert.ok(text.includes(e.after), `${r.id}: the ${e.target} example`);
    }
    assert.ok(fs.existsSync(path.join(root, 'docs', 'rules', 'README.md')));
  });
});

describe('usage', { concurrency: true }, () => {
  const bad: [string, string[]][] = [
    ['a missing path', ['scan', 'missing/', '--to', 'django']],
    ['an unknown target', ['scan', '.', '--to', 'rails']],
    ['an unknown flag of fix', ['fix', 'examples/flask-blog', '--to', 'django', '--bogus']],
    ['an unknown format', ['scan', 'examples/flask-blog', '--to', 'django', '--format', 'xml']],
    ['an unknown rule id', ['scan', 'examples/flask-blog', '--to', 'django', '--rule', 'no-such-rule']],
    ['no --to', ['scan', 'examples/flask-blog']],
    ['an unknown command', ['frobnicate']],
    ['an unknown rules format', ['rules', '--format', 'yaml']],
  ];
  for (const [what, args] of bad) {
    test(`exit 2 and one stderr line for ${what}`, () => {
      const r = run(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout, '');
      const lines = r.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.ok(lines[0].length > 10);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    });
  }

  test('--version and --help', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    assert.equal(runOk(['--version']).stdout.trim(), pkg.version);
    const help = runOk(['--help']).stdout;
    for (const c of ['scan', 'fix', 'rules']) assert.match(help, new RegExp(`\\b${c}\\b`));
    assert.match(runOk(['scan', '--help']).stdout, /--to <target>/);
    assert.match(runOk(['fix', '--help']).stdout, /--dry-run/);
  });
});
