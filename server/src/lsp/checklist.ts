// The porting checklist, server side: every workspace folder is scanned (workspace/scan.ts) with LSP work-done
// progress; each file's findings become occurrences with stable ids (workspace/occurrence.ts); open documents'
// live analyses override the scanned results of their files; watched file events re-analyze just those files;
// the shared state file (.framework-porter/state.json) gives the baseline and won't-port decisions. Snapshots,
// fixes, the report: checklistRequests.ts answers the protocol's requests over this model.
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Connection, Diagnostic } from 'vscode-languageserver/node';
import { ChecklistChangedNotification, type ChecklistSnapshot, type TodoItem } from '../../../protocol';
import { analyze, type Analysis } from '../analysis/engine';
import { LineMap } from '../analysis/lineMap';
import { effectiveOrm, type PortMarker } from '../analysis/types';
import type { Tree } from '../parsing/python';
import { readText } from '../workspace/files';
import { occurrenceIds } from '../workspace/occurrence';
import { buildSnapshot, computeProgress, type LiveOccurrence, type ProgressResult } from '../workspace/progress';
import { forgetFolderListings, KEEP_WORKERS_MS, scanWorkspace, WRITE_CACHE_AFTER_MS, type PlainFinding } from '../workspace/scan';
import { sha1 } from '../workspace/cache';
import { readState, renameIds, STATE_DIR, STATE_FILE, writeState, type PortState } from '../workspace/state';
import { fsPathOf, type Folder } from './folders';
import { quietly, type Current, type PortService, type ServiceListener } from './service';
import type { ResourceSettings } from './settings';

export const NOTIFY_DEBOUNCE_MS = 150;
const PROGRESS_EVERY_MS = 100;
/** more changed files than this at once (a branch switch) → one rescan of the folder instead */
const RESCAN_ABOVE = 40;

/** One file's occurrences (scanned from disk, or from an open document's live analysis). */
export interface FileEntry {
  rel: string;
  uri: string;
  occurrences: LiveOccurrence[];
  /** the findings, aligned with `occurrences` */
  findings: PlainFinding[];
  todos: TodoItem[];
  /** diagnostics of the file as if it were closed (published with diagnostics.scope = workspace) */
  diagnostics: Diagnostic[];
}

export interface FolderModel {
  uri: string;
  root: string;
  name: string;
  /** results from disk, by relative path (files with findings or TODOs only) */
  files: Map<string, FileEntry>;
  /** every file the scan selected (for rename matching) */
  allFiles: Set<string>;
  /** open documents' live results, by relative path */
  live: Map<string, FileEntry>;
  scanning: boolean;
  scanned: boolean;
  filesScanned: number;
  abort?: AbortController;
  scan?: Promise<void>;
  state?: PortState;
  stateRaw: string;
  lastSeen: Map<string, LiveOccurrence>;
  /** closed files' uris with published diagnostics */
  published: Set<string>;
  rs?: ResourceSettings;
  lastProgress?: ProgressResult;
}

export interface ChecklistOptions {
  /** initializationOptions.storagePath: where the scan cache goes (outside the workspace) */
  storagePath?: string;
  threads?: number;
}

const sameSettings = (a?: ResourceSettings, b?: ResourceSettings) => !!a && !!b && JSON.stringify([a.settings, a.selection]) === JSON.stringify([b.settings, b.selection]);

export class Checklist implements ServiceListener {
  readonly folders = new Map<string, FolderModel>();
  readonly cacheDir: string;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private parser: ReturnType<PortService['opts']['grammar']['newParser']> | undefined;
  private started = false;

  constructor(
    readonly conn: Connection,
    readonly svc: PortService,
    readonly opts: ChecklistOptions = {},
  ) {
    this.cacheDir = opts.storagePath ? path.join(opts.storagePath, 'scan-cache') : path.join(os.tmpdir(), 'framework-porter-cache');
    svc.listeners.push(this);
  }

  /** At `initialized`: scan every folder the service knows. */
  start() {
    this.started = true;
    for (const f of this.svc.folders.list()) this.ensure(f.uri);
    for (const m of this.folders.values()) void this.rescan(m);
  }

  // ——— folders ———

