// The checklist's custom requests (protocol/index.ts) over the Checklist model: snapshots, "Start porting",
// won't port / reopen, fixes of one occurrence or of a rule across the folder (annotated, needing confirmation, so
// VS Code shows its refactor preview), the report, a rescan and the rules' descriptions.
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  OptionalVersionedTextDocumentIdentifier,
  TextDocumentEdit,
  type AnnotatedTextEdit,
  type ChangeAnnotation,
  type Connection,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import {
  ChecklistRequest,
  FixOccurrenceRequest,
  FixRuleInWorkspaceRequest,
  ReopenRequest,
  ReportRequest,
  RescanRequest,
  RulesInfoRequest,
  StartPortingRequest,
  WontPortRequest,
  type ChecklistSnapshot,
  type RuleInfoItem,
} from '../../../protocol';
import { fixAllText, type Analysis } from '../analysis/engine';
import { LineMap } from '../analysis/lineMap';
import { applyEdits } from '../analysis/materialize';
import { effectiveOrm, type Finding } from '../analysis/types';
import { readText } from '../workspace/files';
import { occurrenceIds } from '../workspace/occurrence';
import { renderReport, reportFileName, REPORT_FORMATS, type ReportFormat } from '../workspace/report';
import type { Checklist, FolderModel } from './checklist';
import { diffEdits, toTextEdits } from './edits';
import type { ResourceSettings } from './settings';

interface FileAnalysis {
  uri: string;
  text: string;
  /** the open document's version; null for a file that is not open */
  version: number | null;
  analysis: Analysis;
  rs: ResourceSettings;
  release(): void;
}

/** A file's analysis as it is now: the open document's, else the file on disk analyzed with the folder's index. */
async function fileAnalysis(cl: Checklist, m: FolderModel, rel: string): Promise<FileAnalysis | undefined> {
  for (const d of cl.svc.docs.all()) {
    const loc = cl.svc.folders.locate(d.uri);
    if (loc?.folder.uri !== m.uri || loc.rel !== rel) continue;
    const cur = await cl.svc.current(d.uri);
    if (!cur?.analysis) return undefined;
    return { uri: d.uri, text: cur.doc.text, version: cur.doc.version, analysis: cur.analysis, rs: cur.rs, release: () => {} };
  }
  const r = readText(path.join(m.root, rel));
  if ('reason' in r) return undefined;
  const rs = m.rs ?? (await cl.svc.settingsFor(m.uri));
  const analysis = cl.analysisOf(m, rel, r.text, rs);
  const uri = pathToFileURL(path.join(m.root, rel)).href;
  return { uri, text: r.text, version: null, analysis, rs, release: () => analysis.dispose() };
}

function idsOf(fa: FileAnalysis, rel: string): string[] {
  return occurrenceIds(rel, fa.text, fa.analysis.tree.rootNode, fa.analysis.findings);
}

function docEdit(uri: string, version: number | null, edits: (TextEdit | AnnotatedTextEdit)[]): TextDocumentEdit {
  return TextDocumentEdit.create(OptionalVersionedTextDocumentIdentifier.create(uri, version), edits);
}

/** One occurrence's quick fix as a WorkspaceEdit (versioned for an open document), or null when it has none. */
export async function fixOccurrence(cl: Checklist, m: FolderModel, id: string): Promise<WorkspaceEdit | null> {
  const entry = cl.entries(m).find((e) => e.occurrences.some((o) => o.id === id));
  if (!entry) return null;
  const fa = await fileAnalysis(cl, m, entry.rel);
  if (!fa) return null;
  try {
    const i = idsOf(fa, entry.rel).indexOf(id);
    const fix = i >= 0 ? fa.analysis.fix(i) : undefined;
    if (!fix?.edits.length) return null;
    return { documentChanges: [docEdit(fa.uri, fa.version, toTextEdits(fa.analysis.lines, fix.edits))] };
  } finally {
    fa.release();
  }
}

/**
 * Every fixable occurrence of a rule in the folder (won't-port ones left alone) as one WorkspaceEdit: one
 * TextDocumentEdit per file, each edit annotated "Fix <rule>" with needsConfirmation (VS Code's refactor preview).
 */
export async function fixRuleInWorkspace(cl: Checklist, m: FolderModel, rule: string): Promise<WorkspaceEdit> {
  const snap = cl.snapshot(m);
  const wont = new Set(snap.occurrences.filter((o) => o.state === 'wontPort').map((o) => o.id));
  const files = [...new Set(snap.occurrences.filter((o) => o.rule === rule && o.fixable && (o.state === 'open' || o.state === 'regression')).map((o) => o.file))].sort();
  const documentChanges: TextDocumentEdit[] = [];
  const changeAnnotations: Record<string, ChangeAnnotation> = {};
  for (const rel of files) {
    const fa = await fileAnalysis(cl, m, rel);
    if (!fa) continue;
    let after: string;
    try {
      const ids = idsOf(fa, rel);
      const skip = new Set<Finding>(fa.analysis.findings.filter((f, i) => f.rule === rule && wont.has(ids[i])));
      if (!skip.size) {
        const opts = { settings: fa.rs.settings, path: rel, index: cl.indexFolder(m)?.index };
        after = fixAllText(cl.svc.opts.grammar, fa.text, opts, cl.svc.opts.rules, (f) => f.rule === rule).text;
      } else {
        // one pass over this text only: later passes could not tell the won't-port occurrences apart
        const r = fa.analysis.fixAllPass((f) => f.rule === rule && !skip.has(f));
        after = r.applied ? applyEdits(fa.text, r.edits) : fa.text;
      }
    } finally {
      fa.release();
    }
    const edits = toTextEdits(new LineMap(fa.text), diffEdits(fa.text, after));
    if (!edits.length) continue;
    const annotationId = `frameworkPorter.fixRule:${rel}`;
    changeAnnotations[annotationId] = { label: `Fix ${rule}`, needsConfirmation: true, description: rel };
    documentChanges.push(docEdit(fa.uri, fa.version, edits.map((e): AnnotatedTextEdit => ({ ...e, annotationId }))));
  }
  return { documentChanges, changeAnnotations };
}

