import { defineRule, type RuleMatch } from '../../../analysis/rule';
import { callArgs } from '../../../analysis/fixBuilder';
import type { Node } from '../../../parsing/python';

const APP = ['flask.Flask()', 'flask.Flask()()'];

/** `self.app` in a test case: what the class assigns to `self.app` (in setUp, …) resolves to. */
function selfAttr(m: RuleMatch, n: Node): string | undefined {
  if (n.type !== 'attribute' || n.childForFieldName('object')?.text !== 'self') return undefined;
  const attr = n.childForFieldName('attribute')?.text;
  let cls: Node | null = n.parent;
  while (cls && cls.type !== 'class_definition') cls = cls.parent;
  if (!cls || !attr) return undefined;
  for (const a of cls.descendantsOfType('assignment')) {
    const left = a?.childForFieldName('left');
    if (left?.type === 'attribute' && left.text === `self.${attr}`) {
      const q = m.resolve(a!.childForFieldName('right'));
      if (q) return q;
    }
  }
  return undefined;
}

const isApp = (q: string | undefined, n: Node, m: RuleMatch) => APP.includes(q ?? '') || APP.includes(selfAttr(m, n) ?? '');

export default defineRule({
  id: 'flask-test-client',
  from: 'flask',
  category: 'testing',
  title: 'app.test_client()',
  message: '`app.test_client()` makes a Flask test client: Django uses `django.test.Client()`, FastAPI `TestClient(app)`.',
  effortMinutes: 5,
  needles: ['test_client'],
  requires: { app: isApp },
  fixes: {
    django: {
      title: 'Replace with django.test.Client()',
      safe: false,
      apply(m, fx) {
        const { positional, keywords } = callArgs(m.captures.finding);
        if (positional.length) return false;
        const Client = fx.importFrom('django.test', 'Client');
        if (keywords.size) fx.todo(m.captures.finding, `test_client option ${[...keywords.keys()].map((k) => `\`${k}\``).join(', ')} has no django.test.Client equivalent`);
        fx.replace(m.captures.finding, `${Client}()`);
      },
    },
    fastapi: {
      title: 'Replace with TestClient(app)',
      safe: false,
      apply(m, fx) {
        const { positional, keywords } = callArgs(m.captures.finding);
        if (positional.length) return false;
        const TestClient = fx.importFrom('fastapi.testclient', 'TestClient');
        if (keywords.size) fx.todo(m.captures.finding, `test_client option ${[...keywords.keys()].map((k) => `\`${k}\``).join(', ')} has no TestClient equivalent (cookies: pass cookies= per request or clear client.cookies)`);
        fx.replace(m.captures.finding, `${TestClient}(${fx.text(m.captures.app)})`);
      },
    },
  },
  docs: {
    summary:
      'Flask `app.test_client()` sends requests to the app without a server. Django: `django.test.Client()` (or `self.client` in `django.test.TestCase`); FastAPI: `TestClient(app)` (httpx-based).',
    notes: [
      'Response API: Flask\'s `resp.data` is `resp.content` in both targets; `resp.get_json()` is `resp.json()`; `resp.headers["Location"]` works in both (Django also `resp.url` on redirects).',
      'Redirects: Flask\'s client and Django\'s do not follow them unless asked (`follow_redirects=True` / `follow=True`); Starlette\'s TestClient follows them by default (`follow_redirects=False` to see the 302).',
      'JSON bodies: Flask `client.post(url, json=...)` is the same in TestClient; Django needs `data=..., content_type="application/json"`.',
      'Django\'s client runs against the project configured by DJANGO_SETTINGS_MODULE, not an app object; use `django.test.TestCase` for a database rolled back per test.',
    ],
    links: [
      'https://docs.djangoproject.com/en/stable/topics/testing/tools/#the-test-client',
      'https://fastapi.tiangolo.com/tutorial/testing/',
      'https://www.starlette.io/testclient/',
    ],
  },
});
