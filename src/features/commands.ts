export const COMMAND_SHOW_DASHBOARD = 'scalingLens.showDashboard';
export const COMMAND_RESCAN = 'scalingLens.rescan';
export const COMMAND_SHOW_OUTPUT = 'scalingLens.showOutput';
export const COMMAND_TOGGLE_LENS_FOR_FILE = 'scalingLens.toggleCodeLensForFile';
export const DASHBOARD_VIEW_TYPE = 'scalingLens.dashboard';
