import type { CallToolResult, McpServer, ToolAnnotations, ToolCallback } from '@modelcontextprotocol/server';
import type { z } from 'zod/v4';

/**
 * An expected failure whose message is written for the language model that called the tool: it says
 * what went wrong and what to do next ("No contact with id … exists; call find_contacts first").
 * Tool handlers throw it; {@link registerTool} turns it into an `isError` result.
 */
export class ToolError extends Error {
  override readonly name = 'ToolError';
  constructor(
    message: string,
    readonly code: string = 'tool_error',
  ) {
    super(message);
  }
}

/** What a tool handler returns on success: data matching the output schema and a short summary. */
export interface ToolSuccess<T> {
  /** The structured result, validated by the SDK against the tool's output schema. */
  data: T;
  /** One or two sentences for the model (and for clients that ignore structured content). */
  text: string;
}

/**
 * A tool's full definition: both schemas and every annotation spelled out, because the protocol's
 * defaults (destructive, open-world) are the pessimistic ones and clients act on them.
 */
export interface ToolDefinition<I extends z.ZodObject, O extends z.ZodObject> {
  name: string;
  title: string;
  description: string;
  input: I;
  output: O;
  annotations: Required<
    Pick<ToolAnnotations, 'readOnlyHint' | 'destructiveHint' | 'idempotentHint' | 'openWorldHint'>
  >;
  handler: (args: z.output<I>) => Promise<ToolSuccess<z.input<O>>>;
}

/**
 * A tool definition with its schema types erased, for lists of heterogeneous tools.
 */
// biome-ignore lint/suspicious/noExplicitAny: handler parameters are contravariant; erasure needs any.
export type AnyToolDefinition = ToolDefinition<any, any>;

/** Reports failures that are not {@link ToolError}s; the model only sees a generic message. */
export type UnexpectedErrorReporter = (tool: string, error: unknown) => void;

/** Identity helper that infers the schema types of a tool definition. */
export function defineTool<I extends z.ZodObject, O extends z.ZodObject>(
  definition: ToolDefinition<I, O>,
): ToolDefinition<I, O> {
  return definition;
}

/** Builds the `isError` result a model can act on. */
export function toolErrorResult(message: string): CallToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}

/**
 * Registers a tool on an MCP server. Handler failures never escape as protocol errors: a
 * {@link ToolError} becomes an `isError` result with its message; anything else is reported to
 * `onUnexpected` and the model gets a generic retryable message without internals (SQL, stack).
 */
export function registerTool<I extends z.ZodObject, O extends z.ZodObject>(
  server: McpServer,
  definition: ToolDefinition<I, O>,
  onUnexpected: UnexpectedErrorReporter,
): void {
  // The SDK's callback type is conditional on the schema generic, which TypeScript cannot resolve
  // inside a generic function; the SDK validates `args` against `definition.input` before calling.
  const callback = (async (args: z.output<I>): Promise<CallToolResult> => {
    try {
      const { data, text } = await definition.handler(args);
      return { content: [{ type: 'text', text }], structuredContent: data as Record<string, unknown> };
    } catch (error) {
      if (error instanceof ToolError) return toolErrorResult(error.message);
      onUnexpected(definition.name, error);
      return toolErrorResult(
        `${definition.name} failed because of an internal error in the plugin. Retry once; if it fails again, tell the caller you cannot complete this right now.`,
      );
    }
  }) as unknown as ToolCallback<I>;
  server.registerTool(
    definition.name,
    {
      title: definition.title,
      description: definition.description,
      inputSchema: definition.input,
      outputSchema: definition.output,
      annotations: { title: definition.title, ...definition.annotations },
    },
    callback,
  );
}

/** Annotation presets, named for what the tool does to the world. */
export const READ_ONLY = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
} as const;

/** Registers every tool of a list; see {@link registerTool}. */
export function registerTools(
  server: McpServer,
  tools: readonly AnyToolDefinition[],
  onUnexpected: UnexpectedErrorReporter,
): void {
  for (const tool of tools) registerTool(server, tool, onUnexpected);
}
