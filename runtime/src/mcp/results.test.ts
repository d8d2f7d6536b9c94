import { ProtocolError, ProtocolErrorCode, SdkError, SdkErrorCode } from '@modelcontextprotocol/client';
import { describe, expect, it } from 'vitest';
import { errorResult, isConnectionError, normalizeCallResult } from './results.js';

describe('normalizeCallResult', () => {
  it('joins text blocks and summarises images, audio and resources', () => {
    const result = normalizeCallResult({
      content: [
        { type: 'text', text: 'Here is the chart.' },
        { type: 'image', data: 'iVBOR', mimeType: 'image/png' },
        { type: 'audio', data: 'UklG', mimeType: 'audio/wav' },
        { type: 'resource_link', name: 'invoice', uri: 'crm://invoices/7' },
        { type: 'resource', resource: { uri: 'crm://notes/1', text: 'Call back Tuesday' } },
        { type: 'resource', resource: { uri: 'crm://files/2', blob: 'AAAA', mimeType: 'application/pdf' } },
      ],
    });
    expect(result.status).toBe('ok');
    expect(result.text).toBe(
      [
        'Here is the chart.',
        '[image (image/png) returned; not shown]',
        '[audio (audio/wav) returned; not played]',
        '[resource link: invoice crm://invoices/7]',
        '[resource crm://notes/1]\nCall back Tuesday',
        '[binary resource crm://files/2 (application/pdf)]',
      ].join('\n'),
    );
    expect(result.text).not.toContain('iVBOR');
  });

  it('keeps structured content and falls back to it for text', () => {
    const result = normalizeCallResult({ content: [], structuredContent: { balance: 12.5 } });
    expect(result).toEqual({
      text: '{"balance":12.5}',
      structured: { balance: 12.5 },
      isError: false,
      status: 'ok',
    });
  });

  it('keeps isError results as errors', () => {
    expect(normalizeCallResult({ content: [{ type: 'text', text: 'no such id' }], isError: true })).toEqual({
      text: 'no such id',
      isError: true,
      status: 'error',
    });
  });
});

describe('errorResult', () => {
  it('maps a thrown -32602 unknown-tool error (2.x servers) to not_found', () => {
    const error = new ProtocolError(ProtocolErrorCode.InvalidParams, 'Tool lookup not found');
    expect(errorResult(error, 'lookup')).toMatchObject({ isError: true, status: 'not_found' });
  });

  it('maps other JSON-RPC errors to a readable error result', () => {
    const error = new ProtocolError(ProtocolErrorCode.InternalError, 'database down');
    expect(errorResult(error, 'lookup')).toEqual({
      text: 'The tool failed: database down',
      isError: true,
      status: 'error',
    });
  });
});

describe('isConnectionError', () => {
  it('recognises closed connections and network failures but not tool errors', () => {
    expect(isConnectionError(new SdkError(SdkErrorCode.ConnectionClosed, 'Connection closed'))).toBe(true);
    expect(isConnectionError(new TypeError('fetch failed'))).toBe(true);
    expect(isConnectionError(new SdkError(SdkErrorCode.RequestTimeout, 'Request timed out'))).toBe(false);
    expect(isConnectionError(new ProtocolError(ProtocolErrorCode.InternalError, 'x'))).toBe(false);
  });
});
