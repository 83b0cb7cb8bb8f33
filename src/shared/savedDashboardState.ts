// The dashboard options the host keeps between panels (a memento, which outlives versions of this code).
import { parseDashboardState, type DashboardState } from './protocol';

/**
 * Saved options as a new panel should take them. The strict check a webview message gets would drop
 * the whole state once a version adds or removes an option, so this keeps each known field that is
 * valid, gives the rest their defaults and drops unknown keys. The memento is still untrusted input
 * (another version, or an edited profile, wrote it): values are checked field by field. Undefined when
 * nothing usable was saved (not an object).
 */
export function restoredDashboardState(saved: unknown): DashboardState | undefined {
  if (typeof saved !== 'object' || saved === null || Array.isArray(saved)) return undefined;
  return parseDashboardState(saved);
}
