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
  constructor(
    readonly text: string,
    starts?: Int32Array,
  ) {
    if (starts) this.starts = starts;
    else {
      this.starts = new Int32Array(lineStarts(text));
      lineStarts(text, this.starts);
    }
  }

  /**
   * The line map of `text`, this map's text with [start, end) replaced by `inserted`, made from this one: only the
   * inserted text is read (a 5,000-line module was read whole at each keystroke). Shared as `of` shares.
   */
  edited(start: number, end: number, inserted: string, text: string): LineMap {
    const old = this.starts;
    const d = inserted.length - (end - start);
    // a line starts at p when the character before it is LF, or a CR not followed by LF: only the starts from
    // `start` to the inserted text's end read an edited character; the ones before are kept, the ones after moved
    let keepBefore = 1; // old starts < start (the first line's, 0, always)
    for (let lo = 1, hi = old.length; lo < hi; ) {
      const mid = (lo + hi) >> 1;
      if (old[mid] < start) lo = keepBefore = mid + 1;
      else hi = mid;
    }
    let after = keepBefore; // first old start > end
    while (after < old.length && old[after] <= end) after++;
    const newEnd = start + inserted.length;
    const fresh: number[] = [];
    for (let p = Math.max(1, start); p <= newEnd && p <= text.length; p++) {
      const c = text.charCodeAt(p - 1);
      if (c === 10 || (c === 13 && text.charCodeAt(p) !== 10)) fresh.push(p);
    }
    const starts = new Int32Array(keepBefore + fresh.length + old.length - after);
    starts.set(old.subarray(0, keepBefore));
    starts.set(fresh, keepBefore);
    let k = keepBefore + fresh.length;
    for (let i = after; i < old.length; i++) starts[k++] = old[i] + d;
    return (last = new LineMap(text, starts));
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
