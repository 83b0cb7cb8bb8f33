import * as vscode from 'vscode';
import type { ConfigEstimate } from '../core/snapshot';
import type { ConfigLensProvider } from './codeLens';

/** A config file with its text and the worker's estimate (absent when it could not be opened). */
export interface EstimatedConfig {
  file: string;
  text?: string;
  estimate?: ConfigEstimate;
}

async function estimated(file: string, lenses: ConfigLensProvider): Promise<EstimatedConfig> {
  try {
    const document = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    return { file, text: document.getText(), estimate: await lenses.estimate(document) };
  } catch {
    return { file };
  }
}

/**
 * The training config a planner command starts from: `target` (the file a lens passes), else, from
 * the palette, the first file editor (the active one first) whose estimate `usable` accepts.
 */
export async function configTarget(
  target: unknown,
  lenses: ConfigLensProvider,
  usable: (estimate: ConfigEstimate) => boolean,
): Promise<EstimatedConfig | undefined> {
  const file = typeof target === 'string' ? target : target instanceof vscode.Uri ? target.fsPath : undefined;
  if (file) return estimated(file, lenses);
  const editors = [vscode.window.activeTextEditor, ...vscode.window.visibleTextEditors].filter(
    (e): e is vscode.TextEditor => e?.document.uri.scheme === 'file',
  );
  for (const editor of editors) {
    const found = await estimated(editor.document.uri.fsPath, lenses);
    if (found.estimate && usable(found.estimate)) return found;
  }
  return undefined;
}
