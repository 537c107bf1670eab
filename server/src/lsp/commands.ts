// workspace/executeCommand: frameworkPorter.fixAllInFile [uri, version?] → workspace/applyEdit.
import type { ExecuteCommandParams } from 'vscode-languageserver/node';
import { Commands } from '../../../protocol';
import { quietly, type PortService } from './service';

export async function executeCommand(svc: PortService, params: ExecuteCommandParams): Promise<void> {
  if (params.command !== Commands.fixAllInFile) {
    svc.log(`Unknown command ${params.command}.`);
    return;
  }
  const [uri, version] = params.arguments ?? [];
  if (typeof uri !== 'string') {
    quietly(svc.conn.window.showWarningMessage('Framework Porter: open a Python file to fix.'));
    return;
  }
  if (!svc.docs.get(uri)) {
    quietly(svc.conn.window.showWarningMessage(`Framework Porter: ${uri} is not open.`));
    return;
  }
  const cur = await svc.current(uri, typeof version === 'number' ? version : undefined);
  if (!cur) {
    quietly(svc.conn.window.showWarningMessage('Framework Porter: the file changed meanwhile; run the command again.'));
    return;
  }
  const edits = svc.fixAllEdits(cur);
  if (!edits.length) {
    quietly(svc.conn.window.showInformationMessage('Framework Porter: nothing to fix automatically in this file.'));
    return;
  }
  const r = await svc.conn.workspace.applyEdit({ label: 'Fix all porting idioms', edit: svc.versioned(cur.doc, edits) });
  if (!r.applied) svc.log(`The editor did not apply the fix-all edit to ${uri}: ${r.failureReason ?? 'no reason given'}.`);
}
