// package.json's checklist contributions agree with the client's ids (client/src/checklist/ids.ts): every command
// the client registers is declared, every menu and welcome link names a declared command, media files exist.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CHECKLIST_VIEW, ChecklistCommands, ContextKeys } from '../../client/src/checklist/ids';

const root = path.resolve(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const c = pkg.contributes;
const declared = new Set<string>(c.commands.map((x: { command: string }) => x.command));

test('every checklist command is declared with a title, category and icon', () => {
  for (const id of Object.values(ChecklistCommands)) {
    const cmd = c.commands.find((x: { command: string }) => x.command === id);
    assert.ok(cmd, `${id} declared`);
    assert.ok(cmd.title && cmd.category === 'Framework Porter', id);
    assert.match(cmd.icon ?? '', /^\$\([a-z-]+\)$/, `${id} has a codicon`);
  }
});

test('the view, its container and the activity-bar icon', () => {
  assert.equal(c.viewsContainers.activitybar[0].id, 'frameworkPorter');
  assert.ok(existsSync(path.join(root, c.viewsContainers.activitybar[0].icon)));
  assert.deepEqual(c.views.frameworkPorter.map((v: { id: string }) => v.id), [CHECKLIST_VIEW]);
  assert.match(c.views.frameworkPorter[0].name, /Checklist/);
});

test('menus and welcome links name declared commands; item-only commands are hidden from the palette', () => {
  const menuCommands = Object.values(c.menus).flat().map((m: any) => m.command);
  for (const id of menuCommands) assert.ok(declared.has(id), `${id} in menus is declared`);
  for (const m of c.menus['view/title']) assert.match(m.when, new RegExp(`^view == ${CHECKLIST_VIEW.replace('.', '\\.')}`));
  for (const m of c.menus['view/item/context']) assert.match(m.when, /viewItem =~ \/.+\//);
  const hidden = new Set(c.menus.commandPalette.filter((m: any) => m.when === 'false').map((m: any) => m.command));
  for (const id of [ChecklistCommands.applyFix, ChecklistCommands.fixRuleInWorkspace, ChecklistCommands.wontPort, ChecklistCommands.reopen, ChecklistCommands.reveal]) {
    assert.ok(hidden.has(id), `${id} hidden from the palette`);
  }
  const groupWhen = c.menus['view/title'].filter((m: any) => m.command.includes('groupBy')).map((m: any) => m.when).join(' ');
  assert.ok(groupWhen.includes(ContextKeys.groupBy));
  for (const w of c.viewsWelcome) {
    assert.equal(w.view, CHECKLIST_VIEW);
    for (const [, id] of String(w.contents).matchAll(/\(command:([\w.]+)/g)) {
      if (id!.startsWith('frameworkPorter.')) assert.ok(declared.has(id!), `${id} in the welcome view is declared`);
    }
  }
  const reasons = c.viewsWelcome.map((w: any) => w.when).join(' ');
  for (const r of ['noFolder', 'noPython', 'noBaseline', 'allPorted', 'scanning', 'error', 'loading']) assert.ok(reasons.includes(r), r);
});

test('the walkthrough: four steps, each with its markdown', () => {
  const [w] = c.walkthroughs;
  assert.equal(w.steps.length, 4);
  for (const s of w.steps) assert.ok(existsSync(path.join(root, s.media.markdown)), s.media.markdown);
  assert.match(w.steps[0].description, /workbench\.action\.openSettings\?.*frameworkPorter\.target/);
  assert.match(w.steps[1].description, new RegExp(ChecklistCommands.startPorting.replace(/\./g, '\\.')));
});

test('settings: diagnostics scope and checklist grouping', () => {
  const p = c.configuration.properties;
  assert.deepEqual(p['frameworkPorter.diagnostics.scope'].enum, ['openFiles', 'workspace']);
  assert.equal(p['frameworkPorter.diagnostics.scope'].default, 'openFiles');
  assert.equal(p['frameworkPorter.diagnostics.scope'].scope, 'resource');
  assert.deepEqual(p['frameworkPorter.checklist.groupBy'].enum, ['category', 'file']);
});
