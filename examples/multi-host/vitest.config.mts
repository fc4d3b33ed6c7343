import { packageTestConfig } from '../../vitest.shared.mts';

export default packageTestConfig({ testTimeout: 120_000, externalDist: true });
