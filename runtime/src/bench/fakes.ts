import { type CartesiaServer, startCartesiaServer } from '../testing/cartesia-server.js';
import {
  type DeepgramConnection,
  type DeepgramServer,
  startDeepgramServer,
} from '../testing/deepgram-server.js';
import { type OpenAIServer, startOpenAIServer } from '../testing/openai-server.js';
import {
  generateTestCertificate,
  type TestCertificateFiles,
  testTlsEnv,
  writeTestCertificate,
} from '../testing/tls.js';

/** The fixed latencies the provider test servers add: what a turn costs outside the runtime. */
export interface ProviderLatencies {
  /** Caller silence before the STT declares the utterance finished (the manifest's endpointingMs). */
  readonly endpointingMs: number;
  /** Delay on every STT server message. */
  readonly sttMs: number;
  /** LLM time to first token. */
  readonly llmFirstTokenMs: number;
  /** LLM delay between streamed tokens. */
  readonly llmTokenMs: number;
  /** TTS delay before a context's first audio. */
  readonly ttsFirstAudioMs: number;
  /** TTS pause between 100 ms audio chunks (0 = all at once; 40 = 2.5× real time). */
  readonly ttsChunkIntervalMs: number;
}

export const DEFAULT_LATENCIES: ProviderLatencies = {
  endpointingMs: 200,
  sttMs: 30,
  llmFirstTokenMs: 150,
  llmTokenMs: 10,
  ttsFirstAudioMs: 80,
  ttsChunkIntervalMs: 40,
};

/** The agent's scripted words. 50 ms of TTS audio per character: the reply plays for 2.45 s. */
export const AGENT_GREETING = 'Hello, how can I help?';
export const AGENT_REPLY = 'Okay. Your table for two is booked at seven tonight.';
/** What the caller "says": each loud stretch of caller audio is transcribed as the next line. */
export const CALLER_LINES = ['I would like to book a table please.', 'Wait, make that three people.'];

/** A Deepgram server message as the STT test server decided it, and when (before its latency). */
export type SttListener = (message: Record<string, unknown>, decidedAt: number) => void;

/** One STT session seen from the test server's side, for the call that opened it. */
export interface SttTap {
  readonly connection: DeepgramConnection;
  /** Replaced per measurement; called for every message the server sends on this session. */
  listener: SttListener | undefined;
}

export interface ProviderFakes {
  readonly latencies: ProviderLatencies;
  readonly deepgram: DeepgramServer;
  readonly openai: OpenAIServer;
  readonly cartesia: CartesiaServer;
  readonly certificateFiles: TestCertificateFiles;
  /** Env for the runtime process: base URLs, keys and the trusted test certificate. */
  readonly runtimeEnv: Record<string, string>;
  /**
   * Resolves with the next STT session the servers accept. Calls are dialled one at a time, each
   * after the previous one's session opened, so the n-th waiter is the n-th call's session.
   */
  nextSttSession(timeoutMs?: number): { session: Promise<SttTap>; cancel(): void };
  close(): Promise<void>;
}

/** Starts the Deepgram, OpenAI and Cartesia test servers on 127.0.0.1 with fixed latencies. */
export async function startProviderFakes(
  latencies: ProviderLatencies = DEFAULT_LATENCIES,
): Promise<ProviderFakes> {
  const certificate = generateTestCertificate();
  const certificateFiles = writeTestCertificate(certificate);
  const waiting: Array<(tap: SttTap) => void> = [];
  const script = Array.from({ length: 400 }, (_, i) => ({
    transcript: CALLER_LINES[i % CALLER_LINES.length]!,
  }));

  const deepgram = await startDeepgramServer({
    latencyMs: latencies.sttMs,
    // Long calls: the runtime sends audio continuously, so the idle timeout never fires anyway.
    inactivityTimeoutMs: 60_000,
    script: (connection) => {
      const tap: SttTap = { connection, listener: undefined };
      tapSentMessages(connection, tap);
      waiting.shift()?.(tap);
      return script;
    },
  });
  const openai = await startOpenAIServer({
    reply: () => AGENT_REPLY,
    timeToFirstTokenMs: latencies.llmFirstTokenMs,
    tokenDelayMs: latencies.llmTokenMs,
  });
  const cartesia = await startCartesiaServer({
    certificate,
    latencyMs: latencies.ttsFirstAudioMs,
    chunkIntervalMs: latencies.ttsChunkIntervalMs,
  });

  return {
    latencies,
    deepgram,
    openai,
    cartesia,
    certificateFiles,
    runtimeEnv: {
      DEEPGRAM_API_KEY: 'bench-deepgram-key',
      DEEPGRAM_BASE_URL: deepgram.url,
      OPENAI_API_KEY: 'bench-openai-key',
      OPENAI_BASE_URL: openai.url,
      CARTESIA_API_KEY: 'bench-cartesia-key',
      CARTESIA_BASE_URL: cartesia.url,
      ...testTlsEnv(certificateFiles),
    },
    nextSttSession(timeoutMs = 30_000) {
      let entry!: (tap: SttTap) => void;
      let timer: NodeJS.Timeout | undefined;
      const cancel = () => {
        clearTimeout(timer);
        const i = waiting.indexOf(entry);
        if (i >= 0) waiting.splice(i, 1);
      };
      const session = new Promise<SttTap>((resolve, reject) => {
        entry = (tap) => {
          clearTimeout(timer);
          resolve(tap);
        };
        timer = setTimeout(() => {
          cancel();
          reject(new Error(`no STT session opened within ${timeoutMs} ms`));
        }, timeoutMs);
        waiting.push(entry);
      });
      return { session, cancel };
    },
    async close() {
      await Promise.all([deepgram.close(), openai.close(), cartesia.close()]);
    },
  };
}

/**
 * The Deepgram test server records each message it sends in `connection.sent` at the moment it
 * decides to send it (its fixed latency follows). It has no callback, so the benchmark observes
 * that record: each push is timestamped and handed to the session's listener. Nothing is kept,
 * so a long benchmark does not grow the record.
 */
function tapSentMessages(connection: DeepgramConnection, tap: SttTap): void {
  const sent = connection.sent as Record<string, unknown>[];
  sent.push = (...messages: Record<string, unknown>[]) => {
    const at = performance.now();
    for (const m of messages) tap.listener?.(m, at);
    return 0;
  };
}
