import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'runtime/src/**/*.test.ts',
      'plugins/*/src/**/*.test.ts',
      'registry/src/**/*.test.ts',
      'test/**/*.test.ts',
      'examples/**/*.test.ts',
    ],
    exclude: ['**/node_modules/**', '**/dist/**', 'studio/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Every worker trusts the test certificate of the Cartesia TLS test server (NODE_EXTRA_CA_CERTS).
    globalSetup: ['runtime/src/testing/tls-global-setup.ts'],
    pool: 'forks',
    // Two cores: more workers only adds contention for the WASM database.
    maxWorkers: 2,
  },
});
