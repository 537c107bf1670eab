// Offsets ↔ line/character (UTF-16), the units LSP and tree-sitter (over a JS string) both use.
import type { Range } from './types';

let last: LineMap | undefined;

/** How many lines the text has; with `into`, their starts after the first written to it (1 on). */
function lineStarts(text: string, into?: Int32Array): number {
  let n = 1;
  if (text.indexOf('\r') < 0) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
      if (into) into[n] = i + 1;
      n++;
    }
    return n;
  }
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 10 && (c !== 13 || text.charCodeAt(i + 1) === 10)) continue;
    if (into) into[n] = i + 1;
    n++;
  }
  return n;
}

export class LineMap {
  /** where each line starts: counted first, then filled (a grown array of numbers made ≈ 160 KB a keystroke in a 5,000-line file) */
  private readonly starts: Int32Array;
  constructor(readonly text: string) {
    this.starts = new Int32Array(lineStarts(text));
    lineStarts(text, this.starts);
  }

  /** The line map of this text, shared with the last caller that asked for the same text (an edit's analysis asks thrice). */
  static of(text: string): LineMap {
    if (last?.text !== text) last = new LineMap(text);
    return last;
  }
  get lineCount() {
    return this.starts.length;
  }
  lineOf(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
  lineStart(line: number): number {
    return this.starts[Math.max(0, Math.min(line, this.starts.length - 1))];
  }
  /** the text of a line without its line break */
  lineText(line: number): string {
    const s = this.lineStart(line);
    const e = line + 1 < this.starts.length ? this.starts[line + 1] : this.text.length;
    return this.text.slice(s, e).replace(/\r?\n$|\r$/, '');
  }
  position(offset: number) {
    const line = this.lineOf(offset);
    return { line, character: offset - this.starts[line] };
  }
  offset(pos: { line: number; character: number }): number {
    if (pos.line >= this.starts.length) return this.text.length;
    const s = this.starts[Math.max(0, pos.line)];
    const next = pos.line + 1 < this.starts.length ? this.starts[pos.line + 1] : this.text.length;
    return Math.min(s + Math.max(0, pos.character), next);
  }
  range(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(end) };
  }
}