  private ensure(uri: string): FolderModel | undefined {
    let m = this.folders.get(uri);
    if (m) return m;
    const root = fsPathOf(uri);
    if (!root) return undefined;
    m = { uri, root, name: path.basename(root), files: new Map(), allFiles: new Set(), live: new Map(), scanning: false, scanned: false, filesScanned: 0, stateRaw: '', lastSeen: new Map(), published: new Set() };
    this.folders.set(uri, m);
    this.loadState(m);
    return m;
  }

  folderAdded(uri: string) {
    if (!this.started) return;
    const m = this.ensure(uri);
    if (m) void this.rescan(m);
  }

  folderRemoved(uri: string) {
    const m = this.folders.get(uri);
    if (!m) return;
    m.abort?.abort();
    for (const u of m.published) this.conn.sendDiagnostics({ uri: u, diagnostics: [] });
    this.folders.delete(uri);
  }

  /** The folder model holding a file uri (the innermost folder), with the file's relative path. */
  locate(uri: string): { m: FolderModel; rel: string } | undefined {
    const loc = this.svc.folders.locate(uri);
    if (!loc) return undefined;
    const m = this.folders.get(loc.folder.uri);
    return m ? { m, rel: loc.rel } : undefined;
  }

  indexFolder(m: FolderModel): Folder | undefined {
    return this.svc.folders.list().find((f) => f.uri === m.uri);
  }

  /** Folders asked about: one by uri, or all. */
  pick(folderUri?: string): FolderModel[] {
    if (!folderUri) return [...this.folders.values()];
    const m = this.folders.get(folderUri) ?? this.folders.get(folderUri.replace(/\/+$/, ''));
    return m ? [m] : [];
  }

  // ——— scanning ———

  /** Scans a folder (cancelling a scan already running), with work-done progress the user can cancel. */
  rescan(m: FolderModel): Promise<void> {
    m.abort?.abort();
    const ac = new AbortController();
    m.abort = ac;
    const run = this.runScan(m, ac).catch((e) => this.svc.log(`Framework Porter: scanning ${m.root} failed: ${(e as Error).stack ?? e}`));
    m.scan = run;
    return run;
  }

  private async runScan(m: FolderModel, ac: AbortController) {
    m.scanning = true;
    this.notify(m);
    const rs = await this.svc.settingsFor(m.uri);
    m.rs = rs;
    let reporter: Awaited<ReturnType<Connection['window']['createWorkDoneProgress']>> | undefined;
    try {
      reporter = await this.conn.window.createWorkDoneProgress();
    } catch {
      reporter = undefined; // the client refused a progress token: scan without one
    }
    reporter?.begin(`Framework Porter: scanning ${m.name}`, 0, 'Scanning', true);
    reporter?.token.onCancellationRequested(() => ac.abort());
    let last = 0;
    const started = Date.now();
    try {
      const r = await scanWorkspace(m.root, {
        settings: rs.settings,
        selection: rs.selection,
        cacheDir: this.cacheDir,
        threads: this.opts.threads,
        // (rescans reuse the workers the first scan started, their code optimized by then)
        keepWorkersMs: KEEP_WORKERS_MS,
        writeCacheAfterMs: WRITE_CACHE_AFTER_MS,
        signal: ac.signal,
        onProgress: (done, total) => {
          const now = Date.now();
          if (now - last < PROGRESS_EVERY_MS && done < total) return;
          last = now;
          reporter?.report(total ? Math.floor((100 * done) / total) : 100, `Scanning ${thousands(done)}/${thousands(total)} files`);
        },
      });
      if (m.abort !== ac) return; // superseded by a newer scan
      const files = new Map<string, FileEntry>(r.cancelled ? m.files : []);
      let n = 0;
      for (const f of r.files) {
        if (!f.findings.length && !f.markers.some((x) => x.kind === 'todo')) {
          files.delete(f.rel);
          continue;
        }
        const e = this.entryFromScan(m, f.rel, f.hash, f.findings, f.markers, rs);
        if (e) files.set(f.rel, e);
        else files.delete(f.rel);
        if (++n % 20 === 0) await new Promise<void>((res) => setImmediate(res));
        if (m.abort !== ac) return;
      }
      m.files = files;
      if (!r.cancelled) m.allFiles = new Set(r.files.map((f) => f.rel));
      else for (const f of r.files) m.allFiles.add(f.rel);
      m.filesScanned = r.cancelled ? Math.max(m.filesScanned, r.files.length) : r.files.length;
      m.scanned = true;
      for (const s of r.skipped) this.svc.log(`Skipped ${s.file} in ${m.root}: ${s.reason}.`);
      this.svc.log(
        r.cancelled
          ? `Framework Porter: the scan of ${m.root} was cancelled after ${r.files.length} file(s).`
          : `Framework Porter: scanned ${r.files.length} file(s) of ${m.root} in ${Date.now() - started} ms (${r.stats.analysisCacheHits} from the cache).`,
      );
    } finally {
      reporter?.done();
      if (m.abort === ac) {
        m.scanning = false;
        m.abort = undefined;
        this.publishClosed(m);
        this.notify(m);
      }
    }
  }

