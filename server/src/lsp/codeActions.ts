// Code actions: per diagnostic its quick fix, "Fix all <rule> in this file" and "Ignore <rule> on this line";
// the source.fixAll.frameworkPorter action. Every edit is a versioned TextDocumentEdit; actions asked for a
// version that is no longer current are not returned, and resolving one for a stale version gives no edit.
import { CodeActionKind, type CodeAction, type CodeActionParams, type Diagnostic, type Range } from 'vscode-languageserver/node';
import { DIAGNOSTIC_SOURCE, FIX_ALL_KIND, TODO_CODE, type CodeActionData, type DiagnosticData } from '../../../protocol';
import type { Fix } from '../analysis/types';
import { ignoreEdit, toTextEdits } from './edits';
import type { Current, PortService } from './service';

const sameRange = (a: Range, b: Range) =>
  a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;

/** Whether an action of `kind` is among the kinds asked for (all when `only` is absent). */
function wanted(kind: string, only: string[] | undefined): boolean {
  return !only || only.some((o) => kind === o || kind.startsWith(`${o}.`));
}

function dataOf(d: Diagnostic): DiagnosticData | undefined {
  const x = d.data as Partial<DiagnosticData> | undefined;
  return d.source === DIAGNOSTIC_SOURCE && x && typeof x.rule === 'string' && typeof x.version === 'number' ? (x as DiagnosticData) : undefined;
}

function fixTitle(fix: Fix): string {
  if (fix.safe) return fix.title;
  return fix.edits.some((e) => e.text.includes('TODO(port)')) ? `${fix.title} (review the TODO)` : `${fix.title} (unsafe: review the result)`;
}

export async function provideCodeActions(svc: PortService, params: CodeActionParams, canResolve: boolean): Promise<CodeAction[]> {
  const uri = params.textDocument.uri;
  const doc = svc.docs.get(uri);
  if (!doc) return [];
  const only = params.context.only;
  const version = doc.version;
  // diagnostics made for another version of the text say nothing about this one
  const diags = params.context.diagnostics.map((d) => ({ d, data: dataOf(d) })).filter((x) => x.data?.version === version);
  const wantsFixAll = !!only && only.some((o) => FIX_ALL_KIND === o || FIX_ALL_KIND.startsWith(`${o}.`));
  if (!diags.length && !wantsFixAll) return [];
  const cur = await svc.current(uri, version);
  if (!cur?.analysis) return [];
  const actions: CodeAction[] = [];
  if (wanted(CodeActionKind.QuickFix, only)) actions.push(...quickFixes(svc, cur, diags as { d: Diagnostic; data: DiagnosticData }[], canResolve));
  if (wantsFixAll) {
    const edits = svc.fixAllEdits(cur);
    if (edits.length) {
      actions.push({ title: 'Fix all porting idioms in this file', kind: FIX_ALL_KIND, edit: svc.versioned(cur.doc, edits) });
    }
  }
  return actions;
}

function quickFixes(svc: PortService, cur: Current, diags: { d: Diagnostic; data: DiagnosticData }[], canResolve: boolean): CodeAction[] {
  const a = cur.analysis!;
  const fixes: CodeAction[] = [];
  const fixAlls: CodeAction[] = [];
  const ignores: CodeAction[] = [];
  const fixAllDone = new Set<string>();
  const ignoreDone = new Set<string>();
  for (const { d, data } of diags) {
    if (data.rule === TODO_CODE) continue;
    const i = a.findings.findIndex((f) => f.rule === data.rule && sameRange(f.range, d.range));
    if (i < 0) continue;
    const f = a.findings[i];
    if (f.fixable) {
      const fix = a.fix(i);
      if (fix?.edits.length) {
        fixes.push({
          title: fixTitle(fix),
          kind: CodeActionKind.QuickFix,
          diagnostics: [d],
          isPreferred: fix.safe,
          edit: svc.versioned(cur.doc, toTextEdits(a.lines, fix.edits)),
        });
      }
    }
    if (f.fixable && !fixAllDone.has(f.rule)) {
      fixAllDone.add(f.rule);
      const rule = f.rule;
      const action: CodeAction = {
        title: `Fix all ${rule} in this file`,
        kind: CodeActionKind.QuickFix,
        diagnostics: diags.filter((x) => x.data.rule === rule).map((x) => x.d),
      };
      if (canResolve) {
        action.data = { uri: cur.doc.uri, version: cur.doc.version, kind: 'fixAllRule', rule } satisfies CodeActionData;
        fixAlls.push(action);
      } else {
        const edits = svc.fixAllEdits(cur, (x) => x.rule === rule);
        if (edits.length) fixAlls.push({ ...action, edit: svc.versioned(cur.doc, edits) });
      }
    }
    const line = f.range.start.line;
    if (!ignoreDone.has(`${f.rule}:${line}`)) {
      ignoreDone.add(`${f.rule}:${line}`);
      const e = ignoreEdit(cur.doc.text, cur.doc.tree, a.lines, f.start, f.rule);
      ignores.push({
        title: `Ignore ${f.rule} on this line`,
        kind: CodeActionKind.QuickFix,
        diagnostics: [d],
        edit: svc.versioned(cur.doc, toTextEdits(a.lines, [e])),
      });
    }
  }
  return [...fixes, ...fixAlls, ...ignores];
}

/** Fills in the edit of a "Fix all …" action, unless the document changed since the action was offered. */
export async function resolveCodeAction(svc: PortService, action: CodeAction): Promise<CodeAction> {
  const data = action.data as Partial<CodeActionData> | undefined;
  if (action.edit || !data || typeof data.uri !== 'string' || typeof data.version !== 'number') return action;
  const cur = await svc.current(data.uri, data.version);
  if (!cur) {
    svc.log(`Not resolving "${action.title}": ${data.uri} is closed or changed since the action was offered.`);
    return action;
  }
  const rule = data.rule;
  const edits = svc.fixAllEdits(cur, data.kind === 'fixAllRule' && rule ? (f) => f.rule === rule : undefined);
  return { ...action, edit: svc.versioned(cur.doc, edits) };
}
