// Reading one listed file for a scan: its bytes (with its size and mtime when the listing had no stat), its textual
// facts, its SHA-1 and, when a later phase will read it for sure, its text. Plain data: a kept worker reads part of
// a cold scan's files (step 57 of docs/performance.md) and this thread the rest, with the same function.
import type { PortMarker } from '../analysis/types';
import { sha1 } from './cache';
import { factsOfBytes } from './byteFacts';
import { readBytes, readBytesWithStat } from './files';
import { importsViewMarker, topModule, type ImportItem } from './prefilter';

export interface ReadFacts {
  size: number;
  mtimeMs: number;
  /** larger than the selection's maxFileSize: skipped and not remembered (the limit is a setting) */
  tooLarge?: string;
  /** why it cannot be analyzed (unreadable, binary, not UTF-8) */
  reason?: string;
  /** SHA-1 of the text; absent when no later step of the scan reads it (readFacts) */
  hash?: string;
  imports?: string[];
  items?: ImportItem[];
  markers?: PortMarker[];
  text?: string;
}

export interface ReadOptions {
  /** size and mtime from the listing; without, they come from the open file (and the size limit is checked here) */
  stat?: { size: number; mtimeMs: number };
  maxFileSize: number;
  /**
   * The module roots that make a file relevant (prefilter.ts FilterPlan.roots): only the texts of files importing
   * one, or a view marker, are kept (the others would be copied by every scavenge until promoted, and relevance by
   * name needs the text of ≈ 1 % of the files, read again). null: every text (no prefilter).
   */
  roots: readonly string[] | null;
  /** hash it whatever it holds: the cache's entry for the file has a hash to compare (its summary, its analysis) */
  hash?: boolean;
}

function keepsText(imports: readonly string[], roots: ReadOptions['roots']): boolean {
  if (!roots) return true;
  return imports.some((m) => roots.includes(topModule(m))) || importsViewMarker(imports);
}

export function readFacts(abs: string, rel: string, opts: ReadOptions): ReadFacts {
  let st = opts.stat;
  let r: { buf: Buffer } | { reason: string };
  if (st) r = readBytes(abs);
  else {
    const sr = readBytesWithStat(abs, opts.maxFileSize);
    if ('tooLarge' in sr) return { size: sr.size, mtimeMs: sr.mtimeMs, tooLarge: sr.reason };
    r = sr;
    st = { size: sr.size, mtimeMs: sr.mtimeMs };
  }
  // (from the bytes: the whole text is decoded only where it is needed, byteFacts.ts)
  const f = 'reason' in r ? r : factsOfBytes(r.buf, rel);
  if ('reason' in f) return { size: st.size, mtimeMs: st.mtimeMs, reason: f.reason };
  const out: ReadFacts = { size: st.size, mtimeMs: st.mtimeMs, imports: f.imports, items: f.items, markers: f.markers };
  const keep = keepsText(f.imports, opts.roots);
  if (keep) out.text = f.text ?? f.bytes.toString('utf8');
  // hashed (its UTF-8: no encoding) when a later step reads the hash: the analysis key of a file the prefilter keeps,
  // the checklist's check of a file with a marker; most files are neither (the scan hashes a file made relevant by
  // name when it reads it again)
  if (keep || f.markers.length || opts.hash) out.hash = sha1(f.bytes);
  return out;
}
