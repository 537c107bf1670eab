// Child process of the benchmark: one cold scan (no cache), then its peak RSS (worker threads included).
import { scanWorkspace } from '../server/src/workspace/scan';
import { DEFAULT_SETTINGS } from '../server/src/analysis/types';

(async () => {
  const r = await scanWorkspace(process.argv[2], { settings: DEFAULT_SETTINGS });
  process.stdout.write(JSON.stringify({ maxRSSKb: process.resourceUsage().maxRSS, files: r.files.length, findings: r.files.reduce((s, f) => s + f.findings.length, 0) }) + '\n');
})();
