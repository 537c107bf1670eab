// Runner 2 (npm run test:e2e): the e2e suites inside a real VS Code here and in CI. Installs what is missing
// (prereqs.ts), packages the extension, installs the .vsix and the driver extension into a fresh code-server,
// opens Chromium on a temp copy of the fixture workspace, waits for the driver's mocha results, then checks with
// playwright-core what only the UI shows (squiggle, light bulb + quick-fix menu, hover, checklist view, status
// item), with screenshots in test-results/e2e/. Writes test-results/e2e/results.json; exits 1 on any failure.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM, ensureCodeServer, ensureSystemPackages, VSCODE_VERSION } from './prereqs';

const repo = path.resolve(__dirname, '..', '..');
const outDir = path.join(repo, 'test-results', 'e2e');
const SUITES_TIMEOUT_MS = Number(process.env.E2E_SUITES_TIMEOUT_MS ?? 5 * 60_000);

interface TestResult {
  name: string;
  ok: boolean;
  error?: string;
}

const results: TestResult[] = [];
const started = Date.now();
const log = (msg: string) => process.stdout.write(`[e2e ${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${msg}\n`);

function sh(cmd: string, args: string[], cwd = repo, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}\n${r.stdout?.slice(-4000)}\n${r.stderr?.slice(-4000)}`);
  return r.stdout;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function until<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs: number, everyMs = 250): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v as T;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The .vsix of the extension (npm run package) and of the driver extension (vsce on a temp copy). */
function packageExtensions(tmp: string): { vsix: string; driverVsix: string } {
  log('npm run package');
  sh('npm', ['run', 'package', '--silent']);
  const vsix = path.join(repo, 'framework-porter.vsix');
  if (!existsSync(vsix)) throw new Error('npm run package made no framework-porter.vsix');
  const driverSrc = path.join(tmp, 'driver');
  cpSync(path.join(__dirname, 'driver-extension'), driverSrc, { recursive: true });
  const driverVsix = path.join(tmp, 'driver.vsix');
  sh(path.join(repo, 'node_modules', '.bin', 'vsce'), ['package', '--no-dependencies', '--skip-license', '--allow-missing-repository', '--out', driverVsix], driverSrc);
  return { vsix, driverVsix };
}

async function main() {
  mkdirSync(outDir, { recursive: true });
  for (const f of ['results.json']) rmSync(path.join(outDir, f), { force: true });
  ensureSystemPackages();
  const codeServer = ensureCodeServer();

  const tmp = mkdtempSync(path.join(os.tmpdir(), 'fp-e2e-'));
  const extDir = path.join(tmp, 'extensions');
  const userDir = path.join(tmp, 'user-data');
  const workspace = path.join(tmp, 'fixture-workspace');
  const suiteResults = path.join(tmp, 'suite-results.json');
  cpSync(path.join(__dirname, 'fixture-workspace'), workspace, { recursive: true });
  mkdirSync(path.join(userDir, 'User'), { recursive: true });
  writeFileSync(
    path.join(userDir, 'User', 'settings.json'),
    JSON.stringify(
      {
        'security.workspace.trust.enabled': false,
        'telemetry.telemetryLevel': 'off',
        'update.mode': 'none',
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'workbench.welcomePage.walkthroughs.openOnInstall': false,
        'extensions.autoCheckUpdates': false,
        'extensions.autoUpdate': false,
        'chat.commandCenter.enabled': false,
        'window.commandCenter': false,
        'editor.minimap.enabled': false,
      },
      null,
      2,
    ),
  );

  const { vsix, driverVsix } = packageExtensions(tmp);
  log('building the suites');
  sh('node', [path.join(__dirname, 'build.mjs')]);
  log('installing the extension and the driver into a fresh extensions dir');
  sh('node', [codeServer, '--extensions-dir', extDir, '--user-data-dir', userDir, '--install-extension', vsix, '--install-extension', driverVsix]);

  const port = await freePort();
  const serverLog = createWriteStream(path.join(outDir, 'code-server.log'));
  const server: ChildProcess = spawn(
    'node',
    [codeServer, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--extensions-dir', extDir, '--user-data-dir', userDir, workspace],
    {
      cwd: tmp,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FRAMEWORK_PORTER_TEST: '1', E2E_SUITE_INDEX: path.join(__dirname, 'out', 'index.js'), E2E_RESULTS: suiteResults },
    },
  );
  server.stdout!.pipe(serverLog);
  server.stderr!.pipe(serverLog);
  let browser: Browser | undefined;
  try {
    await until('code-server to listen', async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok, 60_000);
    log(`code-server (VS Code ${VSCODE_VERSION}) on 127.0.0.1:${port}`);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('pageerror', (e) => serverLog.write(`[page error] ${e.message}\n`));
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    log('workbench up; waiting for the suites in the extension host');

    const suites = await until(
      'the driver extension to finish the suites',
      () => {
        if (!existsSync(suiteResults)) return undefined;
        const r = JSON.parse(readFileSync(suiteResults, 'utf8'));
        return r.state === 'done' ? (r as { tests: TestResult[] }) : undefined;
      },
      SUITES_TIMEOUT_MS,
      500,
    ).catch(async (e: Error) => {
      await page.screenshot({ path: path.join(outDir, 'suites-timeout.png') });
      return { tests: [{ name: 'the suites run in code-server and report', ok: false, error: e.message }] };
    });
    for (const t of suites.tests) results.push({ name: t.name, ok: t.ok, ...(t.error ? { error: t.error } : {}) });
    log(`suites: ${suites.tests.filter((t) => t.ok).length} passed, ${suites.tests.filter((t) => !t.ok).length} failed`);
    await page.screenshot({ path: path.join(outDir, '00-after-suites.png') });

    await uiChecks(page, workspace);
  } catch (e) {
    results.push({ name: 'the e2e harness runs to the end', ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  } finally {
    await browser?.close().catch(() => undefined);
    try {
      process.kill(-server.pid!, 'SIGTERM');
    } catch {
      /* already gone */
    }
    await new Promise((r) => setTimeout(r, 300));
    try {
      process.kill(-server.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
    serverLog.end();
    if (!process.env.E2E_KEEP_TMP) rmSync(tmp, { recursive: true, force: true });
    else log(`kept ${tmp}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// UI checks: what the API cannot show.
