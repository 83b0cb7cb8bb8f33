import * as vscode from 'vscode';

/**
 * Opens a markdown file as VS Code's rendered preview (the planners' results), else as text when
 * the markdown extension is missing or fails. Says which it did.
 */
export async function showMarkdown(uri: vscode.Uri): Promise<'preview' | 'source'> {
  const document = await vscode.workspace.openTextDocument(uri);
  await vscode.languages.setTextDocumentLanguage(document, 'markdown');
  // Ask for VS Code's markdown extension by id: its commands are registered only once it is
  // active (getCommands does not list them before), and running one activates it.
  const markdown = vscode.extensions.getExtension('vscode.markdown-language-features');
  if (markdown) {
    try {
      if (!markdown.isActive) await markdown.activate();
      await vscode.commands.executeCommand('markdown.showPreview', uri);
      return 'preview';
    } catch {
      /* fall back to the text below */
    }
  }
  await vscode.window.showTextDocument(document, { preview: true });
  return 'source';
}