  /** A scanned file's entry: its text is read again (and parsed) for the occurrence ids. */
  private entryFromScan(m: FolderModel, rel: string, hash: string, findings: PlainFinding[], markers: PortMarker[], rs: ResourceSettings): FileEntry | undefined {
    const r = readText(path.join(m.root, rel));
    if ('reason' in r) return undefined;
    if (sha1(r.text) !== hash) return this.analyzeText(m, rel, r.text, rs); // changed since the scan read it
    return this.entryOf(m, rel, r.text, undefined, findings, markers);
  }

  /** Analyzes a file's text with the folder's index (not open: no document tree). */
  analyzeText(m: FolderModel, rel: string, text: string, rs: ResourceSettings): FileEntry {
    const a = this.analysisOf(m, rel, text, rs);
    try {
      return this.entryOf(m, rel, text, a.tree, a.findings, a.markers);
    } finally {
      a.dispose();
    }
  }

  analysisOf(m: FolderModel, rel: string, text: string, rs: ResourceSettings): Analysis {
    return analyze(this.svc.opts.grammar, text, { settings: rs.settings, path: rel, index: this.indexFolder(m)?.index }, this.svc.opts.rules);
  }

  entryOf(
    m: FolderModel,
    rel: string,
    text: string,
    tree: Tree | undefined | null,
    findings: readonly PlainFinding[],
    markers: readonly PortMarker[],
    /** an open document's live analysis: fixable/safe are read when first asked for (a fix plan each), while the
     * analysis is current; after that only the values it already knew (the next analysis replaces the entry) */
    lazy?: { alive: () => boolean; known: (i: number) => { fixable: boolean; safe: boolean } | undefined },
  ): FileEntry {
    const uri = pathToFileURL(path.join(m.root, rel)).href;
    let own: Tree | null = null;
    if (!tree && findings.length) {
      this.parser ??= this.svc.opts.grammar.newParser();
      own = this.parser.parse(text);
    }
    try {
      const root = (tree ?? own)?.rootNode;
      const fixOf = findings.map((f, i) => {
        if (!lazy) {
          const v = { fixable: f.fixable, safe: f.safe };
          return () => v;
        }
        let v: { fixable: boolean; safe: boolean } | undefined;
        return () => (v ??= lazy.alive() ? { fixable: f.fixable, safe: f.safe } : lazy.known(i) ?? { fixable: false, safe: false });
      });
      const withFix = <T extends object>(o: T, i: number): T & { fixable: boolean; safe: boolean } =>
        Object.defineProperties(o, {
          fixable: { get: () => fixOf[i]().fixable, enumerable: true },
          safe: { get: () => fixOf[i]().safe, enumerable: true },
        }) as T & { fixable: boolean; safe: boolean };
      const plain = findings.map((f, i) => withFix({ rule: f.rule, from: f.from, category: f.category, message: f.message, severity: f.severity, start: f.start, end: f.end, range: f.range, target: f.target }, i));
      const ids = occurrenceIds(rel, text, root, plain);
      const lines = new LineMap(text);
      const occurrences: LiveOccurrence[] = plain.map((f, i) =>
        withFix(
          {
            id: ids[i],
            rule: f.rule,
            file: rel,
            uri,
            range: f.range,
            message: f.message,
            scope: ids[i].split('|').slice(-3)[0],
          },
          i,
        ),
      );
      const todos: TodoItem[] = markers.filter((x) => x.kind === 'todo').map((x) => ({ file: rel, uri, line: x.line, text: x.text.trim(), ...(x.rule ? { rule: x.rule } : {}) }));
      return { rel, uri, occurrences, findings: plain, todos, diagnostics: this.svc.diagnosticsOf(plain, markers, lines, 0) };
    } finally {
      own?.delete();
    }
  }

