// The server's state: open documents with their trees, settings per resource, the workspace folders' module
// indexes, and the analysis of each open document (cached per version, settings and index epoch).
import * as path from 'node:path';
import { TextDocumentEdit, type Connection, type Diagnostic, type TextEdit, type WorkspaceEdit } from 'vscode-languageserver/node';
import { CONFIG_SECTION } from '../../../protocol';
import { fixAllText, type Analysis } from '../analysis/engine';
import { analyzeDocument } from '../analysis/incremental';
import { LineMap } from '../analysis/lineMap';
import type { Finding, PortMarker } from '../analysis/types';
import type { LoadedRule } from '../analysis/rule';
import { parseRefusal, type PythonGrammar } from '../parsing/python';
import { readText, type FileSelection } from '../workspace/files';
import { Diagnostics } from './diagnostics';
import { IdleCollector } from './idleCollector';
import { DocumentStore, type Doc } from './documents';
import { diffEdits, toTextEdits } from './edits';
import { Folders, fsPathOf, type Folder } from './folders';
import { parseSettings, settingsKey, type ResourceSettings } from './settings';

export const DEBOUNCE_MS = 80;

/** window/showMessage* may be a request the client refuses; its answer does not matter. */
export function quietly(p: unknown) {
  void Promise.resolve(p).catch(() => undefined);
}

export interface Current {
  doc: Doc;
  rs: ResourceSettings;
  folder?: Folder;
  rel?: string;
  /** undefined when the document is not analyzed (excluded, too large) */
  analysis?: Analysis;
}

interface Cached {
  version: number;
  key: string;
  folder?: Folder;
  epoch: number;
  analysis: Analysis;
}

export interface ServiceOptions {
  grammar: PythonGrammar;
  rules: readonly LoadedRule[];
  /** the folder of the rule docs (docs/rules/<id>.md) */
  docsDir: string;
  /** whether the client answers workspace/configuration */
  configuration: boolean;
  /** compare every incremental reparse with a fresh parse (tests) */
  verifyTrees?: boolean;
}

/** What the workspace checklist (checklist.ts) hears from the service. */
export interface ServiceListener {
  /** an open document was analyzed and its diagnostics published */
  analyzed?(uri: string, cur: Current): void;
  /** a document was closed (its index entry is back to the disk's) */
  closed?(uri: string): void;
  /** a watched file changed on disk (any file: .py, state.json), after the index was updated */
  fileChanged?(uri: string, deleted: boolean): void;
  /** the settings were re-read */
  configurationChanged?(): void;
  folderAdded?(uri: string): void;
  folderRemoved?(uri: string): void;
}

export class PortService {
  readonly docs: DocumentStore;
  readonly folders: Folders;
  readonly rules: ReadonlyMap<string, LoadedRule>;
  private readonly settings = new Map<string, Promise<ResourceSettings>>();
  private readonly analyses = new Map<string, Cached>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly warned = new Set<string>();
  private readonly noted = new Set<string>();
  /** the young generation collected between keystrokes, not inside the next one (idleCollector.ts) */
  private readonly idle = new IdleCollector();
  /** settings from didChangeConfiguration, for clients without workspace/configuration */
  private pushed: unknown;
  readonly listeners: ServiceListener[] = [];

  private emit<K extends keyof ServiceListener>(event: K, ...args: Parameters<NonNullable<ServiceListener[K]>>) {
    for (const l of this.listeners) {
      try {
        (l[event] as ((...a: unknown[]) => void) | undefined)?.call(l, ...args);
      } catch (e) {
        this.log(`Framework Porter: the ${event} listener failed: ${(e as Error).stack ?? e}`);
      }
    }
  }

  constructor(
    readonly conn: Connection,
    readonly opts: ServiceOptions,
  ) {
    this.docs = new DocumentStore(opts.grammar, opts.verifyTrees ? (uri, problem) => this.conn.console.error(`Tree check failed for ${uri}: ${problem}`) : undefined);
    this.folders = new Folders(opts.grammar);
    this.rules = new Map(opts.rules.map((r) => [r.id, r]));
    this.diags = new Diagnostics(opts.docsDir);
  }

  // ——— settings ———

  settingsFor(uri: string): Promise<ResourceSettings> {
    let p = this.settings.get(uri);
    if (!p) {
      p = this.fetchSettings(uri);
      this.settings.set(uri, p);
    }
    return p;
  }

  private async fetchSettings(uri: string): Promise<ResourceSettings> {
    let raw: unknown = (this.pushed as Record<string, unknown> | undefined)?.[CONFIG_SECTION];
    if (this.opts.configuration) {
      try {
        raw = await this.conn.workspace.getConfiguration({ scopeUri: uri, section: CONFIG_SECTION });
      } catch (e) {
        this.log(`Could not read the ${CONFIG_SECTION} settings for ${uri} (${(e as Error).message}); using the defaults.`);
        raw = undefined;
      }
    }
    const rs = parseSettings(raw);
    if (rs.selection.maxFileSize > this.docs.maxChars) this.docs.maxChars = rs.selection.maxFileSize;
    const fresh = rs.problems.filter((p) => !this.warned.has(p));
    if (fresh.length) {
      for (const p of fresh) this.warned.add(p);
      const message = `Framework Porter: ${fresh.join(' ')}`;
      this.conn.console.warn(message);
      quietly(this.conn.window.showWarningMessage(message));
    }
    return rs;
  }

