/**
 * The package's programmatic API, for embedding the tools in another server or testing them in
 * process (`InMemoryTransport`). The command line is `bin/order-status-mcp.js`.
 */
export { loadConfig } from './config.js';
export { startHttpServer } from './http.js';
export { demoOrders, normalizeOrderNumber, normalizePhone, OrderError, OrderFileSchema } from './orders.js';
export { createOrderStatusServer, VERSION } from './server.js';
export { OrderStore } from './store.js';
