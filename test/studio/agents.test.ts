import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type StudioHarness, setEditorText, signUp, startStudio } from './harness.js';

const MANIFEST_WITH_TYPO = `apiVersion: vrm/v1
kind: Agent
name: front-desk
description: Answers the phone for Acme Plumbing.
greeting: Thanks for calling Acme. How can I help?
instructions: |
  You are the front desk of Acme Plumbing. Be brief.
llm: { provider: openai, model: gpt-4o-mini }
stt:
  provider: deepgram
  modle: nova-3
tts: { provider: cartesia, model: sonic-2, voice: 79a125e8-cd45-4c13-8a67-188112f4dd22 }
`;

let studio: StudioHarness;

beforeAll(async () => {
  studio = await startStudio();
});

afterEach(async (context) => {
  if (context.task.result?.state === 'fail') await studio?.debugSnapshot(context.task.name);
});

afterAll(async () => {
  await studio?.close();
});

describe('the studio: agents', () => {
  it('signs up and lands on an empty agents list', async () => {
    const { page } = studio;
    await page.goto('/sign-up');
    await studio.screenshot('sign-up');
    await signUp(page, 'ada@example.com', 'Acme Plumbing');
    await page.getByText('No agents yet').waitFor();
    expect(await page.locator('#org-select').inputValue()).not.toBe('');
    expect(await page.locator('.who-email').textContent()).toBe('ada@example.com');
  });

  it('shows a mistake in a typed manifest at its line, and creates the agent once it is fixed', async () => {
    const { page } = studio;
    await page.getByRole('link', { name: 'New agent' }).first().click();
    await page.getByRole('heading', { name: 'New agent', exact: true }).waitFor();
    await setEditorText(page, MANIFEST_WITH_TYPO);

    const problem = page.locator('[data-testid=problems] button', { hasText: 'unknown key "modle" in stt' });
    await problem.waitFor();
    expect(await problem.getAttribute('data-line')).toBe('11');
    expect(await problem.textContent()).toContain('did you mean "model"?');
    // The underline sits in the editor on that same line.
    const underlined = page.locator('.cm-line', {
      has: page.locator('.cm-lintRange-error', { hasText: 'modle' }),
    });
    expect(await underlined.textContent()).toBe('  modle: nova-3');
    await studio.screenshot('agent-editor-diagnostic');

    // Jump to the problem from the list and fix the key by typing.
    await problem.click();
    for (let i = 0; i < 'modle'.length; i++) await page.keyboard.press('Delete');
    await page.keyboard.type('model');
    await page.getByTestId('validation-status').filter({ hasText: 'Valid manifest' }).waitFor();

    await page.getByRole('button', { name: 'Create agent' }).click();
    await page.getByRole('heading', { name: /front-desk/ }).waitFor();
    expect(await page.locator('h1 .badge-live').textContent()).toBe('live v1');
  });

  it('saves a new version with Ctrl+S, publishes it and shows the diff side by side', async () => {
    const { page } = studio;
    await page.locator('.cm-content').click();
    await page.keyboard.press('ControlOrMeta+End');
    await page.keyboard.insertText('timezone: Europe/London\n');
    await page.getByText('unsaved').waitFor();
    await page.keyboard.press('ControlOrMeta+S');
    await page.getByText('Saved v2. It is not live yet').waitFor();
    await page.locator('[data-testid=versions] [data-version="2"] .badge-draft').waitFor();
    await studio.screenshot('agent-editor');

    await page.getByRole('button', { name: 'Publish v2' }).click();
    await page.locator('h1 .badge-live', { hasText: 'live v2' }).waitFor();
    await page.locator('[data-testid=versions] [data-version="2"] .badge-live').waitFor();
    // v1 stays published, so the panel offers to roll back to it.
    await page.locator('[data-version="1"]').getByRole('button', { name: 'Roll back to' }).waitFor();

    await page.locator('[data-version="2"]').getByRole('link', { name: 'Diff v1' }).click();
    await page.getByRole('heading', { name: 'Compare versions' }).waitFor();
    await page.locator('.cm-mergeView').waitFor();
    expect(await page.getByTestId('diff-stats').textContent()).toContain('v1 → v2');
    const changed = page.locator('.cm-merge-b .cm-changedLine');
    await changed.first().waitFor();
    expect(await changed.allTextContents()).toContain('timezone: Europe/London');
    await studio.screenshot('agent-diff');
  });

  it('lists the agent with its live version, and survives an expired access token', async () => {
    const { page } = studio;
    // A stale access token: the client refreshes once and carries on.
    await page.evaluate(`(() => {
      const s = JSON.parse(localStorage.getItem('vrm.session'));
      s.token = 'expired.' + s.token.slice(8);
      localStorage.setItem('vrm.session', JSON.stringify(s));
    })()`);
    await page.goto('/agents');
    const row = page.getByTestId('agents-table').locator('tbody tr', { hasText: 'front-desk' });
    await row.waitFor();
    expect(await row.locator('.badge-live').textContent()).toBe('v2');
    expect(await row.locator('td.num').textContent()).toBe('0');
    await studio.screenshot('agents');
  });

  it('creates an API key that is shown once with a copy button', async () => {
    const { page } = studio;
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByText('No API keys yet').waitFor();
    await page.getByLabel('Name').fill('ci-deploy');
    await page.getByRole('button', { name: 'Create key' }).click();
    const shown = page.getByTestId('new-key');
    await shown.waitFor();
    expect(await shown.getByLabel('The new API key').inputValue()).toMatch(/^vrm_/);
    await shown.getByRole('button', { name: 'Copy' }).waitFor();
    await page.getByTestId('keys-table').getByText('ci-deploy').waitFor();
    await studio.screenshot('api-keys');

    await page.getByRole('link', { name: 'Members' }).click();
    const me = page.getByTestId('members-table').locator('tbody tr', { hasText: 'ada@example.com' });
    await me.waitFor();
    expect(await me.locator('.badge').textContent()).toBe('owner');
  });

  it('signs out and back in', async () => {
    const { page } = studio;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
    await page.goto('/agents');
    await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
    await page.getByLabel('Password').fill('wrong password!');
    await page.getByLabel('Email').fill('ada@example.com');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toMatch(/password/i);
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('agents-table').waitFor();
    expect(new URL(page.url()).pathname).toBe('/agents');
  });

  it('fits a tablet: the sidebar becomes a top bar and the versions stack under the editor', async () => {
    const { page } = studio;
    await page.setViewportSize({ width: 820, height: 1100 });
    await page.goto('/agents/front-desk');
    await page.locator('.cm-content').waitFor();
    await page.getByTestId('versions').waitFor();
    const nav = await page.getByRole('navigation', { name: 'Main' }).boundingBox();
    const editor = await page.getByTestId('manifest-editor').boundingBox();
    const versions = await page.getByTestId('versions').boundingBox();
    expect(nav!.y).toBeLessThan(editor!.y);
    expect(versions!.y).toBeGreaterThan(editor!.y + editor!.height - 1);
    expect(editor!.x + editor!.width).toBeLessThanOrEqual(820);
    await studio.screenshot('agent-editor-tablet');
    await page.setViewportSize({ width: 1280, height: 800 });
  });
});
