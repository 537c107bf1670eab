// Hover over a finding: its message, a short before → after example for the target, the rule's notes, effort, docs.
import { diffLines } from 'diff';
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

export function hoverMarkdown(f: Finding, rule: LoadedRule | undefined, docUri: string | undefined): string {
  const out: string[] = [f.message];
  const ex = rule?.examples.find((e) => e.target === f.target);
  if (ex) {
    const { before, after } = exampleExcerpt(ex.before, ex.after);
    if (before.length || after.length) {
      out.push(`**Before → after (${f.target})**`);
      // labelled inside the blocks: two code blocks in a row read as one listing in VS Code's hover
      out.push('```python\n# before\n' + (before.join('\n') || '# (nothing)') + '\n```');
      out.push(`\`\`\`python\n# after (${f.target})\n` + (after.join('\n') || '# (removed)') + '\n```');
    }
  }
  const notes = rule?.docs.notes ?? [];
  if (notes.length) out.push(notes.map((n) => `- ${n}`).join('\n'));
  const tail: string[] = [];
  if (rule) tail.push(`Effort: about ${rule.effortMinutes} min`);
  if (!f.fixable) tail.push('no automatic fix');
  else if (!f.safe) tail.push('the fix needs review');
  if (docUri) tail.push(`[${f.rule}](${docUri})`);
  if (tail.length) out.push(tail.join(' · '));
  return out.join('\n\n');
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
    contents: { kind: 'markdown' as const, value: hits.map((f) => hoverMarkdown(f, svc.rules.get(f.rule), svc.docUri(f.rule))).join('\n\n---\n\n') },
    range: hits[hits.length - 1].range,
  };
}
