// Entry point of the integration suites inside a real VS Code extension host. Both runners call
// the exported `run()`: test/integration/run.mjs (VS Code server + headless Chromium, the one
// used here and in CI) and test/integration/electron.mjs (@vscode/test-electron, desktop VS Code).
//
// It runs mocha (tdd ui) over every `*.test.js` bundled next to this file and, when the
// environment names one, writes a JSON result file that run.mjs reads:
//   SCALING_LENS_TEST_RESULT  absolute path of the result file to write (required by run.mjs)
//   SCALING_LENS_TEST_GREP    optional mocha --grep pattern (a regular expression)
//   SCALING_LENS_TEST_CONFIG  optional name of the runner configuration, echoed into the result
// The extension host inherits these from the server process run.mjs starts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import Mocha from 'mocha';
import { WAIT_MS } from './harness';

export const RESULT_ENV = 'SCALING_LENS_TEST_RESULT';
export const GREP_ENV = 'SCALING_LENS_TEST_GREP';
export const CONFIG_ENV = 'SCALING_LENS_TEST_CONFIG';

export interface TestRecord {
  title: string;
  fullTitle: string;
  file?: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs: number;
  error?: { message: string; stack?: string };
}

export interface SuiteResult {
  schema: 1;
  config?: string;
  startedAt: string;
  durationMs: number;
  environment: {
    vscodeVersion: string;
    appName: string;
    appHost: string;
    uiKind: string;
    remoteName?: string;
    isTrusted: boolean;
    workspaceFolders: string[];
    node: string;
    pid: number;
  };
  stats: { tests: number; passed: number; failed: number; pending: number };
  tests: TestRecord[];
  /** Set when the suite could not run at all (no test files, a file failed to load, …). */
  error?: { message: string; stack?: string };
}

function describeError(err: unknown): { message: string; stack?: string } {
  if (err instanceof Error) return { message: err.message, stack: err.stack };
  return { message: String(err) };
}

function environment(): SuiteResult['environment'] {
  return {
    vscodeVersion: vscode.version,
    appName: vscode.env.appName,
    appHost: vscode.env.appHost,
    uiKind: vscode.UIKind[vscode.env.uiKind] ?? String(vscode.env.uiKind),
    remoteName: vscode.env.remoteName,
    isTrusted: vscode.workspace.isTrusted,
    workspaceFolders: (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.toString()),
    node: process.version,
    pid: process.pid,
  };
}

function writeResult(result: SuiteResult): void {
  const target = process.env[RESULT_ENV];
  if (!target) {
    console.log(`[scaling-lens tests] ${RESULT_ENV} not set; result file not written`);
    return;
  }
  // Write then rename, so the runner never reads a half-written file.
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = `${target}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(result, null, 2));
  fs.renameSync(tmp, target);
}

export async function run(): Promise<void> {
  const started = Date.now();
  const grep = process.env[GREP_ENV];
  // A test may wait for several snapshots of WAIT_MS each; on a loaded 2-core machine a 30 s
  // per-test limit cut such tests short while each of their waits was still within bounds.
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 4 * WAIT_MS, reporter: 'spec' });
  if (grep) mocha.grep(new RegExp(grep));

  const records: TestRecord[] = [];
  const result: SuiteResult = {
    schema: 1,
    config: process.env[CONFIG_ENV],
    startedAt: new Date(started).toISOString(),
    durationMs: 0,
    environment: environment(),
    stats: { tests: 0, passed: 0, failed: 0, pending: 0 },
    tests: records,
  };
  const finish = (): SuiteResult => {
    result.durationMs = Date.now() - started;
    result.environment = environment();
    result.stats = {
      tests: records.length,
      passed: records.filter((r) => r.state === 'passed').length,
      failed: records.filter((r) => r.state === 'failed').length,
      pending: records.filter((r) => r.state === 'pending').length,
    };
    writeResult(result);
    return result;
  };

  let failures: number;
  try {
    const files = fs
      .readdirSync(__dirname)
      .filter((f) => f.endsWith('.test.js'))
      .sort();
    if (files.length === 0) throw new Error(`no *.test.js files next to ${__filename}`);
    for (const f of files) mocha.addFile(path.join(__dirname, f));

    failures = await new Promise<number>((resolve, reject) => {
      try {
        const runner = mocha.run((n) => resolve(n));
        const record = (test: Mocha.Runnable, state: TestRecord['state'], err?: unknown): void => {
          records.push({
            title: test.title,
            fullTitle: test.fullTitle(),
            file: test.file ? path.basename(test.file) : undefined,
            state,
            durationMs: test.duration ?? 0,
            error: err === undefined ? undefined : describeError(err),
          });
        };
        runner.on('pass', (t) => record(t, 'passed'));
        runner.on('fail', (t, err) => record(t, 'failed', err)); // hooks too ("before all" hook: …)
        runner.on('pending', (t) => record(t, 'pending'));
      } catch (err) {
        reject(err);
      }
    });
  } catch (err) {
    result.error = describeError(err);
    finish();
    throw err;
  }

  const summary = finish();
  console.log(
    `[scaling-lens tests] VS Code ${summary.environment.vscodeVersion}: ` +
      `${summary.stats.passed} passed, ${summary.stats.failed} failed, ${summary.stats.pending} pending`,
  );
  if (failures > 0 || summary.stats.failed > 0) {
    throw new Error(`${Math.max(failures, summary.stats.failed)} integration test(s) failed`);
  }
}
