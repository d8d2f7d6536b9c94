import { describe, expect, it } from 'vitest';
import { VrmError } from '../errors.js';
import { callVariables, renderTemplate, scanTemplate } from './template.js';

describe('renderTemplate', () => {
  it('replaces built-in and custom variables, with or without spaces inside the braces', () => {
    const text = renderTemplate('Hi from {{ business }}, calling {{caller.number}}. Open: {{open}}', {
      business: 'Acme',
      'caller.number': '+15125550123',
      open: true,
    });
    expect(text).toBe('Hi from Acme, calling +15125550123. Open: true');
  });

  it('leaves text without variables unchanged', () => {
    expect(renderTemplate('Just text { not a variable }', {})).toBe('Just text { not a variable }');
  });

  it('refuses to render a variable it has no value for', () => {
    expect(() => renderTemplate('Hello {{name}}', {})).toThrow(VrmError);
    expect(() => renderTemplate('Hello {{name}}', {})).toThrow(/"name"/);
  });

  it('refuses malformed references', () => {
    expect(() => renderTemplate('Hello {{ name', { name: 'x' })).toThrow(/unclosed/);
  });
});

describe('scanTemplate', () => {
  it('finds each reference with its offset and reports malformed ones', () => {
    const { references, errors } = scanTemplate('A {{a}} B {{ 1x }} C {{ caller.number }} D {{ open');
    expect(references).toEqual([
      { name: 'a', raw: '{{a}}', offset: 2 },
      { name: 'caller.number', raw: '{{ caller.number }}', offset: 21 },
    ]);
    expect(errors.map((e) => e.offset)).toEqual([10, 43]);
  });
});

describe('callVariables', () => {
  const manifest = {
    name: 'front-desk',
    timezone: 'America/Chicago',
    variables: { business: { default: 'Acme' }, tier: { default: 'standard' } },
  };

  it('merges defaults, per-call overrides and built-ins, and formats now in the agent time zone', () => {
    const values = callVariables(manifest, {
      callId: 'call-1',
      callerNumber: '+15125550123',
      now: new Date('2026-03-03T20:05:00Z'),
      overrides: { tier: 'gold', undeclared: 'ignored' },
    });
    expect(values).toEqual({
      business: 'Acme',
      tier: 'gold',
      'caller.number': '+15125550123',
      'called.number': 'unknown',
      'call.id': 'call-1',
      'agent.name': 'front-desk',
      now: 'Tuesday, March 3, 2026 at 2:05 PM (America/Chicago)',
    });
  });
});