export function rulesInfo(cl: Checklist, m: FolderModel | undefined): RuleInfoItem[] {
  const settings = m?.rs?.settings;
  const targets = settings ? new Set<string>([settings.target, effectiveOrm(settings)]) : undefined;
  return [...cl.svc.opts.rules]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((r) => {
      const to = Object.keys(r.fixes).filter((t) => r.fixes[t as keyof typeof r.fixes]);
      return {
        id: r.id,
        title: r.title,
        category: r.category,
        from: r.from,
        effortMinutes: r.effortMinutes,
        fixable: to.length > 0,
        safe: to.length > 0 && to.every((t) => r.fixes[t as keyof typeof r.fixes]!.safe),
        examples: r.examples.filter((e) => !targets || targets.has(e.target)).map((e) => ({ target: e.target, before: e.before, after: e.after })),
        summary: r.docs.summary,
        docsUri: cl.svc.docUri(r.id),
      };
    });
}

function folderOrThrow(cl: Checklist, folderUri: string): FolderModel {
  const [m] = cl.pick(folderUri);
  if (!m) throw new Error(`${folderUri} is not a workspace folder the server knows`);
  return m;
}

/** Registers the handlers; `get` gives the checklist once the server has one. */
export function registerChecklistRequests(conn: Connection, get: () => Checklist | undefined) {
  const handle = <P, R>(what: string, fallback: R, fn: (cl: Checklist, p: P) => R | Promise<R>) => async (p: P): Promise<R> => {
    const cl = get();
    if (!cl) return fallback;
    try {
      return await fn(cl, p);
    } catch (e) {
      conn.console.error(`Framework Porter: ${what} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      return fallback;
    }
  };

  conn.onRequest(
    ChecklistRequest.method,
    handle('building the checklist', [] as ChecklistSnapshot[], (cl, p: { folderUri?: string } | undefined) => cl.pick(p?.folderUri).map((m) => cl.snapshot(m))),
  );
  conn.onRequest(
    StartPortingRequest.method,
    handle('recording the baseline', { baseline: 0 }, async (cl, p: { folderUri: string }) => {
      const m = folderOrThrow(cl, p.folderUri);
      await cl.settled(m);
      const ids = [...new Set(cl.entries(m).flatMap((e) => e.occurrences.map((o) => o.id)))];
      cl.updateState(m, (s) => ({ ...s, target: m.rs?.settings.target ?? s.target, baseline: ids }));
      return { baseline: ids.length };
    }),
  );
  conn.onRequest(
    WontPortRequest.method,
    handle('recording a won’t-port decision', undefined, async (cl, p: { folderUri: string; ids: string[]; reason: string }) => {
      const m = folderOrThrow(cl, p.folderUri);
      await cl.settled(m);
      const reason = (p.reason ?? '').replace(/\s+/g, ' ').trim() || 'no reason given';
      cl.updateState(m, (s) => {
        for (const id of p.ids) s.wontPort[id] = reason;
        return s;
      });
    }),
  );
  conn.onRequest(
    ReopenRequest.method,
    handle('reopening occurrences', undefined, async (cl, p: { folderUri: string; ids: string[] }) => {
      const m = folderOrThrow(cl, p.folderUri);
      await cl.settled(m);
      cl.updateState(m, (s) => {
        for (const id of p.ids) delete s.wontPort[id];
        return s;
      });
    }),
  );
  conn.onRequest(
    FixOccurrenceRequest.method,
    handle('fixing an occurrence', null as WorkspaceEdit | null, (cl, p: { folderUri: string; id: string }) => fixOccurrence(cl, folderOrThrow(cl, p.folderUri), p.id)),
  );
  conn.onRequest(
    FixRuleInWorkspaceRequest.method,
    handle('fixing a rule in the workspace', { documentChanges: [] } as WorkspaceEdit, async (cl, p: { folderUri: string; rule: string }) => {
      const m = folderOrThrow(cl, p.folderUri);
      await cl.settled(m);
      return fixRuleInWorkspace(cl, m, p.rule);
    }),
  );
  conn.onRequest(
    ReportRequest.method,
    handle('writing the report', { content: '', fileName: '' }, async (cl, p: { folderUri: string; format: ReportFormat }) => {
      const m = folderOrThrow(cl, p.folderUri);
      await cl.settled(m);
      const format: ReportFormat = REPORT_FORMATS.includes(p.format) ? p.format : 'md';
      const snap = cl.snapshot(m);
      return { content: renderReport(snap, format), fileName: reportFileName(snap, format) };
    }),
  );
  conn.onRequest(
    RescanRequest.method,
    handle('rescanning', undefined, async (cl, p: { folderUri?: string } | undefined) => {
      await Promise.all(cl.pick(p?.folderUri).map((m) => cl.rescan(m)));
    }),
  );
  conn.onRequest(
    RulesInfoRequest.method,
    handle('listing the rules', [] as RuleInfoItem[], (cl, p: { folderUri?: string } | undefined) => rulesInfo(cl, p?.folderUri ? cl.pick(p.folderUri)[0] : undefined)),
  );
}
