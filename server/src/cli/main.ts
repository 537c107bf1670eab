// framework-porter: scan a Python project for Flask / Flask-SQLAlchemy / Flask-Login idioms, fix them, list rules.
// Exit codes: 0 done (whatever was found); 1 some file could not be written, or an internal error; 2 bad usage.
import { Command, CommanderError, Option } from 'commander';
import pkg from '../../../package.json';
import { loadPython } from '../parsing/python';
import { RULES } from '../rules/generated';
import { DEFAULT_SETTINGS, ORM_TARGETS, WEB_TARGETS, type OrmSetting, type Settings, type WebTarget } from '../analysis/types';
import { loadCliProject, oneLine, UsageError } from './project';
import { ruleFilter, scanProject, toJson, toText } from './scan';
import { toSarif } from './sarif';
import { fixProject } from './fix';
import { orderedTargets, ruleInfos, rulesTable, safetyLabel } from './rulesInfo';
import { projectSnapshot, recordBaseline } from './report';
import { renderReport } from '../workspace/report';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';

const VERSION: string = pkg.version;

interface CommonOpts {
  to: WebTarget;
  orm: OrmSetting;
  rule?: string[];
  include?: string[];
  exclude?: string[];
  maxFileSize?: number;
}

const out = (s: string) => process.stdout.write(s);
const errLine = (s: string) => process.stderr.write(s.endsWith('\n') ? s : s + '\n');

function ruleIds(opt: string[] | undefined): string[] | undefined {
  if (!opt?.length) return undefined;
  const ids = opt.flatMap((x) => x.split(',')).map((x) => x.trim()).filter(Boolean);
  const known = new Set(RULES.map((r) => r.id));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length) throw new UsageError(`unknown rule id${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')} (see \`framework-porter rules\`)`);
  return ids;
}

function settingsOf(o: CommonOpts): Settings {
  return { ...DEFAULT_SETTINGS, target: o.to, ormTarget: o.orm };
}

