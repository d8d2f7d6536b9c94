export { AnalyticsConfig, loadAnalyticsConfig } from './config.js';
export { main, NO_ORGANIZATION, openAnalyticsDatabase } from './main.js';
export { AnalyticsQueries, type CallFilter, LATENCY_METRICS, type LatencyMetric } from './queries.js';
export { ANALYTICS_SERVER_INFO, type AnalyticsServerOptions, createAnalyticsServer } from './server.js';
export { type AnalyticsContext, analyticsTools } from './tools.js';
