#!/usr/bin/env node
// Runs the same integration suites in a desktop VS Code through @vscode/test-electron
// (`npm run test:electron`). It downloads a VS Code build into .vscode-test/ on first use, so it
// needs internet access to update.code.visualstudio.com; where that is unavailable (CI here),
// use test/integration/run.mjs, which runs the suites in the VS Code server + headless Chromium.
//
//   node test/integration/electron.mjs [--workspace DIR] [--grep RE] [--version 1.100.3|stable|insiders]
//
// The suite writes its JSON result when SCALING_LENS_TEST_RESULT is set (optional here: the
// exit code of runTests already reflects failures). On Linux without a display, run it under
// xvfb-run.
import { runTests } from '@vscode/test-electron';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultWorkspace } from './run.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function arg(name) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const extensionDevelopmentPath = repoRoot;
const extensionTestsPath = path.join(repoRoot, 'out/test/integration/suite/index.js');
const workspace = path.resolve(arg('workspace') ?? process.env.SCALING_LENS_IT_WORKSPACE ?? defaultWorkspace());
const grep = arg('grep') ?? process.env.SCALING_LENS_IT_GREP;

if (!fs.existsSync(extensionTestsPath)) {
  console.error(`electron: ${extensionTestsPath} not found; run \`npm run build\` first`);
  process.exit(1);
}

try {
  const exitCode = await runTests({
    version: arg('version') ?? 'stable',
    extensionDevelopmentPath,
    extensionTestsPath,
    // A fresh profile, no other extensions, trusted workspace (Restricted Mode is covered by run.mjs).
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
    extensionTestsEnv: {
      SCALING_LENS_TEST_CONFIG: 'electron',
      ...(grep ? { SCALING_LENS_TEST_GREP: grep } : {}),
      ...(process.env.SCALING_LENS_TEST_RESULT ? { SCALING_LENS_TEST_RESULT: process.env.SCALING_LENS_TEST_RESULT } : {}),
    },
  });
  process.exit(exitCode);
} catch (err) {
  console.error('electron: failed to run the integration tests in desktop VS Code:', err);
  process.exit(1);
}
