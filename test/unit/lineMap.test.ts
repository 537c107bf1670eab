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
