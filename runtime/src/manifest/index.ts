/**
 * Agent manifests: the schema, the YAML parser with positioned problems, the JSON Schema for
 * editors and the template renderer the voice loop uses for instructions and greetings.
 */
export { type BuiltinToolSpec, builtinToolSpec } from './builtin-tools.js';
export { canonicalJson, manifestHash } from './canonical.js';
export { type FieldDoc, manifestFieldReference } from './field-reference.js';
export { MANIFEST_SCHEMA_ID, manifestJsonSchema } from './json-schema.js';
export { type ParseManifestResult, parseManifest } from './parse.js';
export { formatProblem, type ManifestProblem } from './problems.js';
export { type AgentManifest, type AgentManifestInput, AgentManifestSchema } from './schema/agent.js';
export { WEBHOOK_EVENTS } from './schema/post-call.js';
export { LLM_PROVIDERS, STT_PROVIDERS, TTS_PROVIDERS } from './schema/providers.js';
export { BUILTIN_TOOLS, type BuiltinToolName } from './schema/tools.js';
export {
  BUILTIN_VARIABLES,
  type CallContext,
  callVariables,
  renderTemplate,
  scanTemplate,
  type VariableValue,
} from './template.js';
