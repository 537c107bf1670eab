// enclosingFunctionOf (an index of the tree's definitions, built on first use) answers what a `.parent` walk answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { grammar } from '../helpers';
import { ancestorsOf, enclosingFunctionOf, statementOf } from '../../server/src/parsing/ancestors';
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

test('the ancestors from one cursor descent are those of a parent walk, for every node, from the root or a statement', async () => {
  const g = await grammar;
  const texts = [
    'def a():\n    def b(x=lambda: 1):\n        class C:\n            def d(self):\n                return [y for y in x if y]\n        return C\n    return b\n\n\nclass E:\n    def f(self):\n        pass\n\n\ndef g(:\n    return (\n',
    'x = foo(a.b.c, [1, 2, {3: (4,)}])\nif x:\n    y = 1\nelif z:\n    pass\n# c\n@d\ndef e(): return 1\nprint(x\n',
    fs.readFileSync(path.resolve(__dirname, '../../examples/flask-blog/blog/posts.py'), 'utf8'),
    'é = "ß\u{1F600}"\nclass Ü:\n    def f(self, ä=[ö for ö in "\u{1F600}é"]):\n        return é + ä\n',
  ];
  for (const text of texts) {
    const tree = g.newParser().parse(text)!;
    const all: Node[] = [];
    const visit = (n: Node) => {
      all.push(n);
      for (const c of n.children) if (c) visit(c);
    };
    visit(tree.rootNode);
    assert.ok(all.length > 20, `${all.length} nodes`);
    for (const n of all) {
      const want: number[] = [];
      for (let p = n.parent; p; p = p.parent) want.unshift(p.id);
      assert.deepEqual(ancestorsOf(n)?.map((x) => x.id), want, `${n.type} at ${n.startIndex}-${n.endIndex}`);
      const top = want.length > 1 ? all.find((x) => x.id === want[1])! : undefined;
      if (top) assert.deepEqual(ancestorsOf(n, top)?.map((x) => x.id), want.slice(1), `${n.type} from its statement`);
      let st = n;
      while (st.parent && st.parent.type !== 'block' && st.parent.type !== 'module') st = st.parent;
      assert.equal(statementOf(n).id, st.id, `statementOf ${n.type} at ${n.startIndex}`);
    }
    tree.delete();
  }
});