  /** New settings: forget the cached ones, re-index folders whose file selection changed, re-analyze everything. */
  async configurationChanged(pushed: unknown) {
    this.pushed = pushed;
    this.settings.clear();
    this.warned.clear();
    for (const folder of this.folders.list()) {
      const rs = await this.settingsFor(folder.uri);
      if (JSON.stringify(rs.selection) !== JSON.stringify(folder.selection)) this.indexFolder(folder, rs.selection);
    }
    for (const d of this.docs.all()) this.schedule(d.uri, 0);
    this.emit('configurationChanged');
  }

  // ——— folders ———

  indexFolder(folder: Folder, selection: FileSelection) {
    const openText = (rel: string) => {
      for (const d of this.docs.all()) {
        const loc = this.folders.locate(d.uri);
        if (loc?.folder === folder && loc.rel === rel) return { text: d.text, tree: d.tree };
      }
      return undefined;
    };
    this.folders
      .reindex(folder, selection, openText, (m) => this.log(m))
      .then(() => {
        // open documents may have changed while the folder was read
        for (const d of this.docs.all()) {
          const loc = this.folders.locate(d.uri);
          if (loc?.folder !== folder) continue;
          this.folders.update(folder, loc.rel, d.text, d.tree);
          this.schedule(d.uri, 0);
        }
      })
      .catch((e) => this.log(`Indexing ${folder.root} failed: ${(e as Error).message}`));
  }

  async addFolder(uri: string) {
    const folder = this.folders.add(uri);
    if (!folder) return;
    const rs = await this.settingsFor(uri);
    this.indexFolder(folder, rs.selection);
    this.emit('folderAdded', uri);
  }

  removeFolder(uri: string) {
    this.folders.remove(uri);
    for (const d of this.docs.all()) this.schedule(d.uri, 0);
    this.emit('folderRemoved', uri);
  }

  /** A file changed on disk (or was created or deleted): refresh its index entry unless it is open. */
  fileChanged(uri: string, deleted: boolean) {
    this.updateIndexFor(uri, deleted);
    this.emit('fileChanged', uri, deleted);
  }

  private updateIndexFor(uri: string, deleted: boolean) {
    if (this.docs.get(uri)) return;
    const loc = this.folders.locate(uri);
    if (!loc || !/\.pyi?$/.test(loc.rel) || !this.folders.selects(loc.folder.selection, loc.rel)) return;
    let text: string | undefined;
    if (!deleted) {
      const r = readText(path.join(loc.folder.root, loc.rel));
      text = 'text' in r ? r.text : undefined;
    }
    if (this.folders.update(loc.folder, loc.rel, text)) this.reanalyzeFolder(loc.folder);
  }

  private reanalyzeFolder(folder: Folder, except?: string) {
    for (const d of this.docs.all()) {
      if (d.uri !== except && this.folders.locate(d.uri)?.folder === folder) this.schedule(d.uri);
    }
  }

  // ——— documents ———

  opened(uri: string, languageId: string, version: number, text: string) {
    this.docs.open(uri, languageId, version, text);
    this.schedule(uri, 0);
  }

  changed(uri: string, version: number, changes: Parameters<DocumentStore['change']>[2]) {
    if (!this.docs.change(uri, version, changes)) return;
    this.schedule(uri);
  }

  saved(uri: string) {
    const d = this.docs.get(uri);
    const loc = this.folders.locate(uri);
    if (d && loc && this.folders.update(loc.folder, loc.rel, d.text, d.tree)) this.reanalyzeFolder(loc.folder, uri);
  }

  closed(uri: string) {
    clearTimeout(this.timers.get(uri));
    this.timers.delete(uri);
    this.analyses.get(uri)?.analysis.dispose();
    this.analyses.delete(uri);
    this.docs.close(uri);
    this.settings.delete(uri);
    this.conn.sendDiagnostics({ uri, diagnostics: [] });
    // the index goes back to what is on disk
    this.updateIndexFor(uri, !fsPathOf(uri));
    this.emit('closed', uri);
  }

  schedule(uri: string, delay = DEBOUNCE_MS) {
    clearTimeout(this.timers.get(uri));
    this.timers.set(
      uri,
      setTimeout(() => {
        this.timers.delete(uri);
        this.validate(uri).catch((e) => this.log(`Could not analyze ${uri}: ${(e as Error).stack ?? e}`));
      }, delay),
    );
  }

