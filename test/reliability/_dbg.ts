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
  const a = analyze(g, text, opts, RULES);
  console.log(a.findings.map(f => `${f.rule} ${f.start}-${f.end} fixable=${f.fixable}`));
  a.dispose();
  const t1 = fixAllText(g, text, opts, RULES).text;
  console.log(JSON.stringify(t1));
  const t2 = fixAllText(g, t1, opts, RULES).text;
  console.log(JSON.stringify(t2));
})();
