/**
 * The alarm endpoints: `GET /alarms` (active and recently cleared; no
 * token) and `POST /alarms/:id/clear` (token; body `{ "by"?: string }`).
 */
import { isSwitchyardError } from '../errors';
import type { Alarm } from '../engine/types';
import { errorResponse, type ManagementRequest, type ManagementResponse, type ManagementRoute } from './router';
import { MANAGEMENT_API_ACTOR } from './supervisor-routes';

/** What the alarm routes need from the alarm engine. */
export interface AlarmControl {
  list(): { active: Alarm[]; cleared: Alarm[] };
  /** Throws SWY_ERR_ALARM_NOT_FOUND for an id that is not active. */
  clear(id: string, by: string): Alarm;
}

/** The longest `by` kept; it is an operator's name, not a message. */
const MAX_BY_LENGTH = 200;

export function alarmRoutes(control: AlarmControl): ManagementRoute[] {
  return [
    {
      method: 'GET',
      path: '/alarms',
      requiresToken: false,
      handler: () => ({ status: 200, body: control.list() }),
    },
    {
      method: 'POST',
      path: '/alarms/:id/clear',
      requiresToken: true,
      handler: (request) => {
        const by = clearedBy(request);
        if (typeof by !== 'string') return by;
        const id = request.params['id'] ?? '';
        try {
          return { status: 200, body: { ok: true, alarm: control.clear(id, by) } };
        } catch (error) {
          if (isSwitchyardError(error, 'SWY_ERR_ALARM_NOT_FOUND')) return errorResponse(404, error.code, error.message);
          throw error;
        }
      },
    },
  ];
}

/** The optional `{ "by": "..." }` body; an error answer when it has another shape. */
function clearedBy(request: ManagementRequest): string | ManagementResponse {
  const body = request.body;
  const what = `POST ${request.path}`;
  if (body === undefined || body === null) return MANAGEMENT_API_ACTOR;
  if (typeof body !== 'object' || Array.isArray(body)) {
    return errorResponse(400, 'SWY_ERR_MGMT_BAD_REQUEST', `${what}: the body must be a JSON object like {"by": "alice"}.`);
  }
  const by = (body as Record<string, unknown>)['by'];
  if (by === undefined) return MANAGEMENT_API_ACTOR;
  if (typeof by !== 'string') {
    return errorResponse(400, 'SWY_ERR_MGMT_BAD_REQUEST', `${what}: Key "by": expected a string, got ${typeof by}.`);
  }
  const trimmed = by.trim().slice(0, MAX_BY_LENGTH);
  return trimmed === '' ? MANAGEMENT_API_ACTOR : trimmed;
}
