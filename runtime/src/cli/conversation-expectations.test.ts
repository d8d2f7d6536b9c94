import { describe, expect, it } from 'vitest';
import { checkTurn, type ObservedCall, subsetMismatch } from './conversation-expectations.js';

const ran = (tool: string, args: unknown = {}): ObservedCall => ({ tool, arguments: args, ran: true });

describe('reply expectations', () => {
  const observed = { reply: 'Your visit is  BOOKED for\nTuesday.', calls: [] };

  it('compares contains and notContains case-insensitively, over the whole reply', () => {
    expect(
      checkTurn({ reply: { contains: ['booked for tuesday'], notContains: 'cancel' } }, observed),
    ).toEqual([]);
    expect(checkTurn({ reply: { contains: 'Wednesday', notContains: ['Booked'] } }, observed)).toEqual([
      {
        expectation: 'reply.contains',
        expected: 'a reply containing "Wednesday"',
        actual: '"Your visit is BOOKED for Tuesday."',
      },
      {
        expectation: 'reply.notContains',
        expected: 'a reply without "Booked"',
        actual: '"Your visit is BOOKED for Tuesday."',
      },
    ]);
  });

  it('matches regex with the i flag and says when the agent said nothing', () => {
    expect(checkTurn({ reply: { regex: '(monday|tuesday)' } }, observed)).toEqual([]);
    expect(checkTurn({ reply: { regex: '^sorry' } }, { reply: '', calls: [] })).toEqual([
      {
        expectation: 'reply.regex',
        expected: 'a reply matching /^sorry/i',
        actual: '(the agent said nothing)',
      },
    ]);
  });
});

describe('tool call expectations', () => {
  it('accepts expected calls in order with other calls between', () => {
    const calls = [
      ran('crm__find', { phone: '+1' }),
      ran('crm__slots'),
      ran('crm__book', { slot: 2, notes: 'leak' }),
    ];
    expect(
      checkTurn(
        { toolCalls: [{ tool: 'crm__find' }, { tool: 'crm__book', arguments: { slot: 2 } }] },
        { reply: '', calls },
      ),
    ).toEqual([]);
  });

  it('rejects calls out of order and names the call that came first', () => {
    const calls = [ran('crm__book'), ran('crm__find')];
    const failures = checkTurn(
      { toolCalls: [{ tool: 'crm__find' }, { tool: 'crm__book' }] },
      { reply: '', calls },
    );
    expect(failures).toHaveLength(1);
    expect(failures[0]!.expectation).toBe('toolCalls[1]');
    expect(failures[0]!.expected).toBe('a call to crm__book after crm__find');
    expect(failures[0]!.actual).toContain('crm__book was called, but not after the previous expected call');
  });

  it('explains the first argument that differs', () => {
    const calls = [ran('crm__find', { phone: '+15125550000', options: { exact: true } })];
    const [failure] = checkTurn(
      { toolCalls: [{ tool: 'crm__find', arguments: { phone: '+15125550123' } }] },
      { reply: '', calls },
    );
    expect(failure!.expected).toBe('a call to crm__find with arguments including {"phone":"+15125550123"}');
    expect(failure!.actual).toContain('arguments.phone is "+15125550000", expected "+15125550123"');
    expect(failure!.actual).toContain('calls: crm__find({"phone":"+15125550000","options":{"exact":true}})');
  });

  it('does not count a call held for confirmation, and says why it did not run', () => {
    const held: ObservedCall = {
      tool: 'pay__charge',
      arguments: { amount: 5 },
      ran: false,
      note: 'Not run yet: the caller is being asked to confirm it.',
    };
    const observed = { reply: 'Shall I go ahead?', calls: [held] };
    expect(checkTurn({ notCalled: ['pay__charge'] }, observed)).toEqual([]);
    const [failure] = checkTurn({ toolCalls: [{ tool: 'pay__charge' }] }, observed);
    expect(failure!.actual).toContain(
      'pay__charge was not run: Not run yet: the caller is being asked to confirm it.',
    );
  });

  it('fails notCalled when the tool ran', () => {
    expect(
      checkTurn({ notCalled: ['pay__charge'] }, { reply: '', calls: [ran('pay__charge', { amount: 5 })] }),
    ).toEqual([
      {
        expectation: 'notCalled',
        expected: 'no call to pay__charge',
        actual: 'called pay__charge({"amount":5})',
      },
    ]);
  });

  it('reports a turn without calls plainly', () => {
    const [failure] = checkTurn({ toolCalls: [{ tool: 'end_call' }] }, { reply: 'Bye', calls: [] });
    expect(failure!.actual).toBe('no tool calls');
  });
});

describe('subsetMismatch', () => {
  it('matches nested objects as subsets and lists element by element', () => {
    const actual = { a: 1, b: { c: 'x', d: [1, { e: true, f: 0 }] }, g: null };
    expect(subsetMismatch({ b: { d: [1, { e: true }] } }, actual)).toBeUndefined();
    expect(subsetMismatch({ b: { d: [1] } }, actual)).toBe(
      'arguments.b.d has 2 items, expected 1: [1,{"e":true,"f":0}]',
    );
    expect(subsetMismatch({ b: { c: 'y' } }, actual)).toBe('arguments.b.c is "x", expected "y"');
    expect(subsetMismatch({ h: 1 }, actual)).toBe('arguments.h is missing (expected 1)');
    expect(subsetMismatch({ a: '1' }, actual)).toBe('arguments.a is 1, expected "1"');
    expect(subsetMismatch({ a: 1 }, 'not json')).toBe('arguments is "not json", not an object');
  });
});
