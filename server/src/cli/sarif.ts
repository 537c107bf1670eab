// SARIF 2.1.0 output of a scan, for code-scanning dashboards.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Sarif from 'sarif';
import type { LoadedRule } from '../analysis/rule';
import type { Severity } from '../analysis/types';
import type { ScanResult } from './scan';
import { ruleInfo, safetyLabel } from './rulesInfo';

const LEVEL: Record<Severity, Sarif.ReportingConfiguration.level> = {
  error: 'error',
  warning: 'warning',
  information: 'note',
  hint: 'note',
};

/** docs/rules/<id>.md beside the installed package as a file URI when it is there, else the repository-relative link. */
export function helpUri(id: string): string {
  const candidates = [path.resolve(__dirname, '..', 'docs', 'rules', `${id}.md`), path.resolve(__dirname, '..', '..', '..', 'docs', 'rules', `${id}.md`)];
  for (const c of candidates) if (fs.existsSync(c)) return pathToFileURL(c).href;
  return `docs/rules/${id}.md`;
}

/** `rules`: the rules the scan ran (all, or those of --rule). */
export function toSarif(r: ScanResult, rules: readonly LoadedRule[], version: string): Sarif.Log {
  const used = [...rules];
  const indexOf = new Map(used.map((x, i) => [x.id, i]));
  const defaultLevel = LEVEL[r.settings.severity];
  const descriptors: Sarif.ReportingDescriptor[] = used.map((x) => {
    const info = ruleInfo(x);
    const sev = r.settings.rules[x.id];
    return {
      id: x.id,
      name: x.title,
      shortDescription: { text: x.title },
      fullDescription: { text: x.docs.summary },
      helpUri: helpUri(x.id),
      help: { text: `${x.docs.summary}${x.docs.notes?.length ? '\n\n' + x.docs.notes.join('\n') : ''}` },
      defaultConfiguration: { level: sev && sev !== 'off' ? LEVEL[sev] : defaultLevel, enabled: sev !== 'off' },
      properties: {
        category: x.category,
        from: x.from,
        to: info.to,
        fix: safetyLabel(info),
        effortMinutes: x.effortMinutes,
        tags: [x.from, x.category],
      },
    };
  });
  const results: Sarif.Result[] = r.findings.map((f) => ({
    ruleId: f.rule,
    ruleIndex: indexOf.get(f.rule),
    level: LEVEL[f.severity],
    message: { text: f.message },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: encodeURI(f.file), uriBaseId: 'ROOT' },
          region: { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: f.endColumn },
        },
      },
    ],
    properties: { category: f.category, from: f.from, safe: f.safe, fixable: f.fixable, target: f.target },
  }));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'framework-porter',
            semanticVersion: version,
            version,
            rules: descriptors,
          },
        },
        columnKind: 'utf16CodeUnits',
        originalUriBaseIds: { ROOT: { uri: pathToFileURL(r.baseDir + path.sep).href } },
        results,
        invocations: [
          {
            executionSuccessful: r.errors.length === 0,
            toolExecutionNotifications: [
              ...r.skipped.map((s) => ({ level: 'note' as const, message: { text: `skipped ${s.file}: ${s.reason}` } })),
              ...r.errors.map((e) => ({ level: 'error' as const, message: { text: `failed ${e.file}: ${e.error}` } })),
            ],
          },
        ],
        properties: { target: r.settings.target, filesAnalyzed: r.files },
      },
    ],
  };
}
