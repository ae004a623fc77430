import type { ResolvedUser } from './types.js';

/**
 * The user fields Upstox returns both in the flat Get Token body and in Get Profile's `data`
 * (the profile adds `ddpi`), in Upstox's snake_case names.
 */
export function profileFields(user: ResolvedUser) {
  return {
    email: user.email,
    exchanges: [...user.exchanges],
    products: [...user.products],
    broker: 'UPSTOX' as const,
    user_id: user.userId,
    user_name: user.userName,
    order_types: [...user.orderTypes],
    user_type: 'individual' as const,
    poa: user.poa,
    is_active: user.isActive,
  };
}
