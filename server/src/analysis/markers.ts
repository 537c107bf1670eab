// `# TODO(port): … [rule-id]` comments left by fixes and `# port: ignore[rule-id]` comments written by people.
// A TODO names the rule a person still has to finish, so that rule stops flagging the statement below it.
import type { Node } from '../parsing/python';
import { statementOf } from '../parsing/ancestors';
import type { LineMap } from './lineMap';
import type { PortMarker } from './types';
import { detached } from './detached';

const MARKER = /#[ \t]*(?:TODO\(port\):[ \t]*([^\n\r]*)|port:[ \t]*ignore(?:\[([^\]\n\r]*)\])?)/g;

/** The markers of a text (`offset`: where it starts in the text `lines` maps, when it is a part of it). */
export function scanMarkers(text: string, lines: LineMap, offset = 0): PortMarker[] {
  const out: PortMarker[] = [];
  if (!text.includes('port')) return out;
  MARKER.lastIndex = 0;
  for (let m; (m = MARKER.exec(text)); ) {
    const at = m.index + offset;
    const line = lines.lineOf(at);
    if (m[1] !== undefined) {
      const id = /\[([a-z0-9-]+)\]\s*$/.exec(m[1])?.[1];
      // (the scan cache keeps markers: copies, not views into the text)
      const rule = id && detached(id);
      out.push({ kind: 'todo', rule, text: detached(m[1].replace(/\s*\[[a-z0-9-]+\]\s*$/, '')), line, start: at, end: at + m[0].length });
    } else {
      const ids = m[2]?.split(',').map((s) => detached(s.trim())).filter(Boolean);
      const text = detached(m[0]);
      if (ids?.length) for (const id of ids) out.push({ kind: 'ignore', rule: id, text, line, start: at, end: at + m[0].length });
      else out.push({ kind: 'ignore', text, line, start: at, end: at + m[0].length });
    }
  }
  return out;
}

/**
 * The markers of `text` from those of the text before one edit ([start, oldEnd) replaced, now [start, newEnd)): a
 * marker ends at its line's end, so only the lines the edit's new text touches are read again; the markers before
 * them are kept and the ones after moved (a 5,000-line module was searched whole at each keystroke).
 * `lineDelta`: the lines the edit added (negative: removed).
 */
export function markersAfterEdit(before: readonly PortMarker[], edit: { start: number; oldEnd: number; newEnd: number }, text: string, lines: LineMap, lineDelta: number): PortMarker[] {
  const from = lines.lineStart(lines.lineOf(edit.start));
  const last = lines.lineOf(edit.newEnd);
  const to = last + 1 < lines.lineCount ? lines.lineStart(last + 1) : text.length;
  const d = edit.newEnd - edit.oldEnd;
  const out: PortMarker[] = [];
  let i = 0;
  for (; i < before.length && before[i].start < from; i++) out.push(before[i]);
  for (const m of scanMarkers(text.slice(from, to), lines, from)) out.push(m);
  for (; i < before.length; i++) {
    const m = before[i];
    if (m.start + d < to) continue; // (on a line read again)
    out.push({ ...m, line: m.line + lineDelta, start: m.start + d, end: m.end + d });
  }
  return out;
}

/** A finding is silenced by a marker for its rule on its line, or in the comment lines right above its statement. */
export function isSuppressed(markers: PortMarker[], rule: string, lines: LineMap, node: Node, text: string): boolean {
  if (!markers.length) return false;
  const applies = (mk: PortMarker) => (mk.rule === undefined ? mk.kind === 'ignore' : mk.rule === rule);
  const relevant = markers.filter(applies);
  if (!relevant.length) return false;
  const lineSet = new Set<number>();
  for (const start of [node.startIndex, statementOf(node).startIndex]) {
    const line = lines.lineOf(start);
    lineSet.add(line);
    for (let l = line - 1; l >= 0 && /^\s*#/.test(lines.lineText(l)); l--) lineSet.add(l);
  }
  void text;
  return relevant.some((mk) => lineSet.has(mk.line));
}
