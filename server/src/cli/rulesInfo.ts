// The public description of the rules: what `framework-porter rules` prints and what scripts/gen-docs.ts writes.
import type { LoadedRule } from '../analysis/rule';
import type { Category, FixTarget, Source } from '../analysis/types';

export interface RuleInfo {
  id: string;
  from: Source;
  /** the keys of rule.fixes: web targets for web rules, ORM targets for ORM rules */
  to: FixTarget[];
  category: Category;
  title: string;
  fixable: boolean;
  /** every fix is declared safe */
  safe: boolean;
  effortMinutes: number;
  examples: { target: string; before: string; after: string }[];
  summary: string;
}

export function ruleInfo(r: LoadedRule): RuleInfo {
  const to = (Object.keys(r.fixes) as FixTarget[]).filter((t) => r.fixes[t]);
  return {
    id: r.id,
    from: r.from,
    to,
    category: r.category,
    title: r.title,
    fixable: to.length > 0,
    safe: to.length > 0 && to.every((t) => r.fixes[t]!.safe),
    effortMinutes: r.effortMinutes,
    examples: r.examples.map((e) => ({ target: e.target, before: e.before, after: e.after })),
    summary: r.docs.summary,
  };
}

export function ruleInfos(rules: readonly LoadedRule[]): RuleInfo[] {
  return rules.map(ruleInfo).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export function safetyLabel(i: Pick<RuleInfo, 'fixable' | 'safe'>): string {
  return !i.fixable ? 'no fix' : i.safe ? 'safe' : 'unsafe';
}

const TARGET_ORDER = ['django', 'fastapi', 'flask', 'django-orm', 'sqlalchemy2'];
/** targets in a fixed order (django before fastapi), for tables */
export function orderedTargets<T extends string>(to: readonly T[]): T[] {
  const rank = (t: T) => (TARGET_ORDER.indexOf(t) + 1 || 99);
  return [...to].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : 1));
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** A Markdown table of the rules; `link(id)` gives the link target of each id (none when undefined). */
export function rulesTable(infos: readonly RuleInfo[], link?: (id: string) => string): string {
  const rows = [
    '| rule | from | category | targets | safe | effort |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const i of infos) {
    const id = link ? `[\`${i.id}\`](${link(i.id)})` : `\`${i.id}\``;
    const safe = !i.fixable ? 'no fix' : i.safe ? 'yes' : 'no';
    rows.push(`| ${id} | ${cell(i.from)} | ${cell(i.category)} | ${cell(orderedTargets(i.to).join(', ') || '—')} | ${safe} | ${i.effortMinutes} min |`);
  }
  return rows.join('\n') + '\n';
}
