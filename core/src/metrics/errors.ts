import { codedErrorClass } from '../errors';

/** The metrics API's own codes (listed in docs/operator/errors.md beside the core table). */
export const METRIC_ERROR_CODES = {
  SWY_ERR_METRIC_INVALID:
    'Name plugin metrics switchyard_<plugin>_<what>_<unit> (counters end in _total), and do not use the label `node`: the agent adds it.',
} as const;

export class MetricError extends codedErrorClass('MetricError', METRIC_ERROR_CODES) {}
