// Workspace folders and their ModuleIndex: every Python file of a folder is listed in the background and summarized
// when a lookup first needs it (so `from .models import User` resolves in an open file), and entries are refreshed as
// files change.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import picomatch from 'picomatch';
import { parseRefusal, type PythonGrammar, type Tree } from '../parsing/python';
import { Bindings } from '../analysis/bindings';
import { ModuleIndex, moduleNameFor, summarize } from '../analysis/moduleIndex';
import { DEFAULT_SELECTION, listFiles, readText, type FileSelection } from '../workspace/files';

export interface Folder {
  uri: string;
  root: string;
  index: ModuleIndex;
  selection: FileSelection;
  /** bumped whenever an entry of the index changes: analyses made with an older epoch are stale */
  epoch: number;
  indexing?: Promise<void>;
  generation: number;
  /** the last summary (as JSON) written for each module by update() */
  keys: Map<string, string>;
}

/** The file system path of a file: URI, or undefined for other schemes. */
export function fsPathOf(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

export function toRel(root: string, abs: string): string {
  return path.relative(root, abs).split(path.sep).join('/');
}

export class Folders {
  private folders: Folder[] = [];

  constructor(private readonly grammar: PythonGrammar) {}

  list(): readonly Folder[] {
    return this.folders;
  }

  add(uri: string): Folder | undefined {
    const root = fsPathOf(uri);
    if (!root || this.folders.some((f) => f.uri === uri)) return undefined;
    const f: Folder = { uri, root, index: new ModuleIndex(), selection: DEFAULT_SELECTION, epoch: 0, generation: 0, keys: new Map() };
    this.folders.push(f);
    // the innermost folder first, so folderOf finds it
    this.folders.sort((a, b) => b.root.length - a.root.length);
    return f;
  }

  remove(uri: string) {
    const f = this.folders.find((x) => x.uri === uri);
    if (f) f.generation++; // cancels its indexing
    this.folders = this.folders.filter((x) => x.uri !== uri);
  }

  /** The folder holding a document, with the document's path relative to it ('/'-separated). */
  locate(uri: string): { folder: Folder; rel: string } | undefined {
    const abs = fsPathOf(uri);
    if (!abs) return undefined;
    for (const folder of this.folders) {
      const rel = toRel(folder.root, abs);
      if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) return { folder, rel };
    }
    return undefined;
  }

  private readonly matchers = new Map<string, (rel: string) => boolean>();

  /** Whether include/exclude select a path relative to its folder. */
  selects(sel: FileSelection, rel: string): boolean {
    const key = JSON.stringify([sel.include, sel.exclude]);
    let m = this.matchers.get(key);
    if (!m) {
      const include = picomatch(sel.include.length ? sel.include : ['**/*.py'], { dot: true });
      const exclude = sel.exclude.length ? picomatch(sel.exclude, { dot: true }) : () => false;
      m = (rel: string) => include(rel) && !exclude(rel);
      if (this.matchers.size > 50) this.matchers.clear();
      this.matchers.set(key, m);
    }
    return m(rel);
  }

  /**
   * (Re)indexes a folder in the background with this selection: its files are listed, and each one's summary is made
   * when a lookup first needs it (ModuleIndex.setLazy) from the open document's text, else the file's. Parsing every
   * file of the folder up front cost the server 1.3 s of CPU at its start on the benchmark's 1,700 files, beside its
   * workspace scan, when an open file reads the summaries of the few modules its imports reach. Resolves when done or
   * superseded.
   */
  reindex(folder: Folder, selection: FileSelection, openText: (rel: string) => { text: string; tree?: Tree | null } | undefined, log: (msg: string) => void): Promise<void> {
    folder.selection = selection;
    const gen = ++folder.generation;
    const run = async () => {
      const started = Date.now();
      const listed = await listFiles(folder.root, selection);
      if (folder.generation !== gen) return;
      const index = new ModuleIndex();
      for (const rel of listed.files) {
        index.setLazy(moduleNameFor(rel).name, () => {
          // (made inside some document's analysis: a file that cannot be summarized is a module nothing is known of)
          try {
            const open = openText(rel);
            if (open) return this.summaryOf(rel, open.text, open.tree);
            const r = readText(path.join(folder.root, rel));
            return 'reason' in r ? {} : this.summaryOf(rel, r.text);
          } catch (e) {
            log(`Could not summarize ${rel} in ${folder.root} for its index: ${(e as Error).message}`);
            return {};
          }
        });
      }
      folder.index = index;
      folder.keys.clear();
      folder.epoch++;
      for (const s of listed.skipped) log(`Skipped ${s.file} in ${folder.root}: ${s.reason}.`);
      log(`Listed ${listed.files.length} Python file(s) of ${folder.root} for its index in ${Date.now() - started} ms (each summarized when first looked up).`);
    };
    const p = run();
    folder.indexing = p;
    return p;
  }

  /** One file's index entry as the ModuleIndex stores it. */
  summaryOf(rel: string, text: string, tree?: Tree | null) {
    const mod = moduleNameFor(rel);
    let own: Tree | null = null;
    let parser: ReturnType<PythonGrammar['newParser']> | undefined;
    if (!tree) {
      if (parseRefusal(text)) return {}; // (text that would break the wasm parser: nothing known of it)
      parser = this.grammar.newParser();
      own = parser.parse(text);
    }
    try {
      const t = tree ?? own;
      if (!t) return {};
      return summarize(new Bindings(t, text, mod.name, undefined, mod.isPackage));
    } finally {
      own?.delete();
      parser?.delete();
    }
  }

  /** Updates one file's entry; true when what it exports changed (other files may resolve differently). */
  update(folder: Folder, rel: string, text: string | undefined, tree?: Tree | null): boolean {
    const name = moduleNameFor(rel).name;
    const next = text === undefined ? {} : this.summaryOf(rel, text, tree);
    const key = JSON.stringify(next);
    if (folder.keys.get(name) === key) return false;
    folder.keys.set(name, key);
    folder.index.set(name, next);
    folder.epoch++;
    return true;
  }
}
