import { toIstIso } from '@hft/time/core';
import { escapeHtml, page } from './html.js';
import type { PendingTokenRequest } from './types.js';

/** Path of the approvals page (GET) and of its form (POST). */
export const APPROVALS_PATH = '/_emulator/approvals';

/** What the approvals page shows besides the pending requests. */
export interface ApprovalsPageInput {
  requests: PendingTokenRequest[];
  /** Shown in `#error` (wrong PIN, unknown or expired request). */
  error?: string;
  /** Shown in `#result` after a decision. */
  result?: string;
}

/**
 * The account holder's view of pending v3 access token requests. Each request has a form with a
 * PIN field `#pin-<id>` and buttons `#approve-<id>` / `#reject-<id>` (classes `pin`, `approve`,
 * `reject` for the common single-request case).
 */
export function renderApprovalsPage(input: ApprovalsPageInput): string {
  const error = input.error ? `<p id="error" class="error" role="alert">${escapeHtml(input.error)}</p>` : '';
  const result = input.result ? `<p id="result" role="status">${escapeHtml(input.result)}</p>` : '';
  const list =
    input.requests.length === 0
      ? '<p id="empty">No pending access token requests.</p>'
      : input.requests
          .map((r) => {
            const id = escapeHtml(r.id);
            return `<section class="request" data-request-id="${id}" data-client-id="${escapeHtml(r.clientId)}">
<p>App <code>${escapeHtml(r.clientId)}</code> requests an access token for user <code>${escapeHtml(r.userId)}</code>.</p>
<p class="note">Requested ${escapeHtml(toIstIso(r.requestedAt))}; expires ${escapeHtml(toIstIso(r.authorizationExpiry))}.</p>
<form method="post" action="${APPROVALS_PATH}" autocomplete="off">
<input type="hidden" name="request_id" value="${id}">
<label for="pin-${id}">6-digit PIN</label>
<input id="pin-${id}" class="pin" name="pin" type="password" inputmode="numeric" maxlength="6" required>
<button id="approve-${id}" class="approve" type="submit" name="decision" value="approve">Approve</button>
<button id="reject-${id}" class="reject secondary" type="submit" name="decision" value="reject">Reject</button>
</form>
</section>`;
          })
          .join('\n');
  return page(
    'Access token requests - Upstox emulator',
    `<h1>Access token requests</h1>\n${error}\n${result}\n${list}`,
  );
}