  /** Analyzes a document as it is now and publishes its diagnostics (unless it changed meanwhile). */
  async validate(uri: string) {
    const doc = this.docs.get(uri);
    if (!doc) return;
    // first the document's own exports, for the other files of its folder
    const loc = this.folders.locate(uri);
    if (loc && this.folders.selects(loc.folder.selection, loc.rel) && this.folders.update(loc.folder, loc.rel, doc.text, doc.tree)) {
      this.reanalyzeFolder(loc.folder, uri);
    }
    const cur = await this.current(uri);
    if (!cur) return; // closed, or changed meanwhile (that change scheduled its own run)
    const diagnostics = cur.analysis ? this.diagnostics(cur.analysis, cur.doc.version) : [];
    this.conn.sendDiagnostics({ uri, version: cur.doc.version, diagnostics });
    this.emit('analyzed', uri, cur);
    this.idle.schedule();
  }

  /**
   * The document with its settings and analysis, for the version that is current when the settings arrive;
   * undefined when the document is closed or changed while waiting.
   */
  async current(uri: string, version?: number): Promise<Current | undefined> {
    const doc = this.docs.get(uri);
    if (!doc || (version !== undefined && doc.version !== version)) return undefined;
    const v = doc.version;
    const rs = await this.settingsFor(uri);
    if (this.docs.get(uri) !== doc || doc.version !== v) return undefined;
    const loc = this.folders.locate(uri);
    const out: Current = { doc, rs, folder: loc?.folder, rel: loc?.rel };
    if (loc && !this.folders.selects(rs.selection, loc.rel)) return out;
    if (doc.text.length > rs.selection.maxFileSize) {
      this.note(`${uri} is larger than frameworkPorter.maxFileSize (${doc.text.length} > ${rs.selection.maxFileSize}); not analyzed.`);
      return out;
    }
    // (a document with a tree passed the check when it was parsed: lsp/documents.ts)
    const refused = doc.tree ? undefined : parseRefusal(doc.text);
    if (refused) {
      this.note(`${uri} is not analyzed: ${refused}.`);
      return out;
    }
    const key = settingsKey(rs.settings);
    const epoch = loc?.folder.epoch ?? 0;
    const cached = this.analyses.get(uri);
    if (cached && cached.version === v && cached.key === key && cached.folder === loc?.folder && cached.epoch === epoch) {
      out.analysis = cached.analysis;
      return out;
    }
    cached?.analysis.dispose();
    this.analyses.delete(uri);
    const analysis = analyzeDocument(this.opts.grammar, doc, { settings: rs.settings, path: this.pathOf(uri, loc?.rel), index: loc?.folder.index }, this.opts.rules, cached?.analysis);
    this.analyses.set(uri, { version: v, key, folder: loc?.folder, epoch, analysis });
    out.analysis = analysis;
    return out;
  }

  private pathOf(uri: string, rel: string | undefined): string | undefined {
    if (rel) return rel;
    const abs = fsPathOf(uri);
    return abs ? path.basename(abs) : undefined;
  }

  // ——— diagnostics and edits ———

  private readonly diags: Diagnostics;

  docUri(rule: string): string {
    return this.diags.docUri(rule);
  }

  diagnostics(a: Analysis, version: number): Diagnostic[] {
    return this.diags.of(a.findings, a.markers, a.lines, version);
  }

  /** Diagnostics of findings and markers (also of files that are not open: their version is 0). */
  diagnosticsOf(findings: readonly Pick<Finding, 'rule' | 'range' | 'severity' | 'message'>[], markers: readonly PortMarker[], lines: LineMap, version: number): Diagnostic[] {
    return this.diags.of(findings, markers, lines, version);
  }

  /** The edits of fix-all (every fixable finding, or those `select` picks), as minimal edits of the current text. */
  fixAllEdits(cur: Current, select?: (f: Finding) => boolean): TextEdit[] {
    if (!cur.analysis) return [];
    const opts = { settings: cur.rs.settings, path: this.pathOf(cur.doc.uri, cur.rel), index: cur.folder?.index };
    const r = fixAllText(this.opts.grammar, cur.doc.text, opts, this.opts.rules, select);
    return toTextEdits(new LineMap(cur.doc.text), diffEdits(cur.doc.text, r.text));
  }

  versioned(doc: Doc, edits: TextEdit[]): WorkspaceEdit {
    return { documentChanges: [TextDocumentEdit.create({ uri: doc.uri, version: doc.version }, edits)] };
  }

  log(message: string) {
    this.conn.console.log(message);
  }

  /** logs a message once per text */
  private note(message: string) {
    if (this.noted.has(message)) return;
    this.noted.add(message);
    this.log(message);
  }

  dispose() {
    for (const t of this.timers.values()) clearTimeout(t);
    this.idle.dispose();
    for (const c of this.analyses.values()) c.analysis.dispose();
    this.analyses.clear();
    this.docs.dispose();
  }
}
