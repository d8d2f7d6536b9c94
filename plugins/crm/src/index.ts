export { CrmConfig, loadCrmConfig } from './config.js';
export { main, openCrmDatabase } from './main.js';
export { toE164 } from './phone.js';
export { CRM_MIGRATIONS } from './schema.js';
export { seedDemo } from './seed.js';
export { CRM_SERVER_INFO, type CrmServerOptions, createCrmContext, createCrmServer } from './server.js';
export type { CrmContext } from './tools/context.js';
export * from './wire.js';
