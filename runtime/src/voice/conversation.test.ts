import { describe, expect, it } from 'vitest';
import { Conversation } from './conversation.js';
import { PlaybackTracker } from './playback.js';

describe('Conversation', () => {
  it('keeps only the words the caller heard of an interrupted reply', () => {
    const c = new Conversation('Be brief.');
    c.addUser('What are your hours?');
    c.addSpoken(1, 'We open at nine. ');
    c.addSpoken(1, 'We close at five on weekdays.');
    const unheard = c.interrupt(1, () => 5);
    expect(c.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'What are your hours?' },
      { role: 'assistant', content: 'We open at nine. We' },
    ]);
    expect(unheard).toBe('close at five on weekdays.');
  });

  it('drops a reply the caller never heard, and ignores its late text', () => {
    const c = new Conversation('');
    c.addUser('Hi');
    c.addSpoken(2, 'Hello! ');
    c.interrupt(2, () => 0);
    c.addSpoken(2, 'How can I help?');
    expect(c.messages).toEqual([{ role: 'user', content: 'Hi' }]);
  });

  it('does not cut a settled reply, and keeps tool calls valid', () => {
    const c = new Conversation('');
    c.addUser('Find Bob');
    c.addSpoken(1, 'Let me look. ');
    c.addToolCalls(1, [{ id: 'c1', name: 'crm__find_contact', arguments: '{"name":"Bob"}' }]);
    c.addSpoken(1, 'One moment please.', { inHistory: false });
    c.addToolResult('c1', '{"phone":"555"}');
    c.addSpoken(1, "Bob's number is 555.");
    c.settle(1);
    expect(c.interrupt(-1, () => 0)).toBe('');
    expect(c.messages).toEqual([
      { role: 'user', content: 'Find Bob' },
      {
        role: 'assistant',
        content: 'Let me look. ',
        toolCalls: [{ id: 'c1', name: 'crm__find_contact', arguments: '{"name":"Bob"}' }],
      },
      { role: 'tool', toolCallId: 'c1', content: '{"phone":"555"}' },
      { role: 'assistant', content: "Bob's number is 555." },
    ]);
  });

  it('counts filler words as heard speech without putting them in the history', () => {
    const c = new Conversation('');
    c.addToolCalls(1, [{ id: 'c1', name: 'slow', arguments: '{}' }]);
    c.addSpoken(1, 'One moment please. ', { inHistory: false });
    c.addToolResult('c1', 'done');
    c.addSpoken(1, 'It is done now.');
    c.interrupt(1, () => 5);
    expect(c.messages.at(-1)).toEqual({ role: 'assistant', content: 'It is' });
  });
});

describe('PlaybackTracker', () => {
  it('estimates heard words from mark echoes and word timings', () => {
    const t = new PlaybackTracker(8000);
    t.onText(1, 'one two three four');
    expect(t.onAudio(1, 8000, 0)).toEqual({ first: true, mark: '1:8000' });
    expect(t.onAudio(1, 8000, 10)).toEqual({ first: false, mark: '1:16000' });
    t.onWords(1, [0.5, 1, 1.5, 2]);
    t.onMark('1:8000', 1100);
    expect(t.heardWords(1, 1300)).toBe(2); // 1.2 s played
    expect(t.onMark(t.onDone(1), 2100)).toEqual({ finished: 1 });
    expect(t.pendingEnd()).toBe(false);
  });

  it('uses the speaking rate while a reply without timings is still arriving', () => {
    const t = new PlaybackTracker(8000);
    t.onText(1, 'a b c d e f g h');
    t.onAudio(1, 16000, 0);
    expect(t.heardWords(1, 1000)).toBe(2);
    t.onDone(1);
    expect(t.heardWords(1, 1000)).toBe(4);
    expect([...t.interrupt(1, 1000)]).toEqual([[1, 4]]);
  });
});
