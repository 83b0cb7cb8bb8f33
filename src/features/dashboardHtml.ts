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
  <div role="tablist" aria-label="Dashboard views" class="tabs">
    <button type="button" role="tab" id="tab-curves" data-view="curves" aria-controls="view-curves">Loss curves</button>
    <button type="button" role="tab" id="tab-scaling" data-view="scaling" aria-controls="view-scaling">Scaling across runs</button>
    <button type="button" role="tab" id="tab-validation" data-view="validation" aria-controls="view-validation">Predicted vs actual</button>
  </div>
  <span id="status" role="status" aria-live="polite">Waiting for runs…</span>
</header>
<div class="controls" role="group" aria-label="Run selection">
  <label>family <select id="family"><option value="">all</option></select></label>
  <label>colour by <select id="colourBy"><option value="run">run</option><option value="family">family</option><option value="params">parameters</option><option value="tokens">tokens</option><option value="peakLr">peak LR</option></select></label>
  <label><input type="checkbox" id="logy"> log loss</label>
  <button id="resetZoom" type="button" title="Drag on a chart to zoom, Shift+drag to pan, Ctrl+wheel to zoom">Reset zoom</button>
  <button id="exportCsv" type="button">Export CSV</button>
  <button id="exportPng" type="button">Export PNG</button>
</div>
<main>
  <section id="view-curves" role="tabpanel" aria-labelledby="tab-curves">
    <div class="controls" role="group" aria-label="Loss curve options">
      <label>x <select id="xaxis"><option value="step">step</option><option value="tokens">tokens</option><option value="flops">FLOPs</option><option value="wall">wall time</option></select></label>
      <label><input type="checkbox" id="logx"> log x</label>
      <label><input type="checkbox" id="showLr"> learning rate</label>
      <label><input type="checkbox" id="groupSeeds"> group seeds</label>
      <label>smoothing <input type="range" id="smoothing" min="0" max="0.99" step="0.01"> <output id="smoothingValue" for="smoothing"></output></label>
    </div>
    <div class="chart"><canvas id="curves" role="img" data-title="Loss curves with fitted extrapolations" aria-label="Loss curves with fitted extrapolations"></canvas></div>
    <p class="key" id="curvesKey">Solid: train loss (smoothed; raw faint behind). ▲: eval loss. Dashed: the fitted law from its first fitted step, extrapolated to the planned end; shaded: its 80% band. Dotted: learning rate (right axis).</p>
  </section>
  <section id="view-scaling" role="tabpanel" aria-labelledby="tab-scaling" hidden>
    <div class="controls" role="group" aria-label="Scaling options">
      <label>x <select id="scalingX"><option value="flops">compute (FLOPs)</option><option value="params">parameters</option><option value="tokens">tokens</option></select></label>
    </div>
    <div class="chart"><canvas id="scaling" role="img" data-title="Final loss of each run against size, tokens or compute, with the family law" aria-label="Final loss of each run against size, tokens or compute, with the family law"></canvas></div>
    <p class="key">●: final loss of a finished run (what the law was fitted to). ○ with bar: a live run's predicted final loss [80%]. ◆: held out of the law's validation fit. ★ with bar: the config open in the editor, its predicted loss [80%]. Dashed: the family law along the runs' tokens per parameter, shaded 80%. Solid: compute-optimal frontier.</p>
  </section>
  <section id="view-validation" role="tabpanel" aria-labelledby="tab-validation" hidden>
    <div class="chart"><canvas id="validation" role="img" data-title="Predicted against actual loss for every validation" aria-label="Predicted against actual loss for every validation"></canvas></div>
    <p class="key">Each point: a law fitted without some data, its prediction for that data against what was observed. On the diagonal: exact. ●: a run's curve fitted on the first 20, 30 or 50% of its points, predicting its last step. ▲: a family law refitted without its largest run.</p>
    <table id="validations"><caption>Validations</caption><thead><tr><th scope="col">Subject</th><th scope="col">Method</th><th scope="col" class="num">Predicted</th><th scope="col" class="num">Actual</th><th scope="col" class="num">Error</th></tr></thead><tbody></tbody></table>
  </section>
  <section>
    <h2>Runs</h2>
    <table id="runs"><thead><tr>
      <th scope="col">Shown</th><th scope="col"><button type="button" data-column="name">Run</button></th><th scope="col">Family</th><th scope="col"><button type="button" data-column="status">Status</button></th><th scope="col"><button type="button" data-column="params">Params</button></th><th scope="col"><button type="button" data-column="tokens">Tokens</button></th><th scope="col"><button type="button" data-column="lastStep">Last step</button></th><th scope="col"><button type="button" data-column="lastLoss">Last loss</button></th><th scope="col"><button type="button" data-column="predicted">Predicted final [80%]</button></th><th scope="col"><button type="button" data-column="error" title="Error of the curve fitted on the first half, at the last step">Error</button></th><th scope="col"><button type="button" data-column="eta">ETA</button></th><th scope="col">Law</th>
    </tr></thead><tbody></tbody></table>
    <h2>Family laws</h2>
    <table id="families"><thead><tr><th scope="col">Family</th><th scope="col">Law</th><th scope="col">Runs</th><th scope="col">Parameters [80%]</th><th scope="col">Validation</th></tr></thead><tbody></tbody></table>
    <ul id="diagnostics"></ul>
  </section>
</main>
<script nonce="${input.nonce}" src="${input.scriptUri}"></script>
</body>
</html>`;
}