  // ——— events from the service ———

  analyzed(uri: string, cur: Current) {
    const loc = this.locate(uri);
    if (!loc) return;
    const { m, rel } = loc;
    if (!cur.analysis) m.live.set(rel, { rel, uri, occurrences: [], findings: [], todos: [], diagnostics: [] });
    else {
      const { doc, analysis } = cur;
      const alive = () => doc.tree === analysis.tree && this.svc.docs.get(uri) === doc;
      m.live.set(rel, this.entryOf(m, rel, doc.text, analysis.tree, analysis.findings, analysis.markers, { alive, known: (i) => analysis.knownFix(i) }));
    }
    m.published.delete(uri); // the open document's own diagnostics replaced them
    this.notify(m);
  }

  closed(uri: string) {
    const loc = this.locate(uri);
    if (!loc) return;
    loc.m.live.delete(loc.rel);
    this.refreshFile(loc.m, loc.rel, false);
  }

  fileChanged(uri: string, deleted: boolean) {
    const loc = this.locate(uri);
    if (!loc) return;
    const { m, rel } = loc;
    if (rel === `${STATE_DIR}/${STATE_FILE}`) {
      if (this.loadState(m)) this.notify(m);
      return;
    }
    if (!/\.pyi?$/.test(rel) || this.svc.docs.get(uri)) return;
    this.pendingChanges.set(uri, deleted);
    if (!this.changeTimer) {
      this.changeTimer = setTimeout(() => this.flushChanges(), 30);
    }
  }

  private readonly pendingChanges = new Map<string, boolean>();
  private changeTimer: NodeJS.Timeout | undefined;

  private flushChanges() {
    this.changeTimer = undefined;
    const changes = [...this.pendingChanges];
    this.pendingChanges.clear();
    const byFolder = new Map<FolderModel, [string, boolean][]>();
    for (const [uri, deleted] of changes) {
      const loc = this.locate(uri);
      if (!loc) continue;
      const list = byFolder.get(loc.m) ?? [];
      list.push([loc.rel, deleted]);
      byFolder.set(loc.m, list);
    }
    for (const [m, list] of byFolder) {
      if (list.length > RESCAN_ABOVE || m.scanning) {
        forgetFolderListings(m.root);
        void this.rescan(m);
        continue;
      }
      for (const [rel, deleted] of list) this.refreshFile(m, rel, deleted);
    }
  }

  /** Re-analyzes one closed file from disk (or drops it). */
  private refreshFile(m: FolderModel, rel: string, deleted: boolean) {
    const rs = m.rs;
    const uri = pathToFileURL(path.join(m.root, rel)).href;
    const selected = rs ? this.svc.folders.selects(rs.selection, rel) : true;
    const r = deleted || !selected ? undefined : readText(path.join(m.root, rel));
    if (!r || 'reason' in r || !rs || r.text.length > rs.selection.maxFileSize) {
      m.files.delete(rel);
      if (!r || 'reason' in r) m.allFiles.delete(rel);
    } else {
      m.allFiles.add(rel);
      const e = this.analyzeText(m, rel, r.text, rs);
      if (e.occurrences.length || e.todos.length) m.files.set(rel, e);
      else m.files.delete(rel);
    }
    this.publishFile(m, rel, uri);
    this.notify(m);
  }

  async configurationChanged() {
    for (const m of this.folders.values()) {
      const rs = await this.svc.settingsFor(m.uri);
      const before = m.rs;
      if (!sameSettings(before, rs)) {
        m.rs = rs;
        void this.rescan(m);
      } else {
        m.rs = rs;
        this.publishClosed(m);
      }
    }
  }

  // ——— diagnostics of closed files ———

  private publishFile(m: FolderModel, rel: string, uri: string) {
    if (this.svc.docs.get(uri)) return;
    const e = m.files.get(rel);
    if (m.rs?.diagnosticsScope === 'workspace' && e?.diagnostics.length) {
      this.conn.sendDiagnostics({ uri, diagnostics: e.diagnostics });
      m.published.add(uri);
    } else if (m.published.has(uri)) {
      this.conn.sendDiagnostics({ uri, diagnostics: [] });
      m.published.delete(uri);
    }
  }

