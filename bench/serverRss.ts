// The benchmark's peak RSS: the language server itself (the bundle bench.mjs builds beside run.js), started over
// stdio as an editor starts it, with the corpus as its one workspace folder and an empty storage directory (so its
// first scan is cold). When the scan's work-done progress has ended and its cache is written, the server process's
// high-water mark is read (VmHWM of /proc/<pid>/status: Linux only).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver/node';

export interface ServerRss {
  /** peak RSS of the server process once its first scan ended and its cache was written */
  peakMb: number;
  /** from `initialized` to the end of the scan's progress */
  scanMs: number;
  /** the checklist's occurrences after the scan (the scan's findings, as the server keeps them) */
  occurrences: number;
}

export async function serverPeakRss(serverJs: string, root: string, nodeFlags: string[], timeoutMs = 120_000): Promise<ServerRss> {
  const storage = fs.mkdtempSync(path.join(os.tmpdir(), 'fp-bench-server-'));
  const child = spawn(process.execPath, [...nodeFlags, serverJs, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const conn = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  let scanEnded!: () => void;
  const ended = new Promise<void>((r) => (scanEnded = r));
  // an editor's side: default settings, progress tokens and registrations accepted, everything else ignored
  conn.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => ({})));
  conn.onRequest('window/workDoneProgress/create', () => null);
  conn.onRequest('client/registerCapability', () => null);
  conn.onNotification('$/progress', (p: { value: { kind: string } }) => {
    if (p.value.kind === 'end') scanEnded();
  });
  conn.onNotification(() => undefined);
  conn.listen();
  const timer = setTimeout(() => child.kill(), timeoutMs);
  try {
    const uri = pathToFileURL(root).href;
    await conn.sendRequest('initialize', {
      processId: process.pid,
      rootUri: uri,
      workspaceFolders: [{ uri, name: 'corpus' }],
      initializationOptions: { storagePath: storage },
      capabilities: { window: { workDoneProgress: true }, workspace: { configuration: true, workspaceFolders: true } },
    });
    const t = performance.now();
    await conn.sendNotification('initialized', {});
    await Promise.race([ended, new Promise((_, reject) => child.once('exit', () => reject(new Error('the server exited before its scan ended'))))]);
    const scanMs = performance.now() - t;
    const snap = (await conn.sendRequest('frameworkPorter/checklist', { folderUri: uri })) as { occurrences: unknown[] }[];
    // the peak once the scan's cache is written too (the server writes it WRITE_CACHE_AFTER_MS after the scan)
    const written = () => (fs.readdirSync(storage, { recursive: true }) as string[]).some((f) => /scan-[0-9a-f]+\.v8$/.test(f));
    for (const until = Date.now() + 30_000; !written() && Date.now() < until; ) await new Promise((r) => setTimeout(r, 50));
    if (!written()) throw new Error('the server wrote no scan cache after its scan');
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
    await conn.sendRequest('shutdown');
    await conn.sendNotification('exit');
    return { peakMb: m ? Number(m[1]) / 1024 : NaN, scanMs, occurrences: snap[0]?.occurrences.length ?? 0 };
  } finally {
    clearTimeout(timer);
    conn.dispose();
    child.kill();
    fs.rmSync(storage, { recursive: true, force: true });
  }
}