// ---------------------------------------------------------------------------------------------------------------

async function check(name: string, page: Page, shot: string, fn: () => Promise<void>) {
  const t = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
  } catch (e) {
    results.push({ name, ok: false, error: (e instanceof Error ? e.message : String(e)).split('\n').slice(0, 8).join('\n') });
  }
  await page.screenshot({ path: path.join(outDir, `${shot}.png`) }).catch(() => undefined);
  log(`${results[results.length - 1].ok ? 'ok' : 'FAILED'} ${name} (${Date.now() - t} ms)`);
}

async function runCommand(page: Page, title: string) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
}

async function openFile(page: Page, rel: string) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(rel);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: path.basename(rel) }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
  await page.locator(`.tab.active[aria-label*="${path.basename(rel)}"]`).waitFor({ timeout: 10_000 });
  await page.locator('.monaco-editor .view-lines').first().waitFor();
}

/** Puts the cursor at a 1-based line:column through Go to Line. */
async function goTo(page: Page, line: number, column: number) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+G');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(`:${line}:${column}`);
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 5_000 });
}

const editorText = async (page: Page) => (await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().innerText()).replace(/\u00a0/g, ' ');

async function uiChecks(page: Page, workspace: string) {
  await page.keyboard.press('Escape');
  await page.locator('.monaco-workbench').click({ position: { x: 700, y: 400 } }).catch(() => undefined);

  await check('ui: the diagnostic squiggle is drawn under the Flask idioms of app.py', page, '01-squiggle', async () => {
    await openFile(page, 'app.py');
    const squiggles = page.locator('.editor-group-container.active .monaco-editor .squiggly-warning, .editor-group-container.active .monaco-editor .squiggly-error');
    await until('squiggles in the editor', async () => (await squiggles.count()) >= 5, 30_000);
    await squiggles.first().waitFor({ state: 'visible' });
    // the Problems panel lists them too
    await page.keyboard.press('Control+Shift+M');
    await page.locator('.markers-panel .monaco-list-row', { hasText: 'Framework Porter' }).first().waitFor({ timeout: 10_000 });
  });

  await check('ui: the hover widget shows the message and the before → after for Django', page, '02-hover', async () => {
    await page.keyboard.press('Control+Shift+M'); // close the panel again
    await goTo(page, 8, 14); // request.args
    await page.keyboard.press('Control+K');
    await page.keyboard.press('Control+I');
    const hover = page.locator('.monaco-hover:visible', { hasText: 'Before → after' }).first();
    await hover.waitFor({ timeout: 10_000 });
    const text = await hover.innerText();
    if (!/request\.GET/.test(text)) throw new Error(`the hover lacks the Django rewrite: ${text.slice(0, 300)}`);
  });

  await check('ui: the light bulb opens the quick fix menu, with the rewrite listed first', page, '03-quickfix-menu', async () => {
    await page.keyboard.press('Escape');
    await goTo(page, 9, 14); // jsonify(...)
    // the light bulb moves to the cursor's line once the code actions there are known
    const bulb = page.locator('.editor-group-container.active .lightBulbWidget').first();
    const cursor = page.locator('.editor-group-container.active .monaco-editor .cursor').first();
    await until('the light bulb on the cursor line', async () => {
      const [b, c] = [await bulb.boundingBox(), await cursor.boundingBox()];
      return !!b && !!c && (await bulb.isVisible()) && Math.abs(b.y + b.height / 2 - (c.y + c.height / 2)) < 8;
    }, 10_000);
    await bulb.click();
    const menu = page.locator('.action-widget');
    await menu.waitFor({ state: 'visible', timeout: 10_000 });
    const items = await menu.locator('.monaco-list-row').allInnerTexts();
    if (!items.some((t) => t.includes('Replace jsonify() with JsonResponse()'))) throw new Error(`the menu lists ${JSON.stringify(items)}`);
    if (!items.some((t) => t.includes('Ignore flask-jsonify on this line'))) throw new Error(`no ignore action in ${JSON.stringify(items)}`);
  });

  await check('ui: choosing "Replace jsonify() with JsonResponse()" in the quick fix menu rewrites the code', page, '04-quickfix-applied', async () => {
    // point at the item (it takes the focus) and apply it with Enter, as the menu's "Enter to Apply" says
    const row = page.locator('.action-widget .monaco-list-row', { hasText: 'Replace jsonify() with JsonResponse()' }).first();
    const box = await row.boundingBox();
    if (!box) throw new Error('the quick fix menu is gone');
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await until('the item to take the focus', async () => /\bfocused\b/.test((await row.getAttribute('class')) ?? ''), 5_000);
    await page.keyboard.press('Enter');
    await until('JsonResponse in the editor', async () => {
      const t = await editorText(page);
      return t.includes('return JsonResponse({"page": page})') && t.includes('from django.http import JsonResponse');
    }, 10_000);
  });

  await check('ui: the status bar shows the porting progress "Porting to Django"', page, '05-status', async () => {
    const item = page.locator('.statusbar-item', { hasText: 'Porting to Django' }).first();
    await item.waitFor({ state: 'visible', timeout: 15_000 });
    const text = await item.innerText();
    if (!/Porting to Django · \d+ ?(%|left)/.test(text)) throw new Error(`status item says "${text}"`);
  });

  await check('ui: the Porting Checklist view renders the category groups with their counts', page, '06-checklist', async () => {
    await runCommand(page, 'File: Revert File'); // leave app.py as it was
    await page.locator('.statusbar-item', { hasText: 'Porting to' }).first().click();
    const view = page.locator('.pane', { has: page.locator('.pane-header', { hasText: /checklist/i }) }).first();
    await view.waitFor({ state: 'visible', timeout: 15_000 });
    const rows = view.locator('.monaco-list-row');
    await until('checklist rows', async () => (await rows.count()) >= 3, 15_000);
    const texts = (await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' '));
    for (const group of ['routing', 'request', 'models']) {
      const row = texts.find((t) => t.toLowerCase().includes(group));
      if (!row) throw new Error(`no "${group}" group in ${JSON.stringify(texts)}`);
      if (!/\d/.test(row)) throw new Error(`the "${group}" group shows no count: "${row}"`);
    }
  });
  void workspace;
}

main()
  .catch((e) => results.push({ name: 'the e2e harness runs to the end', ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) }))
  .finally(() => {
    const failed = results.filter((t) => !t.ok).length;
    const summary = { passed: results.length - failed, failed, tests: results };
    mkdirSync(outDir, { recursive: true });
    writeFileSync(path.join(outDir, 'results.json'), JSON.stringify(summary, null, 2) + '\n');
    for (const t of results) process.stdout.write(`${t.ok ? 'ok' : 'not ok'} - ${t.name}${t.ok ? '' : `\n    ${(t.error ?? '').replace(/\n/g, '\n    ')}`}\n`);
    process.stdout.write(`e2e: ${summary.passed} passed, ${summary.failed} failed\n`);
    process.exit(failed || !results.length ? 1 : 0);
  });
