// File writes for `fix`: atomic (temp file in the same directory, fsync, rename), mode kept, never outside the
// root, and never over a file that changed since it was read.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as crypto from 'node:crypto';

export type WriteOutcome = { ok: true } | { ok: false; reason: string };

/** The real path of `abs` if it lies inside the real path of `root`; else why not. */
export function realPathInside(root: string, abs: string): { real: string } | { reason: string } {
  let realRoot: string;
  let real: string;
  try {
    realRoot = fs.realpathSync(root);
    real = fs.realpathSync(abs);
  } catch (e) {
    return { reason: `cannot resolve: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
  }
  const rel = path.relative(realRoot, real);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return { reason: `refusing to write outside ${root} (a symlink leads to ${real})` };
  return { real };
}

/**
 * Replaces `target` (a real path) with `content` atomically, provided it still holds exactly `expected`.
 * The temp file gets the target's permission bits; a failure leaves the target untouched and no temp file behind.
 */
export function writeFileAtomic(target: string, expected: Buffer, content: Buffer): WriteOutcome {
  const dir = path.dirname(target);
  const tmp = path.join(dir, `.${path.basename(target)}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.fp-tmp`);
  let fd: number | undefined;
  let created = false;
  try {
    const st = fs.statSync(target);
    if (!st.isFile()) return { ok: false, reason: 'not a regular file' };
    const mode = st.mode & 0o7777;
    fd = fs.openSync(tmp, 'wx', mode & 0o777);
    created = true;
    let off = 0;
    while (off < content.length) off += fs.writeSync(fd, content, off, content.length - off);
    fs.fchmodSync(fd, mode);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    // the last moment before the rename: refuse if someone else wrote the file meanwhile
    const now = fs.readFileSync(target);
    if (!now.equals(expected)) {
      fs.unlinkSync(tmp);
      created = false;
      return { ok: false, reason: 'changed on disk since it was read; not written' };
    }
    fs.renameSync(tmp, target);
    created = false;
    try {
      const dfd = fs.openSync(dir, 'r');
      try {
        fs.fsyncSync(dfd);
      } finally {
        fs.closeSync(dfd);
      }
    } catch {
      // directories cannot be fsynced everywhere (Windows); the rename is done either way
    }
    return { ok: true };
  } catch (e) {
    return { ok: false, reason: `cannot write: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
  } finally {
    if (fd !== undefined) {
      try {
        fs.closeSync(fd);
      } catch {
        /* already closed */
      }
    }
    if (created) {
      try {
        fs.unlinkSync(tmp);
      } catch {
        /* gone */
      }
    }
  }
}
