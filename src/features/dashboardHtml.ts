// The dashboard's HTML shell, kept free of `vscode` so its Content-Security-Policy is unit-tested.
// Nothing from the workspace is interpolated here: data reaches the page only by postMessage.
// Each view's panel is filled by its module in the webview (webview/views/).
import { DASHBOARD_VIEWS } from '../shared/dashboardViews';

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
${DASHBOARD_VIEWS.map((v) => `    <button type="button" role="tab" id="tab-${v.id}" data-view="${v.id}" aria-controls="view-${v.id}">${v.tab}</button>`).join('\n')}
  </div>
  <span id="status" role="status" aria-live="polite">Waiting for runs…</span>
</header>
<div class="controls" role="group" aria-label="Run selection">
  <span class="field">family <vscode-single-select id="family" label="family"><vscode-option value="">all</vscode-option></vscode-single-select></span>
  <span class="field">colour by <vscode-single-select id="colourBy" label="colour by"><vscode-option value="run">run</vscode-option><vscode-option value="family">family</vscode-option><vscode-option value="params">parameters</vscode-option><vscode-option value="tokens">tokens</vscode-option><vscode-option value="peakLr">peak LR</vscode-option></vscode-single-select></span>
  <span id="colourScale" class="colour-scale" hidden><span id="colourScaleLow"></span><span id="colourScaleBar" class="bar" aria-hidden="true"></span><span id="colourScaleHigh"></span></span>
  <vscode-checkbox id="logy" label="log loss"></vscode-checkbox>
  <vscode-checkbox id="ignoreOutliers" label="ignore outliers" title="Fit the loss axes to the data without its spikes: a diverged run's blow-up is cut off at the top (marked ▲), a validation far off the diagonal is drawn at the edge"></vscode-checkbox>
  <span class="buttons">
    <vscode-button id="resetZoom" secondary title="Drag on a chart to zoom, Shift+drag to pan, Ctrl+wheel to zoom">Reset zoom</vscode-button>
    <vscode-button id="exportCsv" secondary>Export CSV</vscode-button>
    <vscode-button id="exportPng" secondary>Export PNG</vscode-button>
  </span>
</div>
<main>
${DASHBOARD_VIEWS.map((v, i) => `  <section id="view-${v.id}" role="tabpanel" aria-labelledby="tab-${v.id}"${i === 0 ? '' : ' hidden'}></section>`).join('\n')}
  <section>
    <h2>Runs</h2>
    <div class="table-wrap"><table id="runs"><thead><tr>
      <th scope="col">Shown</th><th scope="col"><button type="button" data-column="name">Run</button></th><th scope="col">Family</th><th scope="col"><button type="button" data-column="status">Status</button></th><th scope="col"><button type="button" data-column="params">Params</button></th><th scope="col"><button type="button" data-column="tokens">Tokens</button></th><th scope="col"><button type="button" data-column="lastStep">Step</button></th><th scope="col"><button type="button" data-column="lastLoss">Last loss</button></th><th scope="col"><button type="button" data-column="predicted" title="Predicted final loss ± half its 80% interval (the interval in each cell's tooltip)">Predicted final</button></th><th scope="col"><button type="button" data-column="error" title="Error of the curve fitted on the first half, at the last step">Error</button></th><th scope="col"><button type="button" data-column="eta">ETA</button></th><th scope="col">Law</th>
    </tr></thead><tbody></tbody></table></div>
    <h2>Family laws</h2>
    <div class="table-wrap"><table id="families"><thead><tr><th scope="col">Family</th><th scope="col">Law</th><th scope="col">Runs</th><th scope="col">Parameters (80% in the tooltip)</th><th scope="col">Validation</th></tr></thead><tbody></tbody></table></div>
    <ul id="diagnostics"></ul>
  </section>
</main>
<script nonce="${input.nonce}" src="${input.scriptUri}"></script>
</body>
</html>`;
}
