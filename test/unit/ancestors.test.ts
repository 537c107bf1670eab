// enclosingFunctionOf (an index of the tree's definitions, built on first use) answers what a `.parent` walk answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { grammar } from '../helpers';
import { enclosingFunctionOf } from '../../server/src/parsing/ancestors';
import type { Node } from '../../server/src/parsing/python';

const byParents = (n: Node): Node | undefined => {
  for (let p = n.parent; p; p = p.parent) if (p.type === 'function_definition') return p;
  return undefined;
};

test('the enclosing function from the index is the one a parent walk finds', async () => {
  const g = await grammar;
  const nested = 'def a():\n    def b(x=lambda: 1):\n        class C:\n            def d(self):\n                return x\n        return C\n    return b\n\n\nclass E:\n    def f(self):\n        pass\n\n\ndef g(:\n    return (\n';
  const blog = fs.readFileSync(path.resolve(__dirname, '../../examples/flask-blog/blog/posts.py'), 'utf8');
  for (const text of [nested, blog]) {
    const tree = g.newParser().parse(text)!;
    const nodes = [...tree.rootNode.descendantsOfType(['identifier', 'function_definition', 'block', 'return_statement'])].filter((n): n is Node => !!n);
    assert.ok(nodes.length > 20, `${nodes.length} nodes`);
    for (const n of nodes) {
      const want = byParents(n);
      const got = enclosingFunctionOf(n);
      assert.equal(got?.id, want?.id, `${n.type} at ${n.startIndex}: ${got?.startIndex} vs ${want?.startIndex}`);
    }
    tree.delete();
  }
});
