// The spread ban (issue 17) covers every bundle that handles unbounded arrays: the extension, the
// worker, the CLI and the webview. Linted through ESLint's own API with the project's config.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { ESLint } from 'eslint';

const root = path.resolve(__dirname, '..', '..');
const snippet = 'export function f(xs: number[], out: number[]): number {\n  out.push(...xs);\n  return Math.min(...xs) + Math.max(...xs);\n}\n';

test('spreads into push / Math.min / Math.max are errors in src/ and webview/', async () => {
  const eslint = new ESLint({ cwd: root });
  for (const file of ['src/core/spreadProbe.ts', 'webview/spreadProbe.ts', 'webview/views/spreadProbe.ts']) {
    const [res] = await eslint.lintText(snippet, { filePath: path.join(root, file) });
    const spread = res.messages.filter((m) => m.ruleId === 'no-restricted-syntax');
    assert.equal(spread.length, 3, `${file}: ${JSON.stringify(res.messages.map((m) => m.message))}`);
  }
});

test('the webview sources themselves pass the spread ban', async () => {
  const eslint = new ESLint({ cwd: root });
  const results = await eslint.lintFiles(['webview/**/*.ts']);
  const spread = results.flatMap((r) =>
    r.messages.filter((m) => m.ruleId === 'no-restricted-syntax').map((m) => `${path.relative(root, r.filePath)}:${m.line}`),
  );
  assert.ok(results.length > 5, 'the webview sources were linted');
  assert.deepEqual(spread, []);
});
