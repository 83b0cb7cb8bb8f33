// Setup shared by the integration suites: the extension's API, the workspace copy they run on, and
// polling for a state the extension reaches asynchronously. Not a test file (index.ts loads only
// `*.test.js`); each suite bundles its own copy.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ScalingLensApi } from '../../../src/extension';

export const EXTENSION_ID = 'scaling-lens.scaling-lens';
/** How long a suite waits for the extension to reach a state (a first fit takes a while on 2 cores). */
export const WAIT_MS = 60_000;

/** The extension's API, activating it first when it is not active yet. */
export async function api(): Promise<ScalingLensApi> {
  const ext = vscode.extensions.getExtension<ScalingLensApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is installed`);
  return ext.isActive ? ext.exports : await ext.activate();
}

/** The file-system path of the (first) workspace folder the suite runs on. */
export function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'a workspace folder is open');
  return folder.uri.fsPath;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Calls `probe` every 200 ms until it returns a value; throws naming `what` after `timeoutMs`. */
export async function poll<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = WAIT_MS): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(200);
  }
}
