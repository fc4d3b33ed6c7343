import { tempDir } from '@switchyard/sdk/testing';
import { writeSipPairConfig, type SipPairConfig } from '@switchyard/plugin-sip/testing';

export type AlarmPairConfig = SipPairConfig;

/** A single-host pair with the `sip` and `alarm-reactions` plugins and these `alarms`, in a fresh temp folder. */
export function writeAlarmPairConfig(alarms: Record<string, unknown>, dir = tempDir('switchyard-alarms-')): Promise<AlarmPairConfig> {
  return writeSipPairConfig({ plugins: { 'alarm-reactions': true }, config: { alarms }, dir });
}

export { holdUdp, releaseUdp as release } from '@switchyard/plugin-sip/testing';
