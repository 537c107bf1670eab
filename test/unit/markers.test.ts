// analysis/markers.ts: the markers after one edit, made from the ones before it, are the markers a whole search finds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineMap } from '../../server/src/analysis/lineMap';
import { markersAfterEdit, scanMarkers } from '../../server/src/analysis/markers';

test('markers after an edit, read again on the lines it touched only, equal a whole search of the new text', () => {
  let seed = 5;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const pieces = ['x = 1', '  ', '\n', '\r\n', '\r', '#', '# TODO(port): ', '# port: ignore', '[flask-request-args]', '[a,b]', 'port', '(', 'y', '"#"', '😀'];
  const piece = (n: number) => Array.from({ length: n }, () => pieces[Math.floor(random() * pieces.length)]).join('');
  let text = piece(40);
  let markers = scanMarkers(text, new LineMap(text));
  let changed = 0;
  for (let n = 0; n < 3000; n++) {
    const start = Math.floor(random() * (text.length + 1));
    const oldEnd = Math.min(text.length, start + Math.floor(random() * 6));
    const inserted = piece(Math.floor(random() * 3));
    const next = text.slice(0, start) + inserted + text.slice(oldEnd);
    const before = new LineMap(text);
    const lines = new LineMap(next);
    const made = markersAfterEdit(markers, { start, oldEnd, newEnd: start + inserted.length }, next, lines, lines.lineCount - before.lineCount);
    const want = scanMarkers(next, lines);
    assert.deepEqual(made, want, `${JSON.stringify(text)} [${start}, ${oldEnd}) → ${JSON.stringify(inserted)}`);
    if (JSON.stringify(want) !== JSON.stringify(markers)) changed++;
    [text, markers] = next.length > 400 ? [next.slice(0, 100), scanMarkers(next.slice(0, 100), new LineMap(next.slice(0, 100)))] : [next, made];
  }
  assert.ok(changed > 1000, `the edits changed the markers ${changed} times`);
});
