// frameworkPorter.* settings as the client sends them (anything at all) → validated Settings + FileSelection,
// with one sentence per bad value. Pure: no connection here.
import { DEFAULT_SETTINGS, ORM_TARGETS, WEB_TARGETS, type OrmSetting, type Settings, type Severity, type WebTarget } from '../analysis/types';
import { DEFAULT_SELECTION, type FileSelection } from '../workspace/files';

export type DiagnosticsScope = 'openFiles' | 'workspace';
export const DIAGNOSTICS_SCOPES: readonly DiagnosticsScope[] = ['openFiles', 'workspace'];

export interface ResourceSettings {
  settings: Settings;
  selection: FileSelection;
  /** frameworkPorter.diagnostics.scope: whether closed files of the workspace get diagnostics too */
  diagnosticsScope: DiagnosticsScope;
  /** what was wrong with the given values (each fell back to its default) */
  problems: string[];
}

const SEVERITIES: readonly Severity[] = ['error', 'warning', 'information', 'hint'];
const ORM_SETTINGS: readonly OrmSetting[] = ['auto', 'keep', ...ORM_TARGETS];

const show = (v: unknown) => (typeof v === 'string' ? `"${v}"` : JSON.stringify(v) ?? String(v));

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

export function parseSettings(raw: unknown): ResourceSettings {
  const problems: string[] = [];
  const r = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  const pick = <T>(key: string, ok: (v: unknown) => v is T, fallback: T, expected: string): T => {
    const v = r[key];
    if (v === undefined || v === null) return fallback;
    if (ok(v)) return v;
    problems.push(`frameworkPorter.${key} is ${show(v)}, expected ${expected}; using ${show(fallback)}.`);
    return fallback;
  };
  const oneOf = <T extends string>(list: readonly T[]) => (v: unknown): v is T => typeof v === 'string' && (list as readonly string[]).includes(v);

  const target = pick<WebTarget>('target', oneOf(WEB_TARGETS), DEFAULT_SETTINGS.target, WEB_TARGETS.map(show).join(', '));
  const ormTarget = pick<OrmSetting>('ormTarget', oneOf(ORM_SETTINGS), DEFAULT_SETTINGS.ormTarget, ORM_SETTINGS.map(show).join(', '));
  const severity = pick<Severity>('severity', oneOf(SEVERITIES), DEFAULT_SETTINGS.severity, SEVERITIES.map(show).join(', '));

  const rules: Settings['rules'] = {};
  const rawRules = r.rules;
  if (rawRules !== undefined && rawRules !== null) {
    if (typeof rawRules !== 'object' || Array.isArray(rawRules)) {
      problems.push(`frameworkPorter.rules is ${show(rawRules)}, expected an object of rule id → severity or "off"; ignoring it.`);
    } else {
      const okSev = oneOf<Severity | 'off'>([...SEVERITIES, 'off']);
      for (const [id, v] of Object.entries(rawRules as Record<string, unknown>)) {
        if (okSev(v)) rules[id] = v;
        else problems.push(`frameworkPorter.rules["${id}"] is ${show(v)}, expected one of ${[...SEVERITIES, 'off'].map(show).join(', ')}; ignoring it.`);
      }
    }
  }

  const include = pick<string[]>('include', isStringArray, DEFAULT_SELECTION.include, 'an array of glob patterns');
  const exclude = pick<string[]>('exclude', isStringArray, DEFAULT_SELECTION.exclude, 'an array of glob patterns');
  const maxFileSize = pick<number>(
    'maxFileSize',
    (v): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 1000,
    DEFAULT_SELECTION.maxFileSize,
    'a number ≥ 1000',
  );
  // `diagnostics.scope` arrives nested ({ diagnostics: { scope } }) from workspace/configuration, or flat
  const nested = r.diagnostics && typeof r.diagnostics === 'object' ? (r.diagnostics as Record<string, unknown>).scope : undefined;
  let diagnosticsScope: DiagnosticsScope = 'openFiles';
  const rawScope = nested ?? r['diagnostics.scope'];
  if (rawScope !== undefined && rawScope !== null) {
    if (oneOf(DIAGNOSTICS_SCOPES)(rawScope)) diagnosticsScope = rawScope;
    else problems.push(`frameworkPorter.diagnostics.scope is ${show(rawScope)}, expected ${DIAGNOSTICS_SCOPES.map(show).join(', ')}; using "openFiles".`);
  }
  return {
    diagnosticsScope,
    settings: { target, ormTarget, severity, rules },
    // .git is never of interest, whatever the user's exclude list says
    selection: { include, exclude: exclude.includes('**/.git/**') ? exclude : [...exclude, '**/.git/**'], maxFileSize },
    problems,
  };
}

/** A key that changes exactly when the analysis-relevant settings change. */
export function settingsKey(s: Settings): string {
  return JSON.stringify([s.target, s.ormTarget, s.severity, Object.entries(s.rules).sort()]);
}