  /** Publishes (scope workspace) or clears (scope openFiles) the diagnostics of every closed file of a folder. */
  publishClosed(m: FolderModel) {
    const wanted = new Set<string>();
    if (m.rs?.diagnosticsScope === 'workspace') {
      for (const e of m.files.values()) {
        if (this.svc.docs.get(e.uri) || !e.diagnostics.length) continue;
        wanted.add(e.uri);
        this.conn.sendDiagnostics({ uri: e.uri, diagnostics: e.diagnostics });
      }
    }
    for (const uri of m.published) if (!wanted.has(uri) && !this.svc.docs.get(uri)) this.conn.sendDiagnostics({ uri, diagnostics: [] });
    m.published = wanted;
  }

  // ——— state ———

  /** (Re)reads the state file; true when it changed. */
  loadState(m: FolderModel): boolean {
    const r = readState(m.root);
    if (r.problem) {
      this.svc.log(r.problem);
      quietly(this.conn.window.showWarningMessage(r.problem));
    }
    if (r.raw === m.stateRaw && !r.problem) return false;
    m.state = r.state;
    m.stateRaw = r.raw;
    return true;
  }

  /** Changes the state file: `mutate` gets a copy of the current state (renamed files' ids already applied). */
  updateState(m: FolderModel, mutate: (s: PortState) => PortState) {
    this.loadState(m);
    const base = m.state;
    const target = m.rs?.settings.target ?? 'django';
    let cur: PortState = base ? { ...base, baseline: [...base.baseline], wontPort: { ...base.wontPort } } : { version: 1, target, baseline: [], wontPort: {} };
    const renamed = m.lastProgress ? renameIds(cur, m.lastProgress.renames) : undefined;
    if (renamed) cur = renamed;
    const written = writeState(m.root, mutate(cur), base, m.stateRaw);
    m.state = written.state;
    m.stateRaw = written.raw;
    this.notify(m);
  }

  // ——— snapshots ———

  /** The current occurrences of a folder: open documents' live results over the scanned ones. */
  entries(m: FolderModel): FileEntry[] {
    const out = new Map(m.files);
    for (const [rel, e] of m.live) out.set(rel, e);
    return [...out.values()].sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  }

  snapshot(m: FolderModel): ChecklistSnapshot {
    const entries = this.entries(m);
    const current = entries.flatMap((e) => e.occurrences);
    for (const o of current) m.lastSeen.set(o.id, o);
    const rules = this.svc.rules;
    const hasBaseline = !!m.state && m.state.baseline.length > 0;
    const progress = computeProgress({
      baseline: hasBaseline ? m.state!.baseline : undefined,
      current,
      wontPort: m.state?.wontPort ?? {},
      rule: (id) => rules.get(id),
      lastSeen: (id) => m.lastSeen.get(id),
      uriOf: (file) => pathToFileURL(path.join(m.root, file)).href,
      currentFiles: new Set([...m.allFiles, ...m.live.keys()]),
    });
    m.lastProgress = progress;
    const settings = m.rs?.settings;
    return buildSnapshot({
      folderUri: m.uri,
      folderName: m.name,
      target: settings?.target ?? 'django',
      ormTarget: settings ? effectiveOrm(settings) : 'django-orm',
      hasBaseline,
      scanning: m.scanning,
      filesScanned: m.filesScanned,
      todos: entries.flatMap((e) => e.todos),
      progress,
    });
  }

  /** Tells the client (debounced) that a folder's checklist changed. */
  notify(m: FolderModel) {
    clearTimeout(this.timers.get(m.uri));
    this.timers.set(
      m.uri,
      setTimeout(() => {
        this.timers.delete(m.uri);
        void Promise.resolve(this.conn.sendNotification(ChecklistChangedNotification.method, { folderUri: m.uri })).catch(() => undefined);
      }, NOTIFY_DEBOUNCE_MS),
    );
  }

  /** Waits for a running scan of the folder. */
  async settled(m: FolderModel): Promise<void> {
    while (m.scan && m.scanning) await m.scan;
    if (!m.rs) m.rs = await this.svc.settingsFor(m.uri);
  }

  dispose() {
    for (const t of this.timers.values()) clearTimeout(t);
    clearTimeout(this.changeTimer);
    for (const m of this.folders.values()) m.abort?.abort();
    this.parser?.delete();
  }
}

/**
 * 1,234,567: digits grouped as toLocaleString('en-US') groups them, without it (its first call maps ≈ 5 MB of the
 * node binary's ICU data into the server, for good).
 */
export function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
