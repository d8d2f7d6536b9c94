import { z } from 'zod';
import type { ProviderLatencies } from './fakes.js';
import { AGENT_GREETING } from './fakes.js';

const SignupSchema = z.object({ token: z.string().min(1) });
const AgentSchema = z.object({ id: z.string().min(1) }).loose();

/** The benchmark agent's manifest: no tools, the fakes' endpointing, barge-in after 50 ms of words. */
export function benchManifest(latencies: ProviderLatencies): string {
  return `apiVersion: vrm/v1
kind: Agent
name: bench-agent
greeting: ${AGENT_GREETING}
instructions: You are a benchmark agent. Answer in one short sentence.
llm: { provider: openai, model: gpt-4o-mini }
stt: { provider: deepgram, model: nova-3, language: en-US }
tts: { provider: cartesia, model: sonic-2, voice: 79a125e8-cd45-4c13-8a67-188112f4dd22 }
turnTaking:
  endpointingMs: ${latencies.endpointingMs}
  bargeIn: { minDurationMs: 50, resumeOnFalseInterruption: false }
  silence: { timeoutMs: 120000 }
`;
}

/** Signs up an organization and creates the benchmark agent through the real API; returns its id. */
export async function createBenchAgent(baseUrl: string, latencies: ProviderLatencies): Promise<string> {
  const signup = await fetch(`${baseUrl}/v1/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      email: 'bench@example.com',
      password: 'benchmark passphrase',
      organization: 'Bench',
    }),
  });
  if (signup.status !== 201) throw new Error(`signup answered ${signup.status}: ${await signup.text()}`);
  const { token } = SignupSchema.parse(await signup.json());
  const created = await fetch(`${baseUrl}/v1/agents`, {
    method: 'POST',
    headers: { 'content-type': 'application/yaml', authorization: `Bearer ${token}` },
    body: benchManifest(latencies),
  });
  if (created.status !== 201)
    throw new Error(`creating the agent answered ${created.status}: ${await created.text()}`);
  const body = (await created.json()) as unknown;
  const agent = AgentSchema.safeParse((body as { agent?: unknown }).agent ?? body);
  if (!agent.success) throw new Error(`unexpected agent response: ${JSON.stringify(body).slice(0, 200)}`);
  return agent.data.id;
}
