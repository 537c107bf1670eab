// Python names as whole words of a text (identifiers may be non-ASCII: \p{L}, \p{N}).

const escape = (w: string) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Tests without state (no 'g' or 'y' flag) by their source: the same name sets recur across files and rounds. */
const memo = new Map<string, RegExp>();
const MEMO_MAX = 512;

/**
 * A test for any of the names as a whole word. `notAttribute`: not right after a dot (`x.name` is an attribute,
 * not the name); `flags`: extra RegExp flags ('g' to iterate).
 */
export function wordsRe(names: Iterable<string>, opts: { notAttribute?: boolean; flags?: string } = {}): RegExp {
  const before = opts.notAttribute ? '[\\p{L}\\p{N}_.]' : '[\\p{L}\\p{N}_]';
  const source = `(?<!${before})(?:${[...names].map(escape).join('|')})(?![\\p{L}\\p{N}_])`;
  const flags = `u${opts.flags ?? ''}`;
  if (/[gy]/.test(flags)) return new RegExp(source, flags);
  let re = memo.get(source);
  if (!re) {
    if (memo.size >= MEMO_MAX) memo.clear();
    memo.set(source, (re = new RegExp(source, flags)));
  }
  return re;
}

const NAME_CHAR = /^[\p{L}\p{N}_]$/u;

/** The width (1 or 2 units; 0: none) of the name character (`[\p{L}\p{N}_]`) ending at offset i. */
export function nameCharBefore(text: string, i: number): number {
  if (i <= 0) return 0;
  const c = text.charCodeAt(i - 1);
  if (c < 128) return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 ? 1 : 0;
  if (c >= 0xdc00 && c <= 0xdfff && i >= 2) {
    const h = text.charCodeAt(i - 2);
    if (h >= 0xd800 && h <= 0xdbff) return NAME_CHAR.test(text.slice(i - 2, i)) ? 2 : 0;
  }
  return NAME_CHAR.test(text[i - 1]) ? 1 : 0;
}

/** The name that ends at offset `end` (an attribute's own name: the word its text ends with). */
export function wordEndingAt(text: string, end: number): string {
  let i = end;
  for (let w = nameCharBefore(text, i); w; w = nameCharBefore(text, i)) i -= w;
  return text.slice(i, end);
}
