// Which files of a folder are analyzed: include/exclude globs (relative to the folder), .gitignore, size limit.
import * as fs from 'node:fs';
import * as path from 'node:path';
import fg from 'fast-glob';
import ignore from 'ignore';

export interface FileSelection {
  include: string[];
  exclude: string[];
  maxFileSize: number;
}

export const DEFAULT_SELECTION: FileSelection = {
  include: ['**/*.py'],
  exclude: ['**/.venv/**', '**/venv/**', '**/node_modules/**', '**/site-packages/**', '**/migrations/**', '**/.git/**'],
  maxFileSize: 2_000_000,
};

export interface Skipped {
  file: string;
  reason: string;
}

/** Python files under root, as '/'-separated paths relative to root, sorted. */
export async function listFiles(root: string, sel: FileSelection = DEFAULT_SELECTION): Promise<{ files: string[]; skipped: Skipped[] }> {
  const ig = ignore();
  const gi = path.join(root, '.gitignore');
  if (fs.existsSync(gi)) ig.add(fs.readFileSync(gi, 'utf8'));
  const entries = await fg(sel.include, {
    cwd: root,
    ignore: sel.exclude,
    dot: false,
    onlyFiles: true,
    followSymbolicLinks: false,
    suppressErrors: true,
    stats: true,
  });
  const files: string[] = [];
  const skipped: Skipped[] = [];
  for (const e of entries) {
    if (ig.ignores(e.path)) continue;
    const size = e.stats?.size ?? 0;
    if (size > sel.maxFileSize) {
      skipped.push({ file: e.path, reason: `larger than maxFileSize (${size} > ${sel.maxFileSize} bytes)` });
      continue;
    }
    files.push(e.path);
  }
  files.sort();
  return { files, skipped };
}

/** Reads a file as UTF-8 text, or says why it cannot be analyzed (binary, not UTF-8). */
export function readText(abs: string): { text: string } | { reason: string } {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(abs);
  } catch (e) {
    return { reason: `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
  }
  if (buf.includes(0)) return { reason: 'binary file (NUL bytes)' };
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
    return { text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text };
  } catch {
    return { reason: 'not UTF-8 text' };
  }
}
