import { packageTestConfig } from '../../vitest.shared.mts';

export default packageTestConfig({ testTimeout: 60_000, externalDist: true });
