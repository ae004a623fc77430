import type { Figure } from '../figure.js';
import { apiClientFigure } from './api-client.js';
import { cliStartupFigure } from './cli-startup.js';
import { herdsFigure } from './herds.js';
import { hotPathFigure } from './hot-path.js';
import { propagationFigure } from './propagation.js';
import { scaleFigure } from './scale.js';
import { sharedLimiterFigure } from './shared-limiter.js';
import { storeOpsFigure } from './store-ops.js';
import { warmAsyncFigure } from './warm-async.js';

/** Every figure (issue 8's, then issue 13's shared limiter), in report order (figure 1 first). */
export const FIGURES: readonly Figure[] = [
  hotPathFigure,
  warmAsyncFigure,
  apiClientFigure,
  storeOpsFigure,
  scaleFigure,
  cliStartupFigure,
  propagationFigure,
  herdsFigure,
  sharedLimiterFigure,
];

/** Figures that need the run's redis-server. */
export const NEEDS_REDIS: ReadonlySet<string> = new Set([
  'store-ops',
  'scale',
  'propagation',
  'herds',
  'shared-limiter',
]);

export {
  apiClientFigure,
  cliStartupFigure,
  herdsFigure,
  hotPathFigure,
  propagationFigure,
  scaleFigure,
  sharedLimiterFigure,
  storeOpsFigure,
  warmAsyncFigure,
};
