// The analyzer's vocabulary: settings in, findings with fixes out. Nothing here knows about LSP or VS Code.
export const WEB_TARGETS = ['django', 'fastapi', 'flask'] as const;
export type WebTarget = (typeof WEB_TARGETS)[number];
export const ORM_TARGETS = ['django-orm', 'sqlalchemy2'] as const;
export type OrmTarget = (typeof ORM_TARGETS)[number];
export type OrmSetting = OrmTarget | 'auto' | 'keep';
export type FixTarget = WebTarget | OrmTarget;

export const SOURCES = ['flask', 'flask-login', 'flask-sqlalchemy', 'django', 'drf', 'django-orm', 'sqlalchemy', 'fastapi'] as const;
export type Source = (typeof SOURCES)[number];

export const CATEGORIES = [
  'app-setup', 'routing', 'request', 'response', 'templates', 'errors', 'auth', 'session', 'config',
  'middleware', 'models', 'queries', 'transactions', 'migrations', 'testing',
] as const;
export type Category = (typeof CATEGORIES)[number];

export type Severity = 'error' | 'warning' | 'information' | 'hint';

export interface Settings {
  target: WebTarget;
  ormTarget: OrmSetting;
  /** rule id → severity, or 'off' */
  rules: Record<string, Severity | 'off'>;
  severity: Severity;
}

export const DEFAULT_SETTINGS: Settings = { target: 'django', ormTarget: 'auto', rules: {}, severity: 'warning' };

/** The ORM a setting means for a web target: auto = Django ORM for Django, SQLAlchemy 2.0 otherwise. */
export function effectiveOrm(s: Pick<Settings, 'target' | 'ormTarget'>): OrmTarget | 'keep' {
  if (s.ormTarget === 'auto') return s.target === 'django' ? 'django-orm' : 'sqlalchemy2';
  return s.ormTarget;
}

/** A replacement of [start, end) (UTF-16 offsets into the analyzed text) by text. */
export interface OffsetEdit {
  start: number;
  end: number;
  text: string;
  /** order among insertions at the same offset, lower first (default 0); dropped once edits are normalized */
  rank?: number;
}

export interface Range {
  start: { line: number; character: number };
  end: { line: number; character: number };
}

export interface Fix {
  title: string;
  /** false when a person must check the result (a TODO(port) comment says what). */
  safe: boolean;
  /** Final, non-overlapping edits of the original text: the rewrite, its imports, and imports it left unused. */
  edits: OffsetEdit[];
}

export interface Finding {
  rule: string;
  from: Source;
  category: Category;
  message: string;
  severity: Severity;
  /** UTF-16 offsets */
  start: number;
  end: number;
  range: Range;
  /** the target this finding's fix was made for, if any */
  target: FixTarget;
  fixable: boolean;
  safe: boolean;
  /** built lazily: making a fix costs a reparse */
  fix?: () => Fix | undefined;
}

export interface PortMarker {
  kind: 'todo' | 'ignore';
  rule?: string;
  text: string;
  line: number;
  start: number;
  end: number;
}
