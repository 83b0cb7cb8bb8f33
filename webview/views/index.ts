// The webview's registry of views, keyed by the shared list (src/shared/dashboardViews.ts): the
// compiler asks for a module here for every view listed there.
import type { DashboardView } from '../../src/shared/protocol';
import type { ViewModule } from './view';
import { curvesView } from './curves';
import { scalingView } from './scaling';
import { validationView } from './validation';

export const VIEW_MODULES: Record<DashboardView, ViewModule> = {
  curves: curvesView,
  scaling: scalingView,
  validation: validationView,
};
