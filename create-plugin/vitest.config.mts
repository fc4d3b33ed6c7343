import { packageTestConfig } from '../vitest.shared.mts';

// The end-to-end test packs core and the SDK, builds and tests a generated package and runs it in a pair.
export default packageTestConfig({ testTimeout: 240_000, externalDist: true });
