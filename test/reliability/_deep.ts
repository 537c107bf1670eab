import { loadPython } from '../../server/src/parsing/python';
import { RULES } from '../../server/src/rules/generated';
import { analyze, fixAllText } from '../../server/src/analysis/engine';
import { settingsFor } from './lib';
import * as fs from 'node:fs';
(async () => {
  const g = await loadPython();
  const text = fs.readFileSync(process.argv[2], 'utf8');
  const target = (process.argv[3] ?? 'django') as any;
  const opts = { settings: settingsFor(target), path: 'pkg/app.py' };
  let t = performance.now();
  const p = g.newParser(); const tree = p.parse(text)!; console.log('parse', performance.now() - t); t = performance.now();
  const a = analyze(g, text, { ...opts, tree }, RULES);
  console.log('analyze', performance.now() - t, a.findings.length); t = performance.now();
  for (let i = 0; i < a.findings.length; i++) if (a.findings[i].fixable) { a.fix(i); }
  console.log('fixes', performance.now() - t); t = performance.now();
  fixAllText(g, text, opts, RULES);
  console.log('fixall', performance.now() - t);
})();
