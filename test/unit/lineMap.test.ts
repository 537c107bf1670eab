// analysis/lineMap.ts: offsets ↔ positions for LF, CRLF and lone CR line breaks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineMap } from '../../server/src/analysis/lineMap';

/** The line starts, one character at a time. */
function starts(text: string): number[] {
  const out = [0];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\n' || (text[i] === '\r' && text[i + 1] !== '\n')) out.push(i + 1);
  }
  return out;
}

test('line maps agree with a character-by-character count, both ways, on random texts', () => {
  let seed = 11;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const pieces = ['a', 'bc', ' ', '\n', '\r\n', '\r', '😀', '\n\n', ''];
  for (let n = 0; n < 300; n++) {
    let text = '';
    const len = Math.floor(random() * 40);
    for (let k = 0; k < len; k++) text += pieces[Math.floor(random() * pieces.length)];
    const lm = new LineMap(text);
    const want = starts(text);
    assert.equal(lm.lineCount, want.length, JSON.stringify(text));
    for (let line = 0; line < want.length; line++) assert.equal(lm.lineStart(line), want[line]);
    for (let x = 0; x <= text.length; x++) {
      const line = want.filter((s) => s <= x).length - 1;
      assert.deepEqual(lm.position(x), { line, character: x - want[line] }, `${JSON.stringify(text)} at ${x}`);
      assert.equal(lm.offset(lm.position(x)), x);
    }
  }
  assert.equal(LineMap.of('x\ny'), LineMap.of('x\ny'), 'the last map is shared');
  assert.equal(new LineMap('').lineCount, 1);
});

test('a line map made from the one before an edit equals a fresh one, whatever line breaks the edit joins or splits', () => {
  let seed = 23;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const pieces = ['a', 'bc', ' ', '\n', '\r\n', '\r', '😀', '\n\n', ''];
  const piece = (n: number) => Array.from({ length: n }, () => pieces[Math.floor(random() * pieces.length)]).join('');
  let lm = new LineMap(piece(30));
  for (let n = 0; n < 2000; n++) {
    const text = lm.text;
    const start = Math.floor(random() * (text.length + 1));
    const end = Math.min(text.length, start + Math.floor(random() * 4));
    const inserted = piece(Math.floor(random() * 3));
    const next = text.slice(0, start) + inserted + text.slice(end);
    const made = lm.edited(start, end, inserted, next);
    const want = starts(next);
    const what = `${JSON.stringify(text)} [${start}, ${end}) → ${JSON.stringify(inserted)}`;
    assert.equal(made.lineCount, want.length, what);
    for (let line = 0; line < want.length; line++) assert.equal(made.lineStart(line), want[line], what);
    assert.equal(LineMap.of(next), made, 'shared as the last map');
    lm = next.length > 200 ? new LineMap(next.slice(0, 50)) : made;
  }
});
