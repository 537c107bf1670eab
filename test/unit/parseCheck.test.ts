// parsing/python.ts checkForParse and stringEnd, which jump to the next line break, quote or backslash with indexOf,
// answer what the character-by-character versions below answer: on every example and fixture, and on random text
// made of the characters that matter (line breaks of three kinds, quotes, backslashes, comments, brackets, indents).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkForParse, MAX_INDENT_LEVELS, stringEnd } from '../../server/src/parsing/python';
import { pythonFilesUnder } from '../helpers';

const ROOT = path.resolve(__dirname, '../..');

function refStringEnd(text: string, at: number): number | undefined {
  const q = text.charCodeAt(at);
  const triple = text.charCodeAt(at + 1) === q && text.charCodeAt(at + 2) === q;
  for (let i = at + (triple ? 3 : 1); i < text.length; i++) {
    const d = text.charCodeAt(i);
    if (d === 92) i++;
    else if (!triple && (d === 10 || d === 13)) return i;
    else if (d === q && (!triple || (text.charCodeAt(i + 1) === q && text.charCodeAt(i + 2) === q))) return i + (triple ? 3 : 1);
  }
  return undefined;
}

/** The levels of indentation and brackets, as checkForParse counts them (without its refusal messages). */
function refLevels(text: string): { indent: number; brackets: number; stop?: 'indent' | 'brackets' } {
  const stack = [0];
  let levels = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    let w = 0;
    let j = i;
    for (; j < n; j++) {
      const c = text.charCodeAt(j);
      if (c === 32) w++;
      else if (c === 9) w = (w & ~7) + 8;
      else break;
    }
    const c = text.charCodeAt(j);
    if (j < n && c !== 10 && c !== 13 && c !== 35) {
      while (stack.length > 1 && stack[stack.length - 1] > w) stack.pop();
      if (w > stack[stack.length - 1]) {
        stack.push(w);
        if (stack.length > MAX_INDENT_LEVELS) return { indent: stack.length, brackets: 0, stop: 'indent' };
        levels = Math.max(levels, stack.length);
      }
    }
    let k = j;
    while (k < n && text.charCodeAt(k) !== 10 && text.charCodeAt(k) !== 13) k++;
    i = k + 1;
  }
  let depth = 0;
  let max = 0;
  for (let p = 0; p < n; p++) {
    const c = text.charCodeAt(p);
    if (c === 35) {
      while (p < n && text.charCodeAt(p) !== 10 && text.charCodeAt(p) !== 13) p++;
    } else if (c === 34 || c === 39) {
      const end = refStringEnd(text, p);
      if (end === undefined) break;
      p = end - 1;
    } else if (c === 40 || c === 91 || c === 123) {
      if (++depth > 200) return { indent: levels, brackets: depth, stop: 'brackets' };
      if (depth > max) max = depth;
    } else if (c === 41 || c === 93 || c === 125) {
      if (depth > 0) depth--;
    }
  }
  return { indent: levels, brackets: max };
}

function same(text: string, what: string) {
  for (let at = text.indexOf('"'); at >= 0; at = text.indexOf('"', at + 1)) assert.equal(stringEnd(text, at), refStringEnd(text, at), `${what} @${at}`);
  for (let at = text.indexOf("'"); at >= 0; at = text.indexOf("'", at + 1)) assert.equal(stringEnd(text, at), refStringEnd(text, at), `${what} @${at}`);
  const ref = refLevels(text);
  const got = checkForParse(text);
  if (ref.stop === 'indent') assert.match(got.refusal ?? '', /levels of indentation/, what);
  else if (ref.stop === 'brackets') assert.match(got.refusal ?? '', /brackets nested/, what);
  else assert.deepEqual(got, { headroom: Math.min(MAX_INDENT_LEVELS - ref.indent, 200 - ref.brackets) }, what);
}

test('every example and fixture', () => {
  const files = [...pythonFilesUnder(path.join(ROOT, 'examples')), ...pythonFilesUnder(path.join(ROOT, 'server/src/rules'))];
  assert.ok(files.length > 50);
  for (const f of files) {
    const text = fs.readFileSync(f, 'utf8');
    same(text, f);
    same(text.replace(/\n/g, '\r\n'), `${f} (CRLF)`);
  }
});

test('random text of line breaks, quotes, backslashes, comments, brackets and indents', () => {
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const pieces = [' ', '    ', '\t', '\n', '\r\n', '\r', '#', '"', "'", '"""', "'''", '\\', '(', ')', '[', '}', 'x', ':', 'if a:\n    '];
  for (let k = 0; k < 3000; k++) {
    const text = Array.from({ length: Math.floor(rnd() * 80) }, () => pieces[Math.floor(rnd() * pieces.length)]).join('');
    same(text, `case ${k}: ${JSON.stringify(text)}`);
  }
  // deep indentation and brackets still refused
  same(Array.from({ length: 160 }, (_, d) => `${' '.repeat(d)}if x:\n`).join(''), 'deep indent');
  same(`x = ${'('.repeat(210)}`, 'deep brackets');
});
