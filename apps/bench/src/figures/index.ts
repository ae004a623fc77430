import type { Figure } from '../figure.js';
import { apiClientFigure } from './api-client.js';
import { cliStartupFigure } from './cli-startup.js';
import { fleetFigure } from './fleet.js';
import { herdsFigure } from './herds.js';
import { hotPathFigure } from './hot-path.js';
import { propagationFigure } from './propagation.js';
import { scaleFigure } from './scale.js';
import { sharedLimiterFigure } from './shared-limiter.js';
import { storeOpsFigure } from './store-ops.js';
import { warmAsyncFigure } from './warm-async.js';
import { watchIsolationFigure } from './watch-isolation.js';

/** Every figure (issue 8's, then issues 13's and 14's), in report order. */
export const FIGURES: readonly Figure[] = [
  hotPathFigure,
  warmAsyncFigure,
  apiClientFigure,
  storeOpsFigure,
  scaleFigure,
  cliStartupFigure,
  propagationFigure,
  herdsFigure,
  fleetFigure,
  watchIsolationFigure,
  sharedLimiterFigure,
];

/** Figures that need the run's redis-server. */
export const NEEDS_REDIS: ReadonlySet<string> = new Set([
  'store-ops',
  'scale',
  'cli-startup',
  'propagation',
  'herds',
  'fleet',
  'watch-isolation',
  'shared-limiter',
]);

export {
  apiClientFigure,
  cliStartupFigure,
  fleetFigure,
  herdsFigure,
  hotPathFigure,
  propagationFigure,
  scaleFigure,
  sharedLimiterFigure,
  storeOpsFigure,
  warmAsyncFigure,
  watchIsolationFigure,
};
