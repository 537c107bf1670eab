// The porting report: a checklist snapshot → Markdown, self-contained HTML (inline CSS and SVG chart, no scripts,
// no external resources) or JSON. Pure and deterministic (no dates): the same snapshot gives the same bytes.
// Links are relative to the workspace folder (`file#L<line>`), so the report works saved at the folder's root and
// in a repository browser.
import type { CategoryProgress, ChecklistSnapshot, Occurrence, TodoItem } from '../../../protocol';
import { percentOf } from './progress';

export type ReportFormat = 'md' | 'html' | 'json';
export const REPORT_FORMATS: readonly ReportFormat[] = ['md', 'html', 'json'];

export const PERCENT_FORMULA = 'progress = ported / (baseline − won’t port), where a baseline occurrence is ported once it is gone from the code';
export const HOW_TO_BASELINE = 'No baseline recorded yet: run “Framework Porter: Start Porting” in VS Code, or `framework-porter baseline PATH --to <target>`, to record every occurrence found now; progress is measured against it.';

export function reportFileName(snapshot: Pick<ChecklistSnapshot, 'folderName'>, format: ReportFormat): string {
  const base = snapshot.folderName.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'workspace';
  return `framework-porter-report-${base}.${format}`;
}

export function formatEffort(minutes: number): string {
  if (minutes < 60) return `${minutes} min`;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return m ? `${h} h ${m} min` : `${h} h`;
}

const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
const line1 = (o: { range: Occurrence['range'] }) => o.range.start.line + 1;
const fileLink = (file: string, line: number) => `${encodeURI(file).replace(/#/g, '%23').replace(/\?/g, '%3F')}#L${line}`;

interface Group {
  category: string;
  rules: { rule: string; title: string; effortMinutes: number; items: Occurrence[] }[];
}

/** Open and regression occurrences grouped by category → rule (both sorted), items in file order. */
function remainingGroups(s: ChecklistSnapshot): Group[] {
  const cats = new Map<string, Map<string, Occurrence[]>>();
  for (const o of s.occurrences) {
    if (o.state !== 'open' && o.state !== 'regression') continue;
    let rules = cats.get(o.category);
    if (!rules) cats.set(o.category, (rules = new Map()));
    const list = rules.get(o.rule) ?? [];
    list.push(o);
    rules.set(o.rule, list);
  }
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...cats.keys()].sort(cmp).map((category) => ({
    category,
    rules: [...cats.get(category)!.entries()]
      .sort(([a], [b]) => cmp(a, b))
      .map(([rule, items]) => ({ rule, title: items[0].title, effortMinutes: items.reduce((n, o) => n + o.effortMinutes, 0), items })),
  }));
}

function summaryLines(s: ChecklistSnapshot): string[] {
  const o = s.overall;
  const out = [`Target: ${s.target} (ORM: ${s.ormTarget}); ${plural(s.filesScanned, 'file')} scanned.`];
  if (s.hasBaseline) {
    out.push(`Progress: ${o.percent}% — ${o.ported} of ${o.ported + o.open} baseline occurrences to port are ported (${PERCENT_FORMULA}).`);
    out.push(`Baseline: ${o.baseline}; ported: ${o.ported}; open: ${o.open}; won’t port: ${o.wontPort}; regressions (new since the baseline): ${o.regressions}.`);
  } else {
    out.push(`Open occurrences: ${o.open}; won’t port: ${o.wontPort}.`);
    out.push(HOW_TO_BASELINE);
  }
  out.push(`Effort left: ${formatEffort(o.effortLeftMinutes)} (the rules’ effort estimates summed over open occurrences and regressions).`);
  if (s.todos.length) out.push(`TODOs left for a person: ${s.todos.length}.`);
  return out;
}

// ——— Markdown ———

function mdCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function mdBar(percent: number): string {
  const n = Math.round(percent / 5);
  return '█'.repeat(n) + '░'.repeat(20 - n);
}

