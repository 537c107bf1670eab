// The read phase's facts of a file from its bytes, without decoding the whole text: a cold scan reads 12 MB of which
// only the lines around `import` matter to its textual import facts, and only files with a port marker need their
// text for the markers' places. Decoding every text and searching it with the import patterns was most of the read
// phase (and the decoded texts most of what its scavenges went through).
import { scanMarkers } from '../analysis/markers';
import { LineMap } from '../analysis/lineMap';
import type { PortMarker } from '../analysis/types';
import { textBytes } from './files';
import { textImportFacts, type ImportItem } from './prefilter';

/**
 * The text `textImportFacts` reads the same facts from as from the whole text: the lines (by '\n') that hold
 * `import`, with the lines a backslash joins to them, and from a `(` on them to the next `)` of the text (a
 * from-import's names in brackets), each run of them in order, separated by one line break. Its patterns match
 * within a line ('\n': a CR or U+2028 is a character to them, even where they ask what precedes a statement) except
 * inside brackets, and what precedes a kept line is a line break in both texts.
 */
export function importLines(buf: Buffer, importsAt: readonly number[] = portsOf(buf).imports): string {
  const n = buf.length;
  let next = 0; // the next of importsAt to look at
  let at = importsAt.length ? importsAt[next++] : -1;
  if (at < 0) return '';
  const lineStart = (x: number) => buf.lastIndexOf(10, x - 1) + 1; // (x = 0: lastIndexOf(10, -1) searches from the end)
  const lineEnd = (x: number) => {
    const k = buf.indexOf(10, x);
    return k < 0 ? n : k;
  };
  /** whether the line ending at `end` (its '\n', or n) ends with a backslash before its line break */
  const continued = (end: number) => end < n && (buf[end - 1] === 92 || (buf[end - 1] === 13 && buf[end - 2] === 92));
  const parts: string[] = [];
  let keptTo = -1; // the end of the last kept run
  while (at >= 0) {
    let s = at > 0 ? lineStart(at) : 0;
    // the lines a backslash joins to this one, before it
    while (s > 0 && continued(s - 1)) s = lineStart(s - 1);
    let e = lineEnd(at);
    for (;;) {
      // after it, and through a bracket opened on these lines to the next `)` of the text
      while (continued(e)) e = lineEnd(e + 1);
      const open = buf.indexOf(40, s);
      if (open < 0 || open >= e) break;
      let grown = false;
      for (let o = open; o >= 0 && o < e; o = buf.indexOf(40, o + 1)) {
        const close = buf.indexOf(41, o + 1);
        const to = close < 0 ? n : lineEnd(close);
        if (to > e) {
          e = to;
          grown = true;
        }
      }
      if (!grown) break;
    }
    if (s <= keptTo) {
      // overlaps or touches the last run: extend it
      if (e > keptTo) {
        parts[parts.length - 1] += buf.toString('utf8', keptTo, e);
        keptTo = e;
      }
    } else {
      parts.push(buf.toString('utf8', s, e));
      keptTo = e;
    }
    while (next < importsAt.length && importsAt[next] < e) next++;
    at = next < importsAt.length ? importsAt[next++] : -1;
  }
  return parts.join('\n');
}

const PORT = Buffer.from('port');
const TODO_OPEN = Buffer.from('TODO(');

/** Whether a `#` ends the bytes before `end`, spaces and tabs between (markers.ts MARKER: `#[ \t]*`). */
function hashBefore(buf: Buffer, end: number): boolean {
  let j = end - 1;
  while (j >= 0 && (buf[j] === 32 || buf[j] === 9)) j--;
  return j >= 0 && buf[j] === 35;
}

/**
 * One search of the bytes for `port`: where `import` starts (`im` before it), and whether they may hold a port
 * marker: `#`, then `port:` or `TODO(port)` (`support:` or `report)` in code do not count: 31 of the benchmark's
 * 1,700 files had one of those, none a marker, and each was decoded and searched whole).
 */
export function portsOf(buf: Buffer): { imports: number[]; marker: boolean } {
  const imports: number[] = [];
  let marker = false;
  for (let i = buf.indexOf(PORT); i >= 0; i = buf.indexOf(PORT, i + 1)) {
    if (i >= 2 && buf[i - 2] === 0x69 && buf[i - 1] === 0x6d) imports.push(i - 2);
    else if (marker) continue;
    else if (buf[i + 4] === 58) marker = hashBefore(buf, i);
    else if (buf[i + 4] === 41) marker = i >= 5 && buf.compare(TODO_OPEN, 0, 5, i - 5, i) === 0 && hashBefore(buf, i - 5);
  }
  return { imports, marker };
}

export type ByteFacts =
  | { reason: string }
  | {
      /** the text's UTF-8 (files.ts textBytes; the cache hashes it) */
      bytes: Buffer;
      imports: string[];
      items: ImportItem[];
      markers: PortMarker[];
      /** the whole text, when it was decoded (a file that may hold a port marker) */
      text?: string;
    };

/**
 * What files.ts readText, prefilter.ts textImportFacts and markers.ts scanMarkers give for a file's bytes (its skip
 * reason, or its text's import facts and port markers), decoding only the lines around `import` unless it may hold a
 * port marker.
 */
export function factsOfBytes(buf: Buffer, rel: string): ByteFacts {
  const t = textBytes(buf);
  if ('reason' in t) return t;
  const { bytes } = t;
  const ports = portsOf(bytes);
  const text = ports.marker ? bytes.toString('utf8') : undefined;
  const { imports, items } = textImportFacts(text ?? importLines(bytes, ports.imports), rel);
  return { bytes, imports, items, markers: text === undefined ? [] : scanMarkers(text, new LineMap(text)), text };
}
