import { describe, expect, it } from 'vitest';
import { parseManifest } from '../manifest/index.js';
import { manifestMcpEntries, manifestToolBinding, manifestVoiceSettings } from './manifest-tools.js';

const yaml = `apiVersion: vrm/v1
kind: Agent
name: shop
instructions: Help with orders.
llm: { provider: openai, model: gpt-4o-mini }
stt: { provider: deepgram, model: nova-3 }
tts: { provider: cartesia, model: sonic-2, voice: a0e99841-438c-4a64-b679-ae501e7d6091 }
tools:
  - mcp: orders
    deny: [delete_order]
    timeoutMs: 4000
    settings:
      request_return:
        confirm: true
        timeoutMs: 12000
        pinned: { channel: phone }
        fillers: [One moment while I file that.]
`;

describe('manifest tools as catalog bindings', () => {
  it('carries confirmation, hidden arguments, per-tool timeouts and the organization’s disabled tools', () => {
    const parsed = parseManifest(yaml);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    const [entry] = manifestMcpEntries(parsed.manifest);
    expect(manifestToolBinding(entry!, 'srv-1', ['lookup_order'])).toEqual({
      serverId: 'srv-1',
      deny: ['delete_order', 'lookup_order'],
      confirm: ['request_return'],
      pinnedArguments: { request_return: { channel: 'phone' } },
      timeoutMs: 4000,
      toolTimeouts: { request_return: 12000 },
    });
    const voice = manifestVoiceSettings([entry!]);
    expect(voice('orders', 'request_return')?.fillers).toEqual(['One moment while I file that.']);
    expect(voice('orders', 'lookup_order')).toBeUndefined();
  });
});
