// The dashboard's HTML shell, kept free of `vscode` so its Content-Security-Policy is unit-tested.
// Nothing from the workspace is interpolated here: data reaches the page only by postMessage.

export interface DashboardHtmlInput {
  /** Fresh for every page load; the only way a script may run. */
  nonce: string;
  /** `webview.cspSource`: the origin VS Code serves local resources from. */
  cspSource: string;
  scriptUri: string;
  styleUri: string;
}

export function dashboardCsp(input: Pick<DashboardHtmlInput, 'nonce' | 'cspSource'>): string {
  return [
    "default-src 'none'",
    `img-src ${input.cspSource} data:`,
    `style-src ${input.cspSource}`,
    `font-src ${input.cspSource}`,
    `script-src 'nonce-${input.nonce}'`,
  ].join('; ');
}

export function dashboardHtml(input: DashboardHtmlInput): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${dashboardCsp(input)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${input.styleUri}">
<title>Scaling Lens</title>
</head>
<body>
<header>
  <h1>Scaling Lens</h1>
  <div class="controls">
    <label>x <select id="xaxis"><option value="step">step</option><option value="tokens">tokens</option></select></label>
    <label><input type="checkbox" id="logx"> log x</label>
    <label><input type="checkbox" id="logy"> log loss</label>
    <label>smoothing <input type="range" id="smoothing" min="0" max="0.99" step="0.01"> <output id="smoothingValue" for="smoothing"></output></label>
    <button id="exportCsv" type="button">Export CSV</button>
    <button id="exportPng" type="button">Export PNG</button>
  </div>
  <span id="status" role="status" aria-live="polite">Waiting for runs…</span>
</header>
<main>
  <section class="chart"><canvas id="curves" aria-label="Loss curves with fitted extrapolations"></canvas></section>
  <section>
    <h2>Runs</h2>
    <table id="runs"><thead><tr>
      <th><button type="button" data-column="name">Run</button></th><th><button type="button" data-column="status">Status</button></th><th><button type="button" data-column="params">Params</button></th><th><button type="button" data-column="tokens">Tokens</button></th><th><button type="button" data-column="lastStep">Last step</button></th><th><button type="button" data-column="lastLoss">Last loss</button></th><th><button type="button" data-column="predicted">Predicted final [80%]</button></th><th>Law</th>
    </tr></thead><tbody></tbody></table>
    <h2>Family laws</h2>
    <table id="families"><thead><tr><th>Family</th><th>Law</th><th>Runs</th><th>Parameters</th><th>Validation</th></tr></thead><tbody></tbody></table>
    <ul id="diagnostics"></ul>
  </section>
</main>
<script nonce="${input.nonce}" src="${input.scriptUri}"></script>
</body>
</html>`;
}
