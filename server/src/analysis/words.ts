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
