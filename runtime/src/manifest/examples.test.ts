import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatProblem, parseManifest } from './index.js';

const examplesDir = fileURLToPath(new URL('../../../examples/', import.meta.url));
const examples = readdirSync(examplesDir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(`${examplesDir}${d.name}/agent.yaml`))
  .map((d) => d.name);

describe('example agents', () => {
  it('include the front desk, the payment collector and the after-hours agent', () => {
    expect(examples).toEqual(expect.arrayContaining(['front-desk', 'payment-collector', 'after-hours']));
  });

  it.each(examples)('%s validates, is named after its folder and has a README', (name) => {
    const file = `examples/${name}/agent.yaml`;
    const result = parseManifest(readFileSync(`${examplesDir}${name}/agent.yaml`, 'utf8'), file);
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([]);
    if (!result.ok) return;
    expect(result.manifest.name).toBe(name);
    expect(existsSync(`${examplesDir}${name}/README.md`)).toBe(true);
    // Examples teach the format: each shows fallbacks, analysis, a webhook and conversation tests.
    expect(result.manifest.llm.fallbacks.length).toBeGreaterThan(0);
    expect(result.manifest.analysis.successCriteria?.length).toBeGreaterThan(0);
    expect(result.manifest.webhooks.length).toBeGreaterThan(0);
    expect(result.manifest.tests.length).toBeGreaterThanOrEqual(2);
  });

  it('ask for a spoken confirmation before the payment collector moves money', () => {
    const result = parseManifest(readFileSync(`${examplesDir}payment-collector/agent.yaml`, 'utf8'));
    if (!result.ok) throw new Error('payment-collector is invalid');
    const payments = result.manifest.tools.find((t) => 'mcp' in t && t.mcp === 'payments');
    expect(payments && 'settings' in payments ? payments.settings.refund_payment?.confirm : undefined).toBe(
      true,
    );
  });
});
