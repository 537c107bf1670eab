// The porting report: Markdown, self-contained HTML (inline CSS and SVG, no scripts, no external resources) and
// JSON, from one checklist snapshot; deterministic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeProgress, buildSnapshot, type LiveOccurrence, type RuleMeta } from '../../server/src/workspace/progress';
import { renderReport, reportFileName, formatEffort, PERCENT_FORMULA } from '../../server/src/workspace/report';

const RULES: Record<string, RuleMeta> = {
  'flask-route': { title: 'Flask route decorator', category: 'routing', from: 'flask', effortMinutes: 10 },
  'flask-jsonify': { title: 'jsonify()', category: 'response', from: 'flask', effortMinutes: 3 },
};
const occ = (rule: string, file: string, line: number, scope = ''): LiveOccurrence => ({
  id: `${rule}|${file}|${scope}|${String(line).padStart(12, '0')}|0`,
  rule,
  file,
  uri: `file:///w/${file}`,
  range: { start: { line, character: 4 }, end: { line, character: 9 } },
  message: `${rule} <here> & "there"`,
  fixable: true,
  safe: true,
  scope,
});

function snapshot(withBaseline = true) {
  const a = occ('flask-route', 'app.py', 5);
  const b = occ('flask-route', 'web/my views.py', 11, 'Api');
  const c = occ('flask-jsonify', 'app.py', 8, 'index');
  const d = occ('flask-jsonify', 'app.py', 20, 'other');
  const fresh = occ('flask-jsonify', 'new.py', 2);
  const progress = computeProgress({
    baseline: withBaseline ? [a, b, c, d].map((o) => o.id) : undefined,
    current: withBaseline ? [b, c, d, fresh] : [a, b, c, d],
    wontPort: { [d.id]: 'kept for <legacy> clients' },
    rule: (id) => RULES[id],
    uriOf: (f) => `file:///w/${f}`,
  });
  return buildSnapshot({
    folderUri: 'file:///w',
    folderName: 'blog app',
    target: 'django',
    ormTarget: 'django-orm',
    hasBaseline: withBaseline,
    scanning: false,
    filesScanned: 12,
    todos: [{ file: 'app.py', uri: 'file:///w/app.py', line: 30, text: 'check the session cookie', rule: 'flask-session' }],
    progress,
  });
}

test('markdown: summary, progress per category, remaining with links, won’t port, TODOs, effort', () => {
  const md = renderReport(snapshot(), 'md');
  assert.match(md, /^# Porting report: blog app\n/);
  assert.ok(md.includes('Progress: 33%'), md); // 1 ported of (4 − 1)
  assert.ok(md.includes(PERCENT_FORMULA));
  assert.ok(md.includes('| routing |'));
  assert.ok(md.includes('| response |'));
  assert.ok(md.includes('[web/my views.py:12](web/my%20views.py#L12) in `Api`'), 'relative links with #L<line>, 1-based');
  assert.ok(md.includes('[new.py:3](new.py#L3)') && md.includes('regression'));
  assert.ok(md.includes('kept for <legacy> clients'));
  assert.ok(md.includes('[app.py:31](app.py#L31) check the session cookie (`flask-session`)'));
  assert.ok(md.includes('## Effort left'));
  assert.ok(md.includes('16 min in all.')); // route 10 + jsonify 3 (open) + jsonify 3 (regression)
  assert.equal(renderReport(snapshot(), 'md'), md, 'deterministic');
});

test('markdown without a baseline says how to record one', () => {
  const md = renderReport(snapshot(false), 'md');
  assert.ok(md.includes('No baseline recorded yet'));
  assert.ok(md.includes('framework-porter baseline PATH'));
});

test('html: self-contained, inline SVG chart, escaped, links to relative paths', () => {
  const html = renderReport(snapshot(), 'html');
  assert.match(html, /^<!DOCTYPE html>/);
  assert.ok(html.includes('<svg'), 'an inline SVG chart');
  assert.ok(html.includes('<style>'));
  assert.doesNotMatch(html, /<script/i);
  assert.doesNotMatch(html, /(src|href)\s*=\s*["']?\s*(https?:)?\/\//i, 'no external resources');
  assert.doesNotMatch(html, /https?:/i);
  assert.doesNotMatch(html, /<link\b/i);
  assert.ok(html.includes('href="web/my%20views.py#L12"'));
  assert.ok(html.includes('&lt;here&gt; &amp; &quot;there&quot;'), 'messages escaped');
  assert.ok(!html.includes('<here>'));
  assert.ok(html.includes('kept for &lt;legacy&gt; clients'));
  assert.ok(html.includes('check the session cookie'));
  assert.ok(html.includes('33%'));
  // one bar row per category
  assert.equal((html.match(/<rect [^>]*fill="#eeeeee"/g) ?? []).length, 2);
});

test('json: overall, categories with percent, remaining, won’t port, todos, effort', () => {
  const j = JSON.parse(renderReport(snapshot(), 'json'));
  assert.equal(j.version, 1);
  assert.equal(j.overall.percent, 33);
  assert.deepEqual(j.categories.map((c: { category: string; percent: number }) => [c.category, c.percent]), [['response', 0], ['routing', 50]]);
  assert.equal(j.remaining.length, 3);
  assert.equal(j.remaining.filter((r: { regression: boolean }) => r.regression).length, 1);
  assert.deepEqual(j.wontPort.map((w: { reason: string }) => w.reason), ['kept for <legacy> clients']);
  assert.equal(j.todos[0].line, 31);
  assert.equal(j.effortLeftMinutes, 16);
  assert.equal(j.ported.length, 1);
});

test('file names and effort formatting', () => {
  assert.equal(reportFileName({ folderName: 'blog app' }, 'html'), 'framework-porter-report-blog-app.html');
  assert.equal(formatEffort(45), '45 min');
  assert.equal(formatEffort(120), '2 h');
  assert.equal(formatEffort(125), '2 h 5 min');
});
