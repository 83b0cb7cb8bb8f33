import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { dashboardCsp, dashboardHtml } from '../../src/features/dashboardHtml';

const input = {
  nonce: 'bm9uY2UxMjM0NTY3ODkwYQ==',
  cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
  scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview.js',
  styleUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview.css',
};

test('the dashboard CSP denies by default and allows scripts only by nonce', () => {
  const csp = dashboardCsp(input);
  const directives = new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .map(([k, ...v]) => [k, v]),
  );
  assert.deepEqual(directives.get('default-src'), ["'none'"]);
  assert.deepEqual(directives.get('script-src'), [`'nonce-${input.nonce}'`]);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*|https?:\/\/(?!file\+\.vscode-resource)/);
  for (const [name, sources] of directives) {
    for (const source of sources)
      assert.ok(source === "'none'" || source === 'data:' || source === input.cspSource || source === `'nonce-${input.nonce}'`, `${name} allows ${source}`);
  }
});

test('every script in the page carries the nonce, and there is no inline script or style', () => {
  const html = dashboardHtml(input);
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
  assert.ok(scripts.length > 0);
  for (const [, attrs, body] of scripts) {
    assert.match(attrs, new RegExp(`nonce="${input.nonce.replace(/[+/=]/g, '\\$&')}"`));
    assert.equal(body.trim(), '', 'no inline script body');
  }
  assert.doesNotMatch(html, /<style\b|\sstyle=|\son[a-z]+=/i, 'no inline styles or event handlers');
  assert.ok(html.includes(`content="${dashboardCsp(input)}"`));
});
