/**
 * Vitest global setup that makes every test worker trust the TLS fakes (the Cartesia server)
 * through NODE_EXTRA_CA_CERTS. Add to vitest.config.ts: `globalSetup: ['runtime/src/testing/tls-global-setup.ts']`.
 */
import { setupTestTls } from './tls.js';

export default function setup(): () => void {
  return setupTestTls();
}
