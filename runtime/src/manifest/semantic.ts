import type { z } from 'zod';
import { BUILTIN_TOOLS } from './schema/tools.js';
import { didYouMean } from './suggest.js';
import { BUILTIN_VARIABLES, scanTemplate } from './template.js';

/** Extra fields on the custom issues raised here; the parser uses them to place and label problems. */
export interface SemanticIssueParams {
  code: string;
  /** Offset and length of the offending text inside a string value, for a precise column. */
  offset?: number;
  length?: number;
  /** Point at the mapping key rather than its value. */
  at?: 'key';
}

type Path = (string | number)[];
type Report = (path: Path, message: string, params: SemanticIssueParams) => void;

const record = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const strings = (v: unknown): string[] => list(v).filter((x): x is string => typeof x === 'string');

/**
 * Checks that relate one part of a manifest to another. It runs even when the structure has
 * errors, so it reads the input defensively and only judges the parts that have the right shape.
 */
export function checkManifestSemantics(value: unknown, ctx: z.RefinementCtx): void {
  const report: Report = (path, message, params) => ctx.addIssue({ code: 'custom', path, message, params });
  const manifest = record(value);
  if (!manifest) return;
  const declared = new Set(Object.keys(record(manifest.variables) ?? {}));
  for (const name of declared) {
    if (name in BUILTIN_VARIABLES) {
      report(['variables', name], `"${name}" is a built-in variable and cannot be declared`, {
        code: 'reserved_variable',
        at: 'key',
      });
    }
  }
  const known = [...declared, ...Object.keys(BUILTIN_VARIABLES)];
  const checkTemplate = (text: unknown, path: Path) => {
    if (typeof text !== 'string') return;
    const { references, errors } = scanTemplate(text);
    for (const error of errors)
      report(path, error.message, {
        code: 'invalid_variable',
        offset: error.offset,
        length: error.raw.length,
      });
    for (const ref of references) {
      if (known.includes(ref.name)) continue;
      report(
        path,
        `undeclared variable "${ref.name}"${didYouMean(ref.name, known)}: declare it under \`variables:\` or use a built-in (${Object.keys(BUILTIN_VARIABLES).join(', ')})`,
        { code: 'undeclared_variable', offset: ref.offset, length: ref.raw.length },
      );
    }
  };
  checkTemplate(manifest.greeting, ['greeting']);
  checkTemplate(manifest.instructions, ['instructions']);
  const silence = record(record(manifest.turnTaking)?.silence);
  checkTemplate(silence?.reprompt, ['turnTaking', 'silence', 'reprompt']);
  checkTemplate(silence?.goodbye, ['turnTaking', 'silence', 'goodbye']);

  const toolNames = checkTools(manifest.tools, report, checkTemplate);
  checkTests(manifest.tests, known, toolNames, report);

  const data = record(record(record(manifest.analysis)?.structuredData)?.schema);
  const properties = record(data?.properties);
  if (properties) {
    strings(data?.required).forEach((name, i) => {
      if (!(name in properties)) {
        report(
          ['analysis', 'structuredData', 'schema', 'required', i],
          `"${name}" is required but not listed in properties`,
          {
            code: 'unknown_property',
          },
        );
      }
    });
  }
}

/** What tests may name: built-ins in use, allowed MCP tools, and servers whose tools are all offered. */
interface ToolNames {
  exact: Set<string>;
  openServers: Map<string, Set<string>>;
}

