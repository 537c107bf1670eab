// `framework-porter report` and `framework-porter baseline` as a user runs them (dist/cli.js, `npm run build`
// first): a report without a baseline says how to record one; after `baseline` and an edit the report shows
// progress; html is self-contained; --out writes a file; bad arguments exit 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../..');
const cli = process.env.FRAMEWORK_PORTER_CLI ? path.resolve(process.env.FRAMEWORK_PORTER_CLI) : path.join(root, 'dist', 'cli.js');
const example = path.join(root, 'examples', 'flask-blog');

function run(args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function copyExample(): string {
  const d = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fp-report-')), 'flask-blog');
  fs.cpSync(example, d, { recursive: true });
  fs.rmSync(path.join(d, '.framework-porter'), { recursive: true, force: true });
  return d;
}

test('report without a baseline: open counts and how to record one', () => {
  const d = copyExample();
  const r = run(['report', d, '--to', 'django']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^# Porting report: flask-blog\n/);
  assert.ok(r.stdout.includes('No baseline recorded yet'));
  assert.ok(r.stdout.includes('framework-porter baseline PATH'));
  assert.match(r.stdout, /Open occurrences: \d+/);
  assert.match(r.stdout, /\]\(blog\/[\w/]+\.py#L\d+\)/, 'relative links');
  const scan = JSON.parse(run(['scan', d, '--to', 'django', '--format', 'json']).stdout);
  const json = JSON.parse(run(['report', d, '--to', 'django', '--format', 'json']).stdout);
  assert.equal(json.remaining.length, scan.findings.length, 'the same findings as scan');
  assert.equal(json.hasBaseline, false);
  assert.equal(json.overall.effortLeftMinutes, json.remaining.reduce((n: number, x: { effortMinutes: number }) => n + x.effortMinutes, 0));
});

test('baseline, then an edit: progress, a regression, the report in every format', () => {
  const d = copyExample();
  const b = run(['baseline', d, '--to', 'django']);
  assert.equal(b.code, 0, b.stderr);
  const m = /recorded a baseline of (\d+) occurrences/.exec(b.stdout);
  assert.ok(m, b.stdout);
  const state = fs.readFileSync(path.join(d, '.framework-porter', 'state.json'), 'utf8');
  assert.equal(JSON.parse(state).baseline.length, Number(m[1]));
  // running it twice writes the same bytes
  run(['baseline', d, '--to', 'django']);
  assert.equal(fs.readFileSync(path.join(d, '.framework-porter', 'state.json'), 'utf8'), state);

  // fix one file completely, and add a new idiom elsewhere
  const fixed = run(['fix', path.join(d, 'blog', 'api.py'), '--to', 'django']);
  assert.equal(fixed.code, 0, fixed.stderr);
  fs.appendFileSync(path.join(d, 'wsgi.py'), '\n\nfrom flask import jsonify\n\n\ndef extra():\n    return jsonify(added=True)\n');
  const j = JSON.parse(run(['report', d, '--to', 'django', '--format', 'json']).stdout);
  assert.equal(j.hasBaseline, true);
  assert.equal(j.overall.baseline, Number(m[1]));
  assert.ok(j.overall.ported > 0);
  assert.ok(j.overall.percent > 0 && j.overall.percent < 100);
  assert.ok(j.remaining.some((x: { regression: boolean; file: string }) => x.regression && x.file === 'wsgi.py'));
  assert.equal(j.overall.percent, Math.floor((100 * j.overall.ported) / (j.overall.ported + j.overall.open)));

  const md = run(['report', d, '--to', 'django']).stdout;
  assert.ok(md.includes(`Progress: ${j.overall.percent}%`));
  assert.ok(md.includes('regression'));

  const out = path.join(d, 'out', 'report.html');
  const h = run(['report', d, '--to', 'django', '--format', 'html', '--out', out]);
  assert.equal(h.code, 0, h.stderr);
  assert.equal(h.stdout, '');
  const html = fs.readFileSync(out, 'utf8');
  assert.ok(html.includes('<svg'));
  assert.doesNotMatch(html, /<script|https?:/i);
});

test('bad arguments exit 2', () => {
  const d = copyExample();
  assert.equal(run(['report', d]).code, 2, 'no --to');
  assert.equal(run(['report', d, '--to', 'django', '--format', 'pdf']).code, 2);
  assert.equal(run(['report', path.join(d, 'nope'), '--to', 'django']).code, 2);
  const single = run(['report', path.join(d, 'wsgi.py'), '--to', 'django']);
  assert.equal(single.code, 2);
  assert.match(single.stderr, /needs a directory/);
  assert.equal(run(['baseline', d, '--to', 'rails']).code, 2);
});
