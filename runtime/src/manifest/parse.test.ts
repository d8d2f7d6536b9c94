import { describe, expect, it } from 'vitest';
import { formatProblem, parseManifest } from './index.js';

/** The minimal manifest from DESIGN.md. */
const minimal = `apiVersion: vrm/v1
kind: Agent
name: front-desk
greeting: Thanks for calling Acme. How can I help?
instructions: |
  You are the front desk of Acme Plumbing. Be brief.
llm: { provider: openai, model: gpt-4o-mini }
stt: { provider: deepgram, model: nova-3 }
tts: { provider: cartesia, model: sonic-2, voice: 694f9389-aac1-45b6-b726-9d9369183238 }
tools:
  - mcp: crm              # a registered MCP server, by name
    allow: [find_contact, add_note]
`;

function parsed(text: string) {
  const result = parseManifest(text, 'agent.yaml');
  if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
  return result;
}

describe('parseManifest', () => {
  it('loads the minimal manifest and fills in every default', () => {
    const { manifest } = parsed(minimal);
    expect(manifest.name).toBe('front-desk');
    expect(manifest.tools).toEqual([
      { mcp: 'crm', allow: ['find_contact', 'add_note'], deny: [], timeoutMs: 10_000, settings: {} },
    ]);
    expect(manifest.llm.fallbacks).toEqual([]);
    expect(manifest.turnTaking).toMatchObject({
      endpointingMs: 500,
      bargeIn: { enabled: true, minDurationMs: 500, resumeOnFalseInterruption: true },
      silence: { timeoutMs: 10_000, reprompt: 'Are you still there?', maxReprompts: 2 },
      maxCallSeconds: 1_800,
    });
    expect(manifest.timezone).toBe('UTC');
    expect(manifest.analysis.summary.enabled).toBe(true);
    expect(manifest.webhooks).toEqual([]);
    expect(manifest.tests).toEqual([]);
  });

  it('gives the same hash to the same manifest written differently', () => {
    const reformatted = `# The front desk agent
kind: Agent
apiVersion: "vrm/v1"
name: 'front-desk'
instructions: "You are the front desk of Acme Plumbing. Be brief.\\n"
greeting: Thanks for calling Acme. How can I help?
tts:
  voice: 694f9389-aac1-45b6-b726-9d9369183238
  model: sonic-2
  provider: cartesia
stt: { model: nova-3, provider: deepgram }
llm: { provider: openai, model: gpt-4o-mini, fallbacks: [] }
tools: [{ allow: [find_contact, add_note], mcp: crm }]
turnTaking: { bargeIn: { enabled: true } }
`;
    const a = parsed(minimal);
    const b = parsed(reformatted);
    expect(b.hash).toBe(a.hash);
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(parsed(minimal.replace('Be brief.', 'Be very brief.')).hash).not.toBe(a.hash);
  });

  it('reports problems with file, position, path and code, formatted as file:line:col message', () => {
    const result = parseManifest(minimal.replace('    allow:', '    alow:'), 'agents/front.yaml');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      {
        file: 'agents/front.yaml',
        line: 12,
        col: 5,
        path: ['tools', '0', 'alow'],
        code: 'unknown_key',
        message: 'unknown key "alow" in tools[0] (did you mean "allow"?)',
      },
    ]);
    expect(formatProblem(result.problems[0]!)).toBe(
      'agents/front.yaml:12:5 unknown key "alow" in tools[0] (did you mean "allow"?)',
    );
  });

  it('names the file as <manifest> when none is given', () => {
    const result = parseManifest('kind: Agent\n');
    expect(result.ok || result.problems[0]?.file).toBe('<manifest>');
  });

  it('points at the exact column of an unknown variable inside a block scalar', () => {
    const text = minimal.replace('Be brief.', 'Be brief.\n  Greet {{ caller.name }} by name.');
    const result = parseManifest(text, 'a.yaml');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => [p.line, p.col, p.code])).toEqual([[7, 9, 'undeclared_variable']]);
  });

  it('accepts declared variables in every template field', () => {
    const text = minimal
      .replace('name: front-desk\n', 'name: front-desk\nvariables:\n  business: { default: Acme }\n')
      .replace('Thanks for calling Acme.', 'Thanks for calling {{business}}.')
      .replace('Be brief.', 'Be brief. It is {{now}}; the caller is {{ caller.number }}.')
      .concat('turnTaking:\n  silence: { reprompt: "Still there? This is {{business}}." }\n');
    expect(parsed(text).manifest.variables).toEqual({ business: { default: 'Acme' } });
  });

  it('follows aliases to report problems and refuses alias bombs', () => {
    const withAlias = `${minimal}webhooks:\n  - url: https://hooks.example.com/a\n    events: &events [call.ended, call.over]\n    signingSecret: { secret: HOOK_SECRET }\n  - url: https://hooks.example.com/b\n    events: *events\n    signingSecret: { secret: HOOK_SECRET }\n`;
    const result = parseManifest(withAlias, 'a.yaml');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => `${p.line}:${p.col} ${p.path.join('.')}`)).toEqual([
      '15:34 webhooks.0.events.1',
      '15:34 webhooks.1.events.1',
    ]);
    const bomb = `a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n`;
    const exploded = parseManifest(bomb, 'bomb.yaml');
    expect(exploded.ok).toBe(false);
    if (!exploded.ok) expect(exploded.problems[0]?.code).toBe('yaml_syntax');
  });

  it('rejects a file holding several YAML documents', () => {
    const result = parseManifest(`${minimal}---\nkind: Agent\n`, 'a.yaml');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.map((p) => [p.line, p.code])).toEqual([[13, 'yaml_syntax']]);
  });

  it('never echoes a secret written inline', () => {
    const text = `${minimal}webhooks:\n  - url: https://hooks.example.com/a\n    events: [call.ended]\n    signingSecret: whsec_live_4f9a0c2b\n`;
    const result = parseManifest(text, 'a.yaml');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(JSON.stringify(result.problems)).not.toContain('whsec_live_4f9a0c2b');
  });

  it('offers every MCP tool of a server without an allow list, except denied ones, to tests', () => {
    const text = minimal
      .replace('    allow: [find_contact, add_note]\n', '    deny: [delete_contact]\n')
      .concat(
        'tests:\n  - name: t\n    turns:\n      - caller: hi\n        expect:\n          toolCalls: [{ tool: crm__anything }]\n          notCalled: [crm__delete_contact]\n',
      );
    const result = parseManifest(text, 'a.yaml');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.path.join('.'))).toEqual(['tests.0.turns.0.expect.notCalled.0']);
  });
});
