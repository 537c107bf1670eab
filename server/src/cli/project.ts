// What the CLI analyzes: a directory (every selected .py file under it) or one .py file, read byte-exactly so that
// `fix` can keep a BOM and notice a file that changed on disk. The ModuleIndex covers every readable file first.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PythonGrammar } from '../parsing/python';
import { ModuleIndex } from '../analysis/moduleIndex';
import { indexFile } from '../workspace/project';
import { cannotRead, listFiles, DEFAULT_SELECTION, tooLarge, type FileSelection, type Skipped } from '../workspace/files';

export class UsageError extends Error {}

export interface CliFile {
  /** '/'-separated, relative to the root directory */
  rel: string;
  abs: string;
  text: string;
  /** the exact bytes the text was decoded from */
  raw: Buffer;
  bom: boolean;
}

export interface CliProject {
  /** the absolute PATH given on the command line (a directory or a file) */
  root: string;
  /** the directory file paths are relative to: root itself, or the directory of a single file */
  baseDir: string;
  single: boolean;
  files: CliFile[];
  skipped: Skipped[];
  index: ModuleIndex;
}

/** Decodes file bytes like workspace/files.ts readText: no NUL bytes, strict UTF-8, BOM dropped. */
export function decode(buf: Buffer): { text: string; bom: boolean } | { reason: string } {
  if (buf.includes(0)) return { reason: 'binary file (NUL bytes)' };
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(buf);
    const bom = text.charCodeAt(0) === 0xfeff;
    return { text: bom ? text.slice(1) : text, bom };
  } catch {
    return { reason: 'not UTF-8 text' };
  }
}

export interface LoadOptions {
  include?: string[];
  exclude?: string[];
  maxFileSize?: number;
  /** called for each file that cannot be read or indexed */
  onSkip?: (s: Skipped) => void;
}

export async function loadCliProject(grammar: PythonGrammar, pathArg: string, opts: LoadOptions = {}): Promise<CliProject> {
  const root = path.resolve(pathArg);
  let st: fs.Stats;
  try {
    st = fs.statSync(root);
  } catch {
    throw new UsageError(`path not found: ${pathArg}`);
  }
  const sel: FileSelection = {
    include: opts.include?.length ? opts.include : DEFAULT_SELECTION.include,
    exclude: [...DEFAULT_SELECTION.exclude, ...(opts.exclude ?? [])],
    maxFileSize: opts.maxFileSize ?? DEFAULT_SELECTION.maxFileSize,
  };
  let baseDir: string;
  let rels: string[];
  const skipped: Skipped[] = [];
  const single = st.isFile();
  if (single) {
    if (!/\.pyi?$/.test(root)) throw new UsageError(`not a Python file: ${pathArg}`);
    baseDir = path.dirname(root);
    const rel = path.basename(root);
    if (st.size > sel.maxFileSize) {
      skipped.push({ file: rel, reason: tooLarge(st.size, sel.maxFileSize) });
      rels = [];
    } else rels = [rel];
  } else if (st.isDirectory()) {
    baseDir = root;
    const listed = await listFiles(root, sel);
    rels = listed.files;
    skipped.push(...listed.skipped);
  } else {
    throw new UsageError(`not a file or directory: ${pathArg}`);
  }
  for (const s of skipped) opts.onSkip?.(s);

  const files: CliFile[] = [];
  const index = new ModuleIndex();
  for (const rel of rels) {
    const abs = path.join(baseDir, rel);
    const skip = (reason: string) => {
      const s = { file: rel, reason };
      skipped.push(s);
      opts.onSkip?.(s);
    };
    let raw: Buffer;
    try {
      raw = fs.readFileSync(abs);
    } catch (e) {
      skip(cannotRead(e));
      continue;
    }
    if (raw.length > sel.maxFileSize) {
      skip(tooLarge(raw.length, sel.maxFileSize));
      continue;
    }
    const d = decode(raw);
    if ('reason' in d) {
      skip(d.reason);
      continue;
    }
    try {
      indexFile(grammar, index, rel, d.text);
    } catch (e) {
      skip(`cannot parse: ${oneLine(e)}`);
      continue;
    }
    files.push({ rel, abs, text: d.text, raw, bom: d.bom });
  }
  files.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  return { root, baseDir, single, files, skipped, index };
}

/** An error as one line of text. */
export function oneLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.replace(/\s*\n\s*/g, ' ').trim() || 'unknown error';
}
