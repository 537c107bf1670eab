// Python names as whole words of a text (identifiers may be non-ASCII: \p{L}, \p{N}).

const escape = (w: string) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A test for any of the names as a whole word. `notAttribute`: not right after a dot (`x.name` is an attribute,
 * not the name); `flags`: extra RegExp flags ('g' to iterate).
 */
export function wordsRe(names: Iterable<string>, opts: { notAttribute?: boolean; flags?: string } = {}): RegExp {
  const before = opts.notAttribute ? '[\\p{L}\\p{N}_.]' : '[\\p{L}\\p{N}_]';
  return new RegExp(`(?<!${before})(?:${[...names].map(escape).join('|')})(?![\\p{L}\\p{N}_])`, `u${opts.flags ?? ''}`);
}
