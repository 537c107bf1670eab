// "Porting to Django · 31 %": a status bar item (always, once there is a checklist) and a language status item in
// Python editors; both open the checklist.
import * as vscode from 'vscode';
import type { ChecklistSnapshot } from '../../../protocol';
import { ChecklistCommands } from './ids';
import { statusDetail, statusText, summarize } from './model';

export interface PortingStatus {
  update(snapshots: readonly ChecklistSnapshot[]): void;
  /** the text both items show (without the status bar's icon); '' when there is no checklist */
  text(): string;
}

export function createPortingStatus(context: vscode.ExtensionContext): PortingStatus {
  const command: vscode.Command = { command: ChecklistCommands.open, title: 'Show Checklist', tooltip: 'Show the porting checklist' };

  const bar = vscode.window.createStatusBarItem('frameworkPorter.status', vscode.StatusBarAlignment.Left, 10);
  bar.name = 'Framework Porter: Porting Progress';
  bar.command = command;

  const lang = vscode.languages.createLanguageStatusItem('frameworkPorter.progress', [
    { language: 'python', scheme: 'file' },
    { language: 'python', scheme: 'untitled' },
  ]);
  lang.name = 'Framework Porter';
  lang.text = 'Framework Porter';
  lang.command = command;
  context.subscriptions.push(bar, lang);

  let current = '';
  return {
    update(snapshots) {
      current = statusText(snapshots);
      const detail = statusDetail(snapshots);
      const scanning = summarize(snapshots)?.scanning ?? false;
      if (!current) {
        bar.hide();
        lang.text = 'Framework Porter';
        lang.detail = 'no checklist yet';
        lang.busy = false;
        return;
      }
      bar.text = `${scanning ? '$(sync~spin)' : '$(checklist)'} ${current}`;
      bar.tooltip = `${current}\n${detail}\nClick to show the porting checklist.`;
      bar.accessibilityInformation = { label: `${current}. ${detail}` };
      bar.show();
      lang.text = current;
      lang.detail = detail;
      lang.busy = scanning;
      lang.accessibilityInformation = { label: `${current}. ${detail}` };
    },
    text: () => current,
  };
}
