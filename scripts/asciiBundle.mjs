// esbuild escapes non-ASCII characters in strings but prints the comments it keeps as written: one `—` in a comment
// makes V8 hold the whole bundle's source as a two-byte string (the language server's: 3.6 MB instead of 1.8, for the
// life of the process). In comment lines only, each such character becomes `?` (one per UTF-16 unit: the source maps'
// columns hold). A bundle with one elsewhere (a regular expression literal: esbuild leaves those too) is left as it
// is, with a warning. Used by esbuild.mjs and by the benchmark's build, so both measure the same server.
import { readFileSync, writeFileSync } from 'node:fs';

const COMMENT_LINE = /^\s*(\/\/|\/\*|\*)/;

/** Rewrites a bundle's comment lines to ASCII; false when it still holds a non-ASCII character elsewhere. */
export function asciiBundle(file) {
  const text = readFileSync(file, 'utf8');
  if (!/[^\x00-\x7f]/.test(text)) return true;
  const ascii = text
    .split('\n')
    .map((l) => (COMMENT_LINE.test(l) ? l.replace(/[^\x00-\x7f]/g, '?') : l))
    .join('\n');
  if (/[^\x00-\x7f]/.test(ascii)) {
    console.warn(`${file}: non-ASCII characters outside comments; its source stays two-byte`);
    return false;
  }
  writeFileSync(file, ascii);
  return true;
}
