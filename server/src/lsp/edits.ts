// Text edits for code actions: offset edits → LSP TextEdits, a minimal line diff between two texts, and the
// edit that silences a rule on a line with `# port: ignore[rule-id]`. Pure.
import { diffLines } from 'diff';
import type { TextEdit } from 'vscode-languageserver';
import type { Node, Tree } from '../parsing/python';
import { LineMap } from '../analysis/lineMap';
import type { OffsetEdit } from '../analysis/types';

export function toTextEdits(lines: LineMap, edits: readonly OffsetEdit[]): TextEdit[] {
  return edits.map((e) => ({ range: lines.range(e.start, e.end), newText: e.text }));
}

/** The changes that turn `before` into `after`, as line-range edits of `before` (one per changed hunk). */
export function diffEdits(before: string, after: string): OffsetEdit[] {
  if (before === after) return [];
  const out: OffsetEdit[] = [];
  let pos = 0; // offset in `before`
  let pending: OffsetEdit | undefined;
  for (const part of diffLines(before, after)) {
    if (part.added) {
      pending ??= { start: pos, end: pos, text: '' };
      pending.text += part.value;
    } else if (part.removed) {
      pending ??= { start: pos, end: pos, text: '' };
      pos += part.value.length;
      pending.end = pos;
    } else {
      if (pending) out.push(pending);
      pending = undefined;
      pos += part.value.length;
    }
  }
  if (pending) out.push(pending);
  return out;
}

function statementOf(n: Node): Node {
  let cur = n;
  while (cur.parent && cur.parent.type !== 'block' && cur.parent.type !== 'module') cur = cur.parent;
  return cur;
}

const IGNORE_ON_LINE = /#[ \t]*port:[ \t]*ignore\[([^\]\n\r]*)\]/;

/**
 * The edit that makes `# port: ignore[rule]` silence the finding starting at `offset`: merged into an ignore comment
 * already on that line, else appended to the line, else — when the line ends inside a multi-line string or with a
 * backslash continuation — a standalone comment line above the statement.
 */
export function ignoreEdit(text: string, tree: Tree | null, lines: LineMap, offset: number, rule: string): OffsetEdit {
  const line = lines.lineOf(offset);
  const lineStart = lines.lineStart(line);
  const lineText = lines.lineText(line);
  const lineEnd = lineStart + lineText.length;

  const existing = IGNORE_ON_LINE.exec(lineText);
  if (existing) {
    const ids = existing[1].split(',').map((s) => s.trim()).filter(Boolean);
    if (!ids.includes(rule)) ids.push(rule);
    const start = lineStart + existing.index;
    return { start, end: start + existing[0].length, text: `# port: ignore[${ids.join(', ')}]` };
  }

  let standalone = /\\\s*$/.test(lineText);
  let node: Node | null = null;
  if (tree) {
    node = tree.rootNode.descendantForIndex(offset);
    // the line end is inside a string that goes on past this line
    const atEnd = lineEnd > lineStart ? tree.rootNode.descendantForIndex(lineEnd - 1) : null;
    for (let n: Node | null = atEnd; n; n = n.parent) {
      if ((n.type === 'string' || n.type === 'concatenated_string') && n.endIndex > lineEnd) {
        standalone = true;
        break;
      }
    }
  }
  if (!standalone) {
    const trimmed = lineText.replace(/[ \t]+$/, '');
    return { start: lineStart + trimmed.length, end: lineEnd, text: `  # port: ignore[${rule}]` };
  }
  const stmt = node ? statementOf(node) : undefined;
  const stmtLine = stmt ? lines.lineOf(stmt.startIndex) : line;
  const at = lines.lineStart(stmtLine);
  const indent = /^[ \t]*/.exec(lines.lineText(stmtLine))![0];
  const eol = /\r\n/.test(text) ? '\r\n' : '\n';
  return { start: at, end: at, text: `${indent}# port: ignore[${rule}]${eol}` };
}
