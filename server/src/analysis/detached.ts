// Strings kept long after the text they were cut from (the scan cache's import facts, port markers).

/** V8 makes a substring of this many characters or more a view into its parent string, not a copy. */
const SLICE_MIN = 13;
const copies = new Map<string, string>();

/**
 * `s`, as a string that does not hold on to the text it was cut from. A regular expression's capture or a `slice` of
 * 13 characters or more keeps its whole parent alive: the import facts the scan cache keeps of every file held every
 * file's text (12 MB for the benchmark's corpus, copied by each scavenge until promoted). Equal strings share one
 * copy (the same module names recur in hundreds of files).
 */
export function detached(s: string): string {
  if (s.length < SLICE_MIN) return s;
  let c = copies.get(s);
  if (c === undefined) {
    // (a concatenation flattened by `slice`: the new string's parent is that flat copy, not the text)
    c = (` ${s}`).slice(1);
    if (copies.size >= 50_000) copies.clear();
    copies.set(c, c);
  }
  return c;
}
