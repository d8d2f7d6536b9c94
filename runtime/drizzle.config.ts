import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './runtime/src/db/schema.ts',
  out: './migrations',
  entities: { roles: { provider: '' } },
});