function mdTodos(todos: TodoItem[]): string[] {
  return todos.map((t) => `- [${mdCell(t.file)}:${t.line + 1}](${fileLink(t.file, t.line + 1)}) ${mdCell(t.text)}${t.rule ? ` (\`${t.rule}\`)` : ''}`);
}

export function toMarkdown(s: ChecklistSnapshot): string {
  const out: string[] = [`# Porting report: ${s.folderName}`, ''];
  out.push('## Summary', '', ...summaryLines(s).map((l) => `- ${l}`), '');
  out.push('## Progress per category', '');
  out.push('| category | progress | baseline | ported | open | won’t port | regressions | effort left |');
  out.push('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const c of s.categories) {
    const p = percentOf(c, s.hasBaseline);
    out.push(`| ${mdCell(c.category)} | \`${mdBar(p)}\` ${s.hasBaseline ? `${p}%` : '—'} | ${c.baseline} | ${c.ported} | ${c.open} | ${c.wontPort} | ${c.regressions} | ${formatEffort(c.effortLeftMinutes)} |`);
  }
  const o = s.overall;
  out.push(`| **overall** | \`${mdBar(o.percent)}\` ${s.hasBaseline ? `${o.percent}%` : '—'} | ${o.baseline} | ${o.ported} | ${o.open} | ${o.wontPort} | ${o.regressions} | ${formatEffort(o.effortLeftMinutes)} |`, '');

  out.push('## Remaining occurrences', '');
  const groups = remainingGroups(s);
  if (!groups.length) out.push('Nothing left to port.', '');
  for (const g of groups) {
    out.push(`### ${g.category}`, '');
    for (const r of g.rules) {
      out.push(`#### \`${r.rule}\` ${r.title} — ${plural(r.items.length, 'occurrence')}, ${formatEffort(r.effortMinutes)}`, '');
      for (const x of r.items) {
        const where = `${x.file}:${line1(x)}`;
        out.push(`- [${mdCell(where)}](${fileLink(x.file, line1(x))})${x.scope ? ` in \`${x.scope}\`` : ''}: ${mdCell(x.message)}${x.state === 'regression' ? ' **(regression: new since the baseline)**' : ''}`);
      }
      out.push('');
    }
  }

  out.push('## Won’t port', '');
  const wont = s.occurrences.filter((x) => x.state === 'wontPort');
  if (!wont.length) out.push('No won’t-port decisions.', '');
  else {
    out.push('| occurrence | rule | reason |', '| --- | --- | --- |');
    for (const x of wont) out.push(`| [${mdCell(`${x.file}:${line1(x)}`)}](${fileLink(x.file, line1(x))})${x.scope ? ` \`${x.scope}\`` : ''} | \`${x.rule}\` | ${mdCell(x.reason ?? '')} |`);
    out.push('');
  }

  out.push('## Left for a person', '');
  if (!s.todos.length) out.push('No `TODO(port)` comments left.', '');
  else out.push(...mdTodos(s.todos), '');

  out.push('## Effort left', '');
  out.push(`${formatEffort(o.effortLeftMinutes)} in all.`, '');
  for (const c of s.categories) if (c.effortLeftMinutes) out.push(`- ${c.category}: ${formatEffort(c.effortLeftMinutes)}`);
  return out.join('\n').replace(/\n+$/, '') + '\n';
}

// ——— HTML ———

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const COLORS = { ported: '#2e7d32', wontPort: '#9e9e9e', open: '#ef6c00', regression: '#c62828' };

/** A horizontal stacked bar per category: ported, won't port, open, regressions; the percent beside it. */
export function progressChart(categories: readonly CategoryProgress[], hasBaseline: boolean): string {
  const rowH = 26;
  const labelW = 130;
  const barW = 360;
  const width = labelW + barW + 70;
  const height = rowH * categories.length + 34;
  const parts: string[] = [
    `<svg class="chart" role="img" aria-label="Porting progress per category" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
  ];
  categories.forEach((c, i) => {
    const y = 4 + i * rowH;
    const total = c.ported + c.wontPort + c.open + c.regressions;
    parts.push(`<text x="${labelW - 8}" y="${y + 15}" text-anchor="end">${esc(c.category)}</text>`);
    parts.push(`<rect x="${labelW}" y="${y + 2}" width="${barW}" height="16" fill="#eeeeee"/>`);
    let x = labelW;
    for (const [key, n] of [['ported', c.ported], ['wontPort', c.wontPort], ['open', c.open], ['regression', c.regressions]] as const) {
      if (!n || !total) continue;
      const w = (barW * n) / total;
      parts.push(`<rect x="${x.toFixed(1)}" y="${y + 2}" width="${w.toFixed(1)}" height="16" fill="${COLORS[key]}"><title>${esc(`${c.category}: ${n} ${key === 'wontPort' ? 'won’t port' : key}`)}</title></rect>`);
      x += w;
    }
    parts.push(`<text x="${labelW + barW + 8}" y="${y + 15}">${hasBaseline ? `${percentOf(c, true)}%` : `${c.open} open`}</text>`);
  });
  const ly = 4 + categories.length * rowH + 14;
  let lx = labelW;
  for (const [key, label] of [['ported', 'ported'], ['wontPort', 'won’t port'], ['open', 'open'], ['regression', 'regression']] as const) {
    parts.push(`<rect x="${lx}" y="${ly - 9}" width="10" height="10" fill="${COLORS[key]}"/><text x="${lx + 14}" y="${ly}" class="legend">${label}</text>`);
    lx += 95;
  }
  parts.push('</svg>');
  return parts.join('\n');
}

const CSS = `body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em auto;max-width:60em;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em}h2{margin-top:1.6em;border-bottom:1px solid #ddd}h3{margin-bottom:.3em}
table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #ddd;padding:.25em .6em;text-align:left}td.n,th.n{text-align:right}
code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.92em}
.chart text{font-size:12px;fill:#333}.chart .legend{font-size:11px}
.regression{color:#c62828;font-weight:600}.muted{color:#666}.percent{font-size:2.4em;font-weight:700;margin:.2em 0}
ul.items{margin-top:.2em}`;

function htmlLink(file: string, line: number): string {
  return `<a href="${esc(fileLink(file, line))}">${esc(`${file}:${line}`)}</a>`;
}

export function toHtml(s: ChecklistSnapshot): string {
  const o = s.overall;
  const out: string[] = [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<title>${esc(`Porting report: ${s.folderName}`)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    `<h1>${esc(`Porting report: ${s.folderName}`)}</h1>`,
    '<h2>Summary</h2>',
  ];
  if (s.hasBaseline) out.push(`<p class="percent">${o.percent}%</p>`);
  out.push('<ul>', ...summaryLines(s).map((l) => `<li>${esc(l)}</li>`), '</ul>');

  out.push('<h2>Progress per category</h2>');
  if (s.categories.length) out.push(progressChart(s.categories, s.hasBaseline));
  out.push('<table>', '<tr><th>category</th><th class="n">progress</th><th class="n">baseline</th><th class="n">ported</th><th class="n">open</th><th class="n">won’t port</th><th class="n">regressions</th><th class="n">effort left</th></tr>');
  const row = (name: string, c: Omit<CategoryProgress, 'category'>, p: number) =>
    `<tr><td>${name}</td><td class="n">${s.hasBaseline ? `${p}%` : '—'}</td><td class="n">${c.baseline}</td><td class="n">${c.ported}</td><td class="n">${c.open}</td><td class="n">${c.wontPort}</td><td class="n">${c.regressions}</td><td class="n">${esc(formatEffort(c.effortLeftMinutes))}</td></tr>`;
  for (const c of s.categories) out.push(row(esc(c.category), c, percentOf(c, s.hasBaseline)));
  out.push(row('<strong>overall</strong>', o, o.percent), '</table>');

  out.push('<h2>Remaining occurrences</h2>');
  const groups = remainingGroups(s);
  if (!groups.length) out.push('<p>Nothing left to port.</p>');
  for (const g of groups) {
    out.push(`<h3>${esc(g.category)}</h3>`);
    for (const r of g.rules) {
      out.push(`<h4><code>${esc(r.rule)}</code> ${esc(r.title)} <span class="muted">— ${esc(plural(r.items.length, 'occurrence'))}, ${esc(formatEffort(r.effortMinutes))}</span></h4>`, '<ul class="items">');
      for (const x of r.items) {
        out.push(
          `<li>${htmlLink(x.file, line1(x))}${x.scope ? ` in <code>${esc(x.scope)}</code>` : ''}: ${esc(x.message)}${x.state === 'regression' ? ' <span class="regression">(regression: new since the baseline)</span>' : ''}</li>`,
        );
      }
      out.push('</ul>');
    }
  }

  out.push('<h2>Won’t port</h2>');
  const wont = s.occurrences.filter((x) => x.state === 'wontPort');
  if (!wont.length) out.push('<p>No won’t-port decisions.</p>');
  else {
    out.push('<table>', '<tr><th>occurrence</th><th>rule</th><th>reason</th></tr>');
    for (const x of wont) out.push(`<tr><td>${htmlLink(x.file, line1(x))}${x.scope ? ` <code>${esc(x.scope)}</code>` : ''}</td><td><code>${esc(x.rule)}</code></td><td>${esc(x.reason ?? '')}</td></tr>`);
    out.push('</table>');
  }

  out.push('<h2>Left for a person</h2>');
  if (!s.todos.length) out.push('<p>No <code>TODO(port)</code> comments left.</p>');
  else {
    out.push('<ul>');
    for (const t of s.todos) out.push(`<li>${htmlLink(t.file, t.line + 1)} ${esc(t.text)}${t.rule ? ` (<code>${esc(t.rule)}</code>)` : ''}</li>`);
    out.push('</ul>');
  }

  out.push('<h2>Effort left</h2>', `<p>${esc(formatEffort(o.effortLeftMinutes))} in all.</p>`);
  const withEffort = s.categories.filter((c) => c.effortLeftMinutes);
  if (withEffort.length) out.push('<ul>', ...withEffort.map((c) => `<li>${esc(c.category)}: ${esc(formatEffort(c.effortLeftMinutes))}</li>`), '</ul>');
  out.push('</body>', '</html>');
  return out.join('\n') + '\n';
}

// ——— JSON ———

export function toReportJson(s: ChecklistSnapshot) {
  const pick = (x: Occurrence) => ({ id: x.id, file: x.file, line: line1(x), column: x.range.start.character + 1, rule: x.rule, category: x.category, scope: x.scope, message: x.message, effortMinutes: x.effortMinutes, fixable: x.fixable });
  return {
    version: 1 as const,
    folder: s.folderName,
    target: s.target,
    ormTarget: s.ormTarget,
    hasBaseline: s.hasBaseline,
    filesScanned: s.filesScanned,
    formula: PERCENT_FORMULA,
    ...(s.hasBaseline ? {} : { note: HOW_TO_BASELINE }),
    overall: s.overall,
    categories: s.categories.map((c) => ({ ...c, percent: percentOf(c, s.hasBaseline) })),
    remaining: s.occurrences.filter((x) => x.state === 'open' || x.state === 'regression').map((x) => ({ ...pick(x), regression: x.state === 'regression' })),
    ported: s.occurrences.filter((x) => x.state === 'ported').map((x) => ({ id: x.id, file: x.file, rule: x.rule, category: x.category })),
    wontPort: s.occurrences.filter((x) => x.state === 'wontPort').map((x) => ({ ...pick(x), reason: x.reason ?? '' })),
    todos: s.todos.map((t) => ({ file: t.file, line: t.line + 1, text: t.text, ...(t.rule ? { rule: t.rule } : {}) })),
    effortLeftMinutes: s.overall.effortLeftMinutes,
  };
}

export function renderReport(s: ChecklistSnapshot, format: ReportFormat): string {
  if (format === 'html') return toHtml(s);
  if (format === 'json') return JSON.stringify(toReportJson(s), null, 2) + '\n';
  return toMarkdown(s);
}
