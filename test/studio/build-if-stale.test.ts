/**
 * `npm start` runs studio/scripts/build-if-stale.mjs first. Without Vite (a production install)
 * it must warn and let the server start; the browser tests run it strict.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './harness.js';

const SCRIPT = path.join(ROOT, 'studio', 'scripts', 'build-if-stale.mjs');
const dir = mkdtempSync(path.join(tmpdir(), 'vrm-studio-noVite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A studio checkout with sources and no dist, where `vite` cannot be resolved. */
function studioWithoutVite(): string {
  const studio = path.join(dir, 'studio');
  mkdirSync(path.join(studio, 'scripts'), { recursive: true });
  mkdirSync(path.join(studio, 'src'), { recursive: true });
  copyFileSync(SCRIPT, path.join(studio, 'scripts', 'build-if-stale.mjs'));
  writeFileSync(path.join(studio, 'package.json'), '{"name":"@vrm/studio","type":"module"}');
  writeFileSync(path.join(studio, 'index.html'), '<!doctype html>');
  writeFileSync(path.join(studio, 'src', 'main.tsx'), 'export {};');
  return path.join(studio, 'scripts', 'build-if-stale.mjs');
}

describe('building the studio before npm start', () => {
  const script = studioWithoutVite();

  it('warns clearly and lets the server start when Vite is not installed', () => {
    const run = spawnSync(process.execPath, [script], { encoding: 'utf8', cwd: dir });
    expect(run.status).toBe(0);
    expect(run.stderr).toContain('Vite is not installed');
    expect(run.stderr).toContain('VRM starts without it');
  });

  it('fails when strict (the browser tests), so a stale studio is never tested', () => {
    const run = spawnSync(process.execPath, [script, '--strict'], { encoding: 'utf8', cwd: dir });
    expect(run.status).toBe(1);
  });

  it('does nothing when the real studio build is current', () => {
    spawnSync(process.execPath, [SCRIPT, '--strict'], { encoding: 'utf8' });
    const again = spawnSync(process.execPath, [SCRIPT, '--strict'], { encoding: 'utf8' });
    expect(again.status).toBe(0);
    expect(again.stdout).not.toContain('building the studio');
  });
});
