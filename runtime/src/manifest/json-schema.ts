import { z } from 'zod';
import { AgentManifestSchema } from './schema/agent.js';

/** Where the schema is published; editors key their YAML schema association on it. */
export const MANIFEST_SCHEMA_ID = 'https://vrm.dev/schemas/agent-manifest/v1.json';

let cached: Record<string, unknown> | undefined;

/**
 * The manifest as JSON Schema (draft 2020-12) for editors and the studio: every field with its
 * description and default, unknown keys rejected. It describes the input a builder writes, so
 * defaulted fields are optional. Cross-field checks (declared variables, tool names in tests) are
 * beyond JSON Schema; `parseManifest` performs them.
 */
export function manifestJsonSchema(): Record<string, unknown> {
  cached ??= {
    ...z.toJSONSchema(AgentManifestSchema, {
      io: 'input',
      target: 'draft-2020-12',
      unrepresentable: 'throw',
    }),
    $id: MANIFEST_SCHEMA_ID,
    title: 'VRM agent manifest',
  };
  return structuredClone(cached);
}
