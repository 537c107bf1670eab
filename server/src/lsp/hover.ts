// Hover over a finding: its message, a short before → after example for the target, the rule's notes, effort, docs.
import { diffLines } from 'diff';
import { applyEdits } from '../analysis/materialize';
import type { Finding } from '../analysis/types';
import type { LoadedRule } from '../analysis/rule';

const MAX_LINES = 8;

function clip(lines: string[]): string[] {
  const nonEmpty = lines.filter((l) => l.trim() !== '');
  return nonEmpty.length > MAX_LINES ? [...nonEmpty.slice(0, MAX_LINES), '# …'] : nonEmpty;
}

/** A hunk's lines without the indentation they share. */
function dedent(lines: string[]): string[] {
  const indents = lines.filter((l) => l.trim()).map((l) => /^[ \t]*/.exec(l)![0].length);
  const cut = indents.length ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(Math.min(cut, /^[ \t]*/.exec(l)![0].length)));
}

/** The lines of an example that differ between before and after, at most ~8 each. */
export function exampleExcerpt(before: string, after: string): { before: string[]; after: string[] } {
  const b: string[] = [];
  const a: string[] = [];
  for (const part of diffLines(before, after)) {
    const lines = dedent(part.value.replace(/\r?\n$/, '').split(/\r?\n/));
    if (part.removed) b.push(...lines);
    else if (part.added) a.push(...lines);
  }
  return { before: clip(b), after: clip(a) };
}

/**
 * What the fix makes of this very occurrence: the changed lines around it, before and after (import changes
 * elsewhere in the file are only mentioned).
 */
export function occurrenceExcerpt(text: string, fixed: string, startLine: number, endLine: number): { before: string[]; after: string[]; elsewhere: boolean } | undefined {
  const b: string[] = [];
  const a: string[] = [];
  let line = 0;
  let elsewhere = false;
  let takeAdded = false;
  for (const part of diffLines(text, fixed)) {
    const lines = part.value.replace(/\r?\n$/, '').split(/\r?\n/);
    if (part.added) {
      if (takeAdded || (line >= startLine - 2 && line <= endLine + 3)) a.push(...lines);
      else elsewhere = true;
      takeAdded = false;
      continue;
    }
    const count = part.count ?? lines.length;
    if (part.removed) {
      const near = line <= endLine + 3 && line + count - 1 >= startLine - 2;
      if (near) b.push(...lines);
      else elsewhere = true;
      takeAdded = near;
    } else takeAdded = false;
    line += count;
  }
  if (!b.length && !a.length) return undefined;
  return { before: clip(dedent(b)), after: clip(dedent(a)), elsewhere };
}

export function hoverMarkdown(f: Finding, rule: LoadedRule | undefined, docUri: string | undefined, own?: { before: string[]; after: string[]; elsewhere: boolean }): string {
  // the diagnostic's message is already in the hover (VS Code shows it): this adds what it becomes
  const head = [`**${rule?.title ?? f.rule}** · ${f.category}`];
  if (!f.fixable) head.push('no automatic fix');
  else if (!f.safe) head.push('the fix needs review');
  if (docUri) head.push(`[docs: ${f.rule}](${docUri})`);
  const out: string[] = [head.join(' · ')];
  let before: string[] = [];
  let after: string[] = [];
  let label = 'this code';
  if (own) ({ before, after } = own);
  else {
    const ex = rule?.examples.find((e) => e.target === f.target);
    if (ex) ({ before, after } = exampleExcerpt(ex.before, ex.after));
    label = 'example';
  }
  if (before.length || after.length) {
    out.push(`**Before → after (${f.target})**`);
    // labelled inside the blocks: two code blocks in a row read as one listing in VS Code's hover
    out.push('```python\n# before (' + label + ')\n' + (before.join('\n') || '# (nothing)') + '\n```');
    out.push(`\`\`\`python\n# after (${f.target})\n` + (after.join('\n') || '# (removed)') + '\n```' + (own?.elsewhere ? '\n\n_imports adjusted too_' : ''));
  }
  const notes = rule?.docs.notes ?? [];
  if (notes.length) out.push(notes.map((n) => `- ${n}`).join('\n'));
  out.push(`Effort: about ${rule?.effortMinutes ?? '?'} min`);
  return out.join('\n\n');
}

function ownExcerpt(a: import('../analysis/engine').Analysis, f: Finding) {
  try {
    const fix = a.fix(a.findings.indexOf(f));
    return fix ? occurrenceExcerpt(a.text, applyEdits(a.text, fix.edits), f.range.start.line, f.range.end.line) : undefined;
  } catch {
    return undefined;
  }
}

/** The hover of the findings under a position, or null. */
export async function provideHover(
  svc: { current(uri: string): Promise<{ analysis?: import('../analysis/engine').Analysis } | undefined>; rules: ReadonlyMap<string, LoadedRule>; docUri(rule: string): string },
  uri: string,
  position: { line: number; character: number },
) {
  const cur = await svc.current(uri);
  const a = cur?.analysis;
  if (!a) return null;
  const off = a.lines.offset(position);
  const hits = a.findings.filter((f) => f.start <= off && off < Math.max(f.end, f.start + 1));
  if (!hits.length) return null;
  return {
    contents: { kind: 'markdown' as const, value: hits.map((f) => hoverMarkdown(f, svc.rules.get(f.rule), svc.docUri(f.rule), ownExcerpt(a, f))).join('\n\n---\n\n') },
    range: hits[hits.length - 1].range,
  };
}
