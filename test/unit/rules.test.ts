// Every rule: its query compiles strictly, and its fixtures hold — the rule fires on before.py, fix-all of that
// rule turns it into after.<target>.py exactly, finds nothing fixable afterwards, and never fires on negative.py.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RULES, grammar, settingsFor, findings, fixAll, syntaxErrors } from '../helpers';
import { CATEGORIES, SOURCES, WEB_TARGETS } from '../../server/src/analysis/types';

const root = path.resolve(__dirname, '../..');
const WEB_SOURCES = new Set(['flask', 'flask-login', 'django', 'drf', 'fastapi']);

test('there are at least 30 rules, with unique ids', () => {
  assert.ok(RULES.length >= 30, `only ${RULES.length} rules`);
  assert.equal(new Set(RULES.map((r) => r.id)).size, RULES.length);
});

for (const rule of RULES) {
  describe(`rule ${rule.id}`, () => {
    const only = (r: { id: string }) => r.id === rule.id;
    const fx = path.join(root, rule.dir, 'fixtures');

    test('query compiles strictly', async () => {
      const g = await grammar;
      const q = g.query(rule.query);
      assert.ok(q.captureNames.length > 0);
      q.delete();
    });

    test('declares a known source, category and positive effort', () => {
      assert.ok((SOURCES as readonly string[]).includes(rule.from), rule.from);
      assert.ok((CATEGORIES as readonly string[]).includes(rule.category), rule.category);
      assert.ok(rule.effortMinutes > 0);
      assert.ok(rule.docs.summary.length > 20);
    });

    const cases = fs.existsSync(fx) ? fs.readdirSync(fx).filter((f) => f.endsWith('before.py')) : [];
    test('has before, after for both web targets, and negative fixtures', () => {
      assert.ok(cases.includes('before.py'), 'fixtures/before.py');
      assert.ok(fs.existsSync(path.join(fx, 'negative.py')), 'fixtures/negative.py');
      if (WEB_SOURCES.has(rule.from) || rule.from === 'flask-sqlalchemy') {
        for (const t of ['django', 'fastapi']) if (rule.fixes[t === 'django' ? (rule.from === 'flask-sqlalchemy' ? 'django-orm' : 'django') : rule.from === 'flask-sqlalchemy' ? 'sqlalchemy2' : 'fastapi']) assert.ok(fs.existsSync(path.join(fx, `after.${t}.py`)), `fixtures/after.${t}.py`);
      }
    });

    for (const c of cases) {
      const stem = c.replace(/before\.py$/, '');
      const before = fs.readFileSync(path.join(fx, c), 'utf8');
      for (const target of WEB_TARGETS) {
        const afterFile = path.join(fx, `${stem}after.${target}.py`);
        if (!fs.existsSync(afterFile)) continue;
        test(`${stem}before.py → ${stem}after.${target}.py`, async () => {
          const settings = settingsFor(target);
          const found = await findings(before, settings, only);
          assert.ok(found.length > 0, `${rule.id} does not fire on ${c} for ${target}`);
          assert.ok(found.some((f) => f.fixable), `no fixable finding of ${rule.id} in ${c} for ${target}`);
          const after = fs.readFileSync(afterFile, 'utf8');
          const fixed = await fixAll(before, settings, only);
          assert.equal(fixed, after);
          assert.deepEqual(await syntaxErrors(fixed), [], 'the fixed text parses');
          const again = await findings(fixed, settings, only);
          assert.deepEqual(again.filter((f) => f.fixable).map((f) => `${f.range.start.line + 1}: ${f.message}`), [], 'a second fix-all finds nothing fixable');
        });
      }
    }

    test('negative.py: no finding for any target', async () => {
      const neg = path.join(fx, 'negative.py');
      if (!fs.existsSync(neg)) return assert.fail('fixtures/negative.py is missing');
      const text = fs.readFileSync(neg, 'utf8');
      for (const target of WEB_TARGETS) {
        const found = await findings(text, settingsFor(target), only);
        assert.deepEqual(found.map((f) => `${target} ${f.range.start.line + 1}:${f.range.start.character + 1} ${f.rule}`), []);
      }
    });
  });
}
