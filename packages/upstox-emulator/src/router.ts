import type { Route } from './routes/context.js';
import { controlRoutes } from './routes/control-routes.js';
import { feedRoutes } from './routes/feed-routes.js';
import { loginRoutes } from './routes/login-routes.js';
import { marketRoutes } from './routes/market-routes.js';
import { orderRoutes } from './routes/order-routes.js';
import { tokenRequestRoutes } from './routes/token-request-routes.js';
import { userRoutes } from './routes/user-routes.js';
import type { HostRole } from './token-access.js';

/** Every route the emulator serves as the live host. */
export const ROUTES: readonly Route[] = [
  ...loginRoutes,
  ...tokenRequestRoutes,
  ...userRoutes,
  ...marketRoutes,
  ...feedRoutes,
  ...orderRoutes,
  ...controlRoutes,
];

/** The sandbox host: the sandbox-enabled order paths and the control routes, nothing else. */
export const SANDBOX_ROUTES: readonly Route[] = ROUTES.filter(
  (route) => route.kind === 'control' || route.order?.sandbox === true,
);

/** The route table of the host the emulator plays. */
export function routesFor(host: HostRole): readonly Route[] {
  return host === 'sandbox' ? SANDBOX_ROUTES : ROUTES;
}

/** Result of matching a path: the route for this method, or the methods the path allows. */
export type RouteMatch =
  | { route: Route; params: Record<string, string> }
  | { route?: undefined; allowed: string[]; kind: Route['kind'] | undefined };

function matchPattern(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = got[i]!;
    if (w.startsWith(':')) {
      try {
        params[w.slice(1)] = decodeURIComponent(g);
      } catch {
        return undefined;
      }
    } else if (w !== g) {
      return undefined;
    }
  }
  return params;
}

/**
 * Finds the route for `method` and `path`. When the path exists under other methods only, lists
 * them (for 405 and `Allow`); when it does not exist, `allowed` is empty.
 */
export function matchRoute(method: string, path: string, routes: readonly Route[] = ROUTES): RouteMatch {
  const allowed: string[] = [];
  let kind: Route['kind'] | undefined;
  for (const route of routes) {
    const params = matchPattern(route.pattern, path);
    if (!params) continue;
    if (route.method === method) return { route, params };
    allowed.push(route.method);
    kind = route.kind;
  }
  return { allowed, kind };
}
