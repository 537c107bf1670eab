// Findings and TODO markers as LSP diagnostics: what a didChange ends in, so it is part of the edit path the benchmark
// times. A rule's documentation link is made once per rule: made per finding (path.join + pathToFileURL), it cost
// ≈ 10 ms for the 2,760 findings of the benchmark's 5,000-line Flask module, more than their analysis.
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver/node';
import { DIAGNOSTIC_SOURCE, TODO_CODE, type DiagnosticData } from '../../../protocol';
import type { LineMap } from '../analysis/lineMap';
import type { Finding, PortMarker, Severity } from '../analysis/types';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export class Diagnostics {
  private readonly links = new Map<string, { href: string }>();

  constructor(private readonly docsDir: string) {}

  /** The file URI of a rule's documentation page. */
  docUri(rule: string): string {
    return this.link(rule).href;
  }

  private link(rule: string): { href: string } {
    let l = this.links.get(rule);
    if (!l) this.links.set(rule, (l = Object.freeze({ href: pathToFileURL(path.join(this.docsDir, `${rule}.md`)).href })));
    return l;
  }

  /** Diagnostics of findings and markers (also of files that are not open: their version is 0). */
  of(findings: readonly Pick<Finding, 'rule' | 'range' | 'severity' | 'message'>[], markers: readonly PortMarker[], lines: LineMap, version: number): Diagnostic[] {
    // (one data object per rule: they are alike, and read only; 2,760 were made on each keystroke in the Flask module)
    const data = new Map<string, DiagnosticData>();
    const dataOf = (rule: string) => {
      let d = data.get(rule);
      if (!d) data.set(rule, (d = Object.freeze({ rule, version })));
      return d;
    };
    const out: Diagnostic[] = findings.map((f) => ({
      range: f.range,
      severity: SEVERITY[f.severity],
      code: f.rule,
      codeDescription: this.link(f.rule),
      source: DIAGNOSTIC_SOURCE,
      message: f.message,
      data: dataOf(f.rule),
    }));
    for (const m of markers) {
      if (m.kind !== 'todo') continue;
      out.push({
        range: lines.range(m.start, m.end),
        severity: DiagnosticSeverity.Information,
        code: TODO_CODE,
        source: DIAGNOSTIC_SOURCE,
        message: `left for a person: ${m.text.trim()}${m.rule ? ` [${m.rule}]` : ''}`,
        data: { rule: TODO_CODE, version } satisfies DiagnosticData,
      });
    }
    return out;
  }
}
