// What the code-server runner needs on the machine, installed when missing (never skipped): Debian's chromium,
// ripgrep and libkrb5-dev, and code-server 4.100.3 (= VS Code 1.100.3) from npm, installed per
// shared/docs/real-editor-testing.md into a cache folder outside the repo and reused while intact.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const CODE_SERVER_VERSION = '4.100.3';
export const VSCODE_VERSION = '1.100.3';
export const CHROMIUM = process.env.FRAMEWORK_PORTER_CHROMIUM ?? '/usr/bin/chromium';

export const cacheRoot = process.env.FRAMEWORK_PORTER_CACHE ?? path.join(os.homedir(), '.cache', 'framework-porter');
export const codeServerDir = path.join(cacheRoot, `code-server-${CODE_SERVER_VERSION}`);
export const codeServerBin = path.join(codeServerDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const marker = path.join(codeServerDir, '.installed');

function log(msg: string) {
  process.stdout.write(`[e2e] ${msg}\n`);
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const t = Date.now();
  const r = spawnSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) exited ${r.status}:\n${(r.stdout ?? '').slice(-3000)}\n${(r.stderr ?? '').slice(-3000)}`);
  }
  log(`  ${cmd} ${args.join(' ')}: ${((Date.now() - t) / 1000).toFixed(0)} s`);
}

function has(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function dpkgHas(pkg: string): boolean {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}

/** apt-get installs chromium, ripgrep and libkrb5-dev when one is missing (we run as root here and in CI). */
export function ensureSystemPackages() {
  const missing: string[] = [];
  if (!existsSync(CHROMIUM)) missing.push('chromium');
  if (!has('rg')) missing.push('ripgrep');
  if (!dpkgHas('libkrb5-dev')) missing.push('libkrb5-dev');
  if (!missing.length) return;
  if (process.env.FRAMEWORK_PORTER_CHROMIUM && missing.includes('chromium')) {
    throw new Error(`FRAMEWORK_PORTER_CHROMIUM=${CHROMIUM} does not exist`);
  }
  log(`installing ${missing.join(', ')} with apt-get`);
  const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
  const apt = (args: string[]) => {
    const [cmd, ...rest] = [...sudo, 'apt-get', ...args];
    run(cmd, rest, process.cwd(), { DEBIAN_FRONTEND: 'noninteractive' });
  };
  apt(['update', '-qq']);
  apt(['install', '-y', '-qq', ...missing]);
}

function intact(): boolean {
  if (!existsSync(marker)) return false;
  const vscodeDir = path.join(codeServerDir, 'node_modules', 'code-server', 'lib', 'vscode');
  return (
    readFileSync(marker, 'utf8').trim() === CODE_SERVER_VERSION &&
    existsSync(codeServerBin) &&
    existsSync(path.join(vscodeDir, 'node_modules.asar')) &&
    existsSync(path.join(vscodeDir, 'node_modules', 'node-pty', 'build', 'Release', 'pty.node')) &&
    existsSync(path.join(vscodeDir, 'extensions', 'node_modules')) &&
    existsSync(path.join(vscodeDir, 'node_modules', '@vscode', 'ripgrep', 'bin', 'rg'))
  );
}

/** code-server in the cache folder, installed (~1.5 min) unless an intact install is already there. */
export function ensureCodeServer(): string {
  if (intact()) {
    log(`code-server ${CODE_SERVER_VERSION} cached in ${codeServerDir}`);
    return codeServerBin;
  }
  log(`installing code-server ${CODE_SERVER_VERSION} into ${codeServerDir}`);
  const t = Date.now();
  rmSync(codeServerDir, { recursive: true, force: true });
  mkdirSync(codeServerDir, { recursive: true });
  writeFileSync(path.join(codeServerDir, 'package.json'), JSON.stringify({ name: 'fp-code-server-cache', private: true }));
  const npm = 'npm';
  const quiet = ['--no-audit', '--no-fund', '--loglevel=error'];
  run(npm, ['install', '--ignore-scripts', ...quiet, `code-server@${CODE_SERVER_VERSION}`], codeServerDir);
  const vscodeDir = path.join(codeServerDir, 'node_modules', 'code-server', 'lib', 'vscode');
  run(npm, ['install', '--ignore-scripts', '--omit=dev', ...quiet], vscodeDir);
  const rgDir = path.join(vscodeDir, 'node_modules', '@vscode', 'ripgrep', 'bin');
  mkdirSync(rgDir, { recursive: true });
  rmSync(path.join(rgDir, 'rg'), { force: true });
  symlinkSync(execFileSync('sh', ['-c', 'command -v rg'], { encoding: 'utf8' }).trim(), path.join(rgDir, 'rg'));
  // node-pty's install step calls npx node-gyp
  run(npm, ['rebuild', '--loglevel=error'], vscodeDir, { npm_config_yes: 'true' });
  rmSync(path.join(vscodeDir, 'node_modules.asar'), { force: true });
  symlinkSync('node_modules', path.join(vscodeDir, 'node_modules.asar'));
  run(npm, ['install', '--ignore-scripts', '--omit=dev', ...quiet], path.join(vscodeDir, 'extensions'));
  run(npm, ['rebuild', 'argon2', '--loglevel=error'], codeServerDir, { npm_config_yes: 'true' });
  writeFileSync(marker, CODE_SERVER_VERSION);
  if (!intact()) throw new Error(`code-server install in ${codeServerDir} is incomplete after installing`);
  log(`code-server installed in ${((Date.now() - t) / 1000).toFixed(0)} s`);
  return codeServerBin;
}

if (require.main === module) {
  ensureSystemPackages();
  ensureCodeServer();
}