function checkTools(
  tools: unknown,
  report: Report,
  checkTemplate: (text: unknown, path: Path) => void,
): ToolNames {
  const names: ToolNames = { exact: new Set(), openServers: new Map() };
  const seen = new Set<string>();
  list(tools).forEach((raw, i) => {
    const entry = record(raw);
    if (!entry) return;
    const id =
      typeof entry.mcp === 'string'
        ? entry.mcp
        : typeof entry.builtin === 'string'
          ? entry.builtin
          : undefined;
    const key = typeof entry.mcp === 'string' ? 'mcp' : 'builtin';
    if (id === undefined) return;
    if (seen.has(id)) {
      report(
        ['tools', i, key],
        `${key === 'mcp' ? 'MCP server' : 'built-in tool'} "${id}" is listed twice in tools`,
        {
          code: 'duplicate_tool',
        },
      );
    }
    seen.add(id);
    if (key === 'builtin') {
      names.exact.add(id);
      checkTemplate(entry.goodbye, ['tools', i, 'goodbye']);
      checkTemplate(entry.announcement, ['tools', i, 'announcement']);
      const destinations = new Set<string>();
      list(entry.destinations).forEach((d, j) => {
        const name = record(d)?.name;
        if (typeof name !== 'string') return;
        if (destinations.has(name)) {
          report(['tools', i, 'destinations', j, 'name'], `transfer destination "${name}" is listed twice`, {
            code: 'duplicate_destination',
          });
        }
        destinations.add(name);
      });
      return;
    }
    const allow = Array.isArray(entry.allow) ? strings(entry.allow) : undefined;
    const deny = strings(entry.deny);
    strings(entry.deny).forEach((tool, j) => {
      if (allow?.includes(tool)) {
        report(['tools', i, 'deny', j], `"${tool}" is both allowed and denied`, {
          code: 'conflicting_tool_lists',
        });
      }
    });
    if (allow) {
      for (const tool of allow) if (!deny.includes(tool)) names.exact.add(`${id}__${tool}`);
    } else {
      names.openServers.set(id, new Set(deny));
    }
    for (const [tool, settings] of Object.entries(record(entry.settings) ?? {})) {
      const path = ['tools', i, 'settings', tool];
      if (allow && !allow.includes(tool)) {
        report(path, `settings for "${tool}", which is not in allow${didYouMean(tool, allow)}`, {
          code: 'unknown_tool',
          at: 'key',
        });
      } else if (deny.includes(tool)) {
        report(path, `settings for "${tool}", which is denied`, { code: 'unknown_tool', at: 'key' });
      }
      list(record(settings)?.fillers).forEach((filler, j) => {
        checkTemplate(filler, [...path, 'fillers', j]);
      });
    }
  });
  return names;
}

function checkTests(tests: unknown, known: string[], tools: ToolNames, report: Report): void {
  const offered = (name: string) => {
    if (tools.exact.has(name)) return true;
    const split = name.indexOf('__');
    if (split <= 0) return false;
    const denied = tools.openServers.get(name.slice(0, split));
    return denied !== undefined && !denied.has(name.slice(split + 2));
  };
  const checkTool = (name: unknown, path: Path) => {
    if (typeof name !== 'string' || offered(name)) return;
    if ((BUILTIN_TOOLS as readonly string[]).includes(name)) {
      report(path, `built-in tool "${name}" is not enabled: add \`- builtin: ${name}\` to tools`, {
        code: 'unknown_tool',
      });
      return;
    }
    const prefixed = [...tools.exact].find((t) => t.endsWith(`__${name}`));
    const hint = prefixed ? ` (did you mean "${prefixed}"?)` : didYouMean(name, tools.exact);
    const form = name.includes('__') ? '' : ' (MCP tools are named <server>__<tool>, e.g. crm__add_note)';
    report(path, `unknown tool "${name}"${hint}: it is not offered by this manifest's tools${form}`, {
      code: 'unknown_tool',
    });
  };
  const names = new Set<string>();
  list(tests).forEach((raw, i) => {
    const test = record(raw);
    if (!test) return;
    if (typeof test.name === 'string') {
      if (names.has(test.name))
        report(['tests', i, 'name'], `two tests are named "${test.name}"`, { code: 'duplicate_test' });
      names.add(test.name);
    }
    for (const variable of Object.keys(record(test.variables) ?? {})) {
      if (!known.includes(variable)) {
        report(
          ['tests', i, 'variables', variable],
          `undeclared variable "${variable}"${didYouMean(variable, known)}`,
          {
            code: 'undeclared_variable',
            at: 'key',
          },
        );
      }
    }
    list(test.turns).forEach((turn, j) => {
      const expect = record(record(turn)?.expect);
      list(expect?.toolCalls).forEach((call, k) => {
        checkTool(record(call)?.tool, ['tests', i, 'turns', j, 'expect', 'toolCalls', k, 'tool']);
      });
      list(expect?.notCalled).forEach((name, k) => {
        checkTool(name, ['tests', i, 'turns', j, 'expect', 'notCalled', k]);
      });
    });
  });
}
