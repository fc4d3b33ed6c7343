/**
 * The supervisor's own management endpoints: `GET /status`, `GET /healthz`,
 * `POST /switchover`.
 */
import { errorResponse, type ManagementRequest, type ManagementResponse, type ManagementRoute } from './router';
import type { SupervisorControl } from './types';

/** Who a switchover ordered through the API is attributed to. */
export const MANAGEMENT_API_ACTOR = 'management-api';

export const DEFAULT_SWITCHOVER_REASON = 'requested through the management API';

export function supervisorRoutes(control: SupervisorControl): ManagementRoute[] {
  return [
    {
      method: 'GET',
      path: '/status',
      // Reading status changes nothing, so monitoring needs no token.
      requiresToken: false,
      handler: async () => ({ status: 200, body: await control.status() }),
    },
    {
      method: 'GET',
      path: '/healthz',
      requiresToken: false,
      handler: () => (control.healthy() ? { status: 200, body: { ok: true } } : { status: 503, body: { ok: false } }),
    },
    {
      method: 'POST',
      path: '/switchover',
      requiresToken: true,
      handler: async (request) => {
        const reason = switchoverReason(request);
        if (typeof reason !== 'string') return reason;
        const result = await control.switchover({ reason, by: MANAGEMENT_API_ACTOR });
        return { status: result.ok ? 200 : 409, body: result };
      },
    },
  ];
}

/** The optional `{ "reason": "..." }` body; an error answer when it has another shape. */
function switchoverReason(request: ManagementRequest): string | ManagementResponse {
  const body = request.body;
  if (body === undefined || body === null) return DEFAULT_SWITCHOVER_REASON;
  if (typeof body !== 'object' || Array.isArray(body)) {
    return errorResponse(400, 'SWY_ERR_MGMT_BAD_REQUEST', 'POST /switchover: the body must be a JSON object like {"reason": "..."}.');
  }
  const reason = (body as Record<string, unknown>)['reason'];
  if (reason === undefined) return DEFAULT_SWITCHOVER_REASON;
  if (typeof reason !== 'string') {
    return errorResponse(400, 'SWY_ERR_MGMT_BAD_REQUEST', `POST /switchover: Key "reason": expected a string, got ${typeof reason}.`);
  }
  const trimmed = reason.trim();
  return trimmed === '' ? DEFAULT_SWITCHOVER_REASON : trimmed;
}
