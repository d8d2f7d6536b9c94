import { describe, expect, it } from 'vitest';
import { builtinToolSpec } from './builtin-tools.js';

describe('builtinToolSpec', () => {
  it('offers transfer_call with the manifest destinations as the only choices', () => {
    const spec = builtinToolSpec({
      builtin: 'transfer_call',
      announcement: 'Please hold.',
      destinations: [
        { name: 'office', number: '+15125550100', description: 'General questions.' },
        { name: 'on-call', number: '+15125550199', description: 'Emergencies.' },
      ],
    });
    expect(spec.description).toContain('on-call: Emergencies.');
    expect(spec.input.safeParse({ destination: 'on-call' }).success).toBe(true);
    expect(spec.input.safeParse({ destination: 'sales' }).success).toBe(false);
  });

  it('uses the default description unless the manifest gives one, and checks DTMF digits', () => {
    expect(builtinToolSpec({ builtin: 'end_call' }).description).toMatch(/said goodbye/);
    const dtmf = builtinToolSpec({ builtin: 'send_dtmf', description: 'Press 1 for billing menus.' });
    expect(dtmf.description).toBe('Press 1 for billing menus.');
    expect(dtmf.input.safeParse({ digits: '1w2#' }).success).toBe(true);
    expect(dtmf.input.safeParse({ digits: 'call me' }).success).toBe(false);
  });
});
