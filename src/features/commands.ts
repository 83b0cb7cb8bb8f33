export const COMMAND_SHOW_DASHBOARD = 'scalingLens.showDashboard';
export const COMMAND_RESCAN = 'scalingLens.rescan';
export const COMMAND_SHOW_OUTPUT = 'scalingLens.showOutput';
export const COMMAND_TOGGLE_LENS_FOR_FILE = 'scalingLens.toggleCodeLensForFile';
/** Applies a suggested config value (a lens click or a code action): arguments are `SuggestionArgs`. */
export const COMMAND_APPLY_SUGGESTION = 'scalingLens.applySuggestion';
export const COMMAND_PLAN_BUDGET = 'scalingLens.planBudget';
/** "Plan Experiments": the ladder of small runs before a target (a config's path, or none for a budget). */
export const COMMAND_PLAN_EXPERIMENTS = 'scalingLens.planExperiments';
/** Copies the bundled example sweep to global storage and opens it (the walkthrough's first step). */
export const COMMAND_OPEN_EXAMPLE_SWEEP = 'scalingLens.openExampleSweep';
export const DASHBOARD_VIEW_TYPE = 'scalingLens.dashboard';
/** Opens a file at a character offset (`[file, offset]`): the lens naming training_args.json. */
export const COMMAND_OPEN_CONFIG_VALUE = 'scalingLens.openConfigValue';
/** Picks the run the status bar shows (or follows the last one looked at again). */
export const COMMAND_PIN_STATUS_RUN = 'scalingLens.pinStatusBarRun';
