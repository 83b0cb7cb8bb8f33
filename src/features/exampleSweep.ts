// "Scaling Lens: Open Example Sweep" (the walkthrough's first step): the synthetic sweep that ships
// in the package (`examples/`, about 330 KB) is copied to the extension's global storage, so a
// user can open and edit it without touching the installed extension, then opened as a folder.
import * as vscode from 'vscode';

/** Folder name of the copy inside the extension's global storage. */
export const EXAMPLE_SWEEP_FOLDER = 'example-sweep';

/**
 * Copies the bundled `examples/` of the extension at `extensionUri` to `<storageUri>/example-sweep`,
 * replacing an earlier copy (it is ours: the original is always one command away), and returns it.
 */
export async function copyExampleSweep(extensionUri: vscode.Uri, storageUri: vscode.Uri): Promise<vscode.Uri> {
  const source = vscode.Uri.joinPath(extensionUri, 'examples');
  const target = vscode.Uri.joinPath(storageUri, EXAMPLE_SWEEP_FOLDER);
  await vscode.workspace.fs.createDirectory(storageUri);
  await vscode.workspace.fs.copy(source, target, { overwrite: true });
  return target;
}

/** The command: copy, then open the copy (in a new window when a folder is already open). */
export async function openExampleSweep(context: vscode.ExtensionContext): Promise<vscode.Uri | undefined> {
  let target: vscode.Uri;
  try {
    target = await copyExampleSweep(context.extensionUri, context.globalStorageUri);
  } catch (error) {
    void vscode.window.showErrorMessage(`Scaling Lens: cannot copy the example sweep: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
  const forceNewWindow = (vscode.workspace.workspaceFolders?.length ?? 0) > 0;
  await vscode.commands.executeCommand('vscode.openFolder', target, { forceNewWindow });
  return target;
}
