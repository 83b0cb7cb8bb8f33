// Layers in a line (issue 19), checked by `npm run lint` (depcruise):
//   src/shared (base: arrays, format, ...)  <-  src/core  <-  src/shared/protocol.ts (wire types,
//   type-only on the core's payloads)  <-  src/worker, src/services, src/cliCommands, src/cli.ts
//   <-  src/features  <-  src/extension.ts;  webview/ sees src/shared only.
// Each rule names the layer it protects; `no-circular` keeps the graph a tree of layers.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle joins two modules into one room: split the shared part out.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'core-stays-down',
      severity: 'error',
      comment: 'The core is pure TS shared by the worker, the CLI and tests: no vscode, nothing above it, not the protocol (it owns its payload types).',
      from: { path: '^src/core/' },
      to: {
        path: [
          '^node_modules/@types/vscode/',
          '^src/(features|services|worker|cliCommands)/',
          '^src/(extension|cli)\\.ts$',
          '^src/shared/(protocol|chartSeries|dashboardDelta|axes)\\.ts$',
        ],
      },
    },
    {
      name: 'shared-base-imports-nothing-above',
      severity: 'error',
      comment: 'src/shared is the base every layer (and the webview) uses: only the protocol looks at the core, for its payload types.',
      from: { path: '^src/shared/', pathNot: '^src/shared/protocol\\.ts$' },
      to: { path: ['^node_modules/@types/vscode/', '^src/(core|features|services|worker|cliCommands)/', '^src/(extension|cli)\\.ts$'] },
    },
    {
      name: 'protocol-types-only',
      severity: 'error',
      comment: 'The protocol names the core payloads as types; a value import would pull the engine into the webview.',
      from: { path: '^src/shared/protocol\\.ts$' },
      to: { path: ['^node_modules/@types/vscode/', '^src/(features|services|worker|cliCommands)/', '^src/(extension|cli)\\.ts$'] },
    },
    {
      name: 'protocol-core-type-only',
      severity: 'error',
      comment: 'The protocol names the core payloads as types only.',
      from: { path: '^src/shared/protocol\\.ts$' },
      to: { path: '^src/core/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'worker-no-host',
      severity: 'error',
      comment: 'The worker threads run without vscode and talk to the host by messages only.',
      from: { path: '^src/worker/' },
      to: { path: ['^node_modules/@types/vscode/', '^src/(features|services|cliCommands)/', '^src/(extension|cli)\\.ts$'] },
    },
    {
      name: 'cli-no-host',
      severity: 'error',
      comment: 'The CLI runs the core in Node (its fits in the fitting threads of src/worker), without vscode or the extension host adapters.',
      from: { path: '^src/(cli\\.ts|cliCommands/)' },
      to: { path: ['^node_modules/@types/vscode/', '^src/(features|services)/', '^src/extension\\.ts$'] },
    },
    {
      name: 'services-below-features',
      severity: 'error',
      comment: 'Services adapt vscode and the worker; what the user sees (features) builds on them, not the reverse.',
      from: { path: '^src/services/' },
      to: { path: ['^src/(features|worker|cliCommands)/', '^src/(extension|cli)\\.ts$'] },
    },
    {
      name: 'features-not-worker',
      severity: 'error',
      comment: 'Features reach the worker through services/workerClient.ts only.',
      from: { path: '^src/features/' },
      to: { path: ['^src/(worker|cliCommands)/', '^src/(extension|cli)\\.ts$'] },
    },
    {
      name: 'webview-sees-shared-only',
      severity: 'error',
      comment: 'The webview renders what the host sends: it may import src/shared (and npm packages), nothing else of src/.',
      from: { path: '^webview/' },
      to: { path: ['^node_modules/@types/vscode/', '^src/(?!shared/)'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|out|\\.vscode-test)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    moduleSystems: ['es6', 'cjs'],
  },
};
