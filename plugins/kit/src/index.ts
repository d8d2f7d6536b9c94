export {
  type Db,
  type OpenPluginDatabaseOptions,
  openPluginDatabase,
  type PluginDatabase,
  queryRows,
  type SqlExecutor,
} from './database.js';
export {
  createPluginHttpApp,
  isLoopbackHost,
  type PluginHttpApp,
  type PluginHttpAppOptions,
  type StartedHttpServer,
  startPluginHttpServer,
} from './http.js';
export {
  createPluginLogger,
  type PluginLogger,
  type PluginMainOptions,
  type PluginRuntime,
  runPluginMain,
} from './main.js';
export {
  type AnyToolDefinition,
  defineTool,
  READ_ONLY,
  registerTool,
  registerTools,
  type ToolDefinition,
  ToolError,
  type ToolSuccess,
  toolErrorResult,
  type UnexpectedErrorReporter,
} from './tool.js';