function parseSize(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--max-file-size must be a positive integer number of bytes, not '${v}'`);
  return n;
}

function commonOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--to <target>', 'the web framework to port to').choices(WEB_TARGETS).makeOptionMandatory())
    .addOption(new Option('--orm <orm>', 'where ORM code goes: auto = Django ORM for django, SQLAlchemy 2.0 otherwise').choices(['auto', ...ORM_TARGETS, 'keep']).default('auto'))
    .option('--rule <id...>', 'only these rules (repeatable, or comma-separated)')
    .option('--include <glob...>', 'files to analyze, relative to PATH (default **/*.py)')
    .option('--exclude <glob...>', 'more files never to analyze, besides .venv, venv, node_modules, site-packages, migrations and .gitignore')
    .option('--max-file-size <bytes>', 'skip files larger than this', parseSize);
}

async function load(pathArg: string, o: CommonOpts) {
  const only = ruleFilter(ruleIds(o.rule));
  const grammar = await loadPython();
  const project = await loadCliProject(grammar, pathArg, {
    include: o.include,
    exclude: o.exclude,
    maxFileSize: o.maxFileSize,
    onSkip: (s) => errLine(`skipped ${s.file}: ${s.reason}`),
  });
  return { grammar, project, only, rules: only ? RULES.filter(only) : RULES };
}

export function buildProgram(): Command {
  const program = new Command('framework-porter')
    .description('Flags Flask, Flask-SQLAlchemy and Flask-Login idioms in Python code and rewrites them into Django or FastAPI.')
    .version(VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .exitOverride()
    .configureOutput({ outputError: () => {} })
    .showSuggestionAfterError(true)
    .allowExcessArguments(false);

  commonOptions(
    program
      .command('scan')
      .description('report every idiom left to port under PATH (a directory or a .py file); exits 0 whatever it finds')
      .argument('<path>', 'directory or .py file'),
  )
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'sarif']).default('text'))
    .action(async (pathArg: string, o: CommonOpts & { format: 'text' | 'json' | 'sarif' }) => {
      const { grammar, project, only, rules } = await load(pathArg, o);
      const result = scanProject(grammar, project, settingsOf(o), RULES, only, (file, e) => errLine(`failed ${file}: ${e}`));
      if (o.format === 'json') out(JSON.stringify(toJson(result), null, 2) + '\n');
      else if (o.format === 'sarif') out(JSON.stringify(toSarif(result, rules, VERSION), null, 2) + '\n');
      else out(toText(result));
    });

  commonOptions(
    program
      .command('fix')
      .description('rewrite the idioms under PATH in place (atomically), or print the unified diff with --dry-run')
      .argument('<path>', 'directory or .py file'),
  )
    .option('--dry-run', 'print a unified diff of what would be written; write nothing')
    .option('--safe-only', 'apply only fixes that keep behaviour (no TODO(port) left for a person)')
    .action(async (pathArg: string, o: CommonOpts & { dryRun?: boolean; safeOnly?: boolean }) => {
      const { grammar, project, only } = await load(pathArg, o);
      const sum = fixProject(grammar, project, settingsOf(o), RULES, { dryRun: !!o.dryRun, safeOnly: !!o.safeOnly, only }, { out, err: errLine });
      if (sum.failed) process.exitCode = 1;
    });

  commonOptions(
    program
      .command('report')
      .description('the porting report of the workspace folder PATH: progress against the baseline in PATH/.framework-porter/state.json per category, what is left (with links), won\'t-port decisions, TODOs, effort left')
      .argument('<path>', 'the workspace folder'),
  )
    .addOption(new Option('--format <format>', 'output format').choices(['md', 'html', 'json']).default('md'))
    .option('--out <file>', 'write the report to this file instead of standard output')
    .action(async (pathArg: string, o: CommonOpts & { format: 'md' | 'html' | 'json'; out?: string }) => {
      const { grammar, project, rules } = await load(pathArg, o);
      const r = projectSnapshot(grammar, project, settingsOf(o), rules);
      if (r.problem) errLine(r.problem);
      for (const e of r.errors) errLine(`failed ${e.file}: ${e.error}`);
      const content = renderReport(r.snapshot, o.format);
      if (o.out) {
        const target = nodePath.resolve(o.out);
        try {
          fs.mkdirSync(nodePath.dirname(target), { recursive: true });
          fs.writeFileSync(target, content);
        } catch (e) {
          errLine(`framework-porter: cannot write ${o.out}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
          process.exitCode = 1;
          return;
        }
        errLine(`wrote ${o.out}`);
      } else out(content);
      if (r.errors.length) process.exitCode = 1;
    });

  commonOptions(
    program
      .command('baseline')
      .description('record every idiom found now under the workspace folder PATH as the porting baseline (PATH/.framework-porter/state.json; won\'t-port decisions are kept)')
      .argument('<path>', 'the workspace folder'),
  ).action(async (pathArg: string, o: CommonOpts) => {
    const { grammar, project, rules } = await load(pathArg, o);
    const r = recordBaseline(grammar, project, settingsOf(o), rules);
    if (r.problem) errLine(r.problem);
    out(`recorded a baseline of ${r.count} occurrence${r.count === 1 ? '' : 's'} in ${r.file}\n`);
  });

  program
    .command('rules')
    .description('list the rules')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'md']).default('text'))
    .action((o: { format: 'text' | 'json' | 'md' }) => {
      const infos = ruleInfos(RULES);
      if (o.format === 'json') out(JSON.stringify(infos, null, 2) + '\n');
      else if (o.format === 'md') out(rulesTable(infos, (id) => `docs/rules/${id}.md`));
      else {
        const w = Math.max(...infos.map((i) => i.id.length), 4);
        for (const i of infos) out(`${i.id.padEnd(w)}  ${i.from} → ${orderedTargets(i.to).join(', ') || '—'}  ${i.category}  ${i.title}  [${safetyLabel(i)}]\n`);
        out(`${infos.length} rules\n`);
      }
    });
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.exitCode === 0) return 0;
      if (e.code === 'commander.help' || e.code === 'commander.executeSubCommandAsync') return 2;
      errLine(`framework-porter: ${oneLine(e).replace(/^error:\s*/, '')}`);
      return 2;
    }
    if (e instanceof UsageError) {
      errLine(`framework-porter: ${oneLine(e)}`);
      return 2;
    }
    errLine(`framework-porter: internal error: ${oneLine(e)}`);
    if (process.env.FRAMEWORK_PORTER_DEBUG && e instanceof Error && e.stack) process.stderr.write(e.stack + '\n');
    return 1;
  }
}

if (require.main === module) {
  void main(process.argv).then((code) => {
    process.exitCode = code;
  });
}
