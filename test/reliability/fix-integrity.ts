// Fix integrity over every file of examples/, the rule fixtures and the Debian corpus (keystone, horizon,
// hyperkitty), for every target (ormTarget auto): every single fix and the fix-all, checked by checkFile (lib.ts).
//   node --import tsx test/reliability/fix-integrity.ts [--no-corpus] [--out docs/reliability-fix-integrity.txt]
// Exits non-zero on any violation. The last full run's output is kept in docs/reliability-fix-integrity.txt.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadPython } from '../../server/src/parsing/python';
import { RULES } from '../../server/src/rules/generated';
import { checkFile, corpusProjects, exampleProjects, fixtureProject, PyOracle, ROOT, TARGETS, type Project } from './lib';

async function main() {
  const args = process.argv.slice(2);
  const noCorpus = args.includes('--no-corpus');
  const outIdx = args.indexOf('--out');
  const outFile = outIdx >= 0 ? args[outIdx + 1] : path.join(ROOT, 'docs', 'reliability-fix-integrity.txt');
  const started = Date.now();
  const g = await loadPython();
  const py = new PyOracle();
  const projects: Project[] = [...(await exampleProjects(g)), fixtureProject()];
  if (!noCorpus) projects.push(...(await corpusProjects(g)));
  const lines: string[] = [];
  const say = (s: string) => {
    lines.push(s);
    console.log(s);
  };
  say(`Fix integrity — ${new Date().toISOString()}; ${RULES.length} rules; targets ${TARGETS.join(', ')} (ormTarget auto); Python oracle: ${py.available ? 'python3 ast.parse' : 'none'}`);
  let violations = 0;
  const totals = { files: 0, checks: 0, findings: 0, fixable: 0, single: 0, fixAll: 0, differs: 0 };
  for (const p of projects) {
    const t = { files: p.files.length, findings: 0, single: 0, fixAll: 0, differs: 0, bad: 0 };
    for (const f of p.files) {
      for (const target of TARGETS) {
        let rep;
        try {
          rep = await checkFile(g, RULES, f, target, p.index, py);
        } catch (e) {
          violations++;
          t.bad++;
          say(`  CRASH ${f.rel} [${target}]: ${(e as Error).stack?.split('\n').slice(0, 3).join(' | ')}`);
          continue;
        }
        totals.checks++;
        t.findings += rep.findings;
        totals.fixable += rep.fixable;
        t.single += rep.singleFixes;
        if (rep.fixAllChanged) t.fixAll++;
        if (rep.sequenceDiffers) t.differs++;
        for (const x of rep.violations) {
          violations++;
          t.bad++;
          say(`  VIOLATION ${f.rel} [${target}]: ${x}`);
        }
      }
    }
    totals.files += t.files;
    totals.findings += t.findings;
    totals.single += t.single;
    totals.fixAll += t.fixAll;
    totals.differs += t.differs;
    say(`${p.name}: ${t.files} files × ${TARGETS.length} targets; ${t.findings} findings; ${t.single} single fixes applied; ${t.fixAll} fix-alls changed a file; ${t.differs} one-by-one ≠ fix-all (both checked); ${t.bad} violation(s)`);
  }
  py.close();
  say(
    `TOTAL: ${totals.files} files, ${totals.checks} file×target checks, ${totals.findings} findings (${totals.fixable} fixable), ${totals.single} single fixes applied and checked, ${totals.fixAll} fix-alls applied and checked, ${totals.differs} one-by-one ≠ fix-all; ${violations} violation(s); ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  if (outFile && !noCorpus) fs.writeFileSync(outFile, lines.join('\n') + '\n');
  process.exit(violations ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});
