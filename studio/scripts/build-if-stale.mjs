#!/usr/bin/env node
/**
 * Builds the studio into studio/dist with Vite when the build is missing or older than its
 * sources, so `npm start` on a fresh clone serves a working studio. Run by the root `prestart`.
 *
 * Without Vite (a production install without dev dependencies) or when the build fails, it
 * warns and exits 0: the API and telephony still start, and the server says the studio is not
 * built. `--strict` (the browser tests) makes both of those an error instead.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

const STUDIO = path.resolve(import.meta.dirname, '..');
const DIST_INDEX = path.join(STUDIO, 'dist', 'index.html');
/** What the bundle is made of; rbac.ts is the runtime's RBAC table, imported by the studio. */
const SOURCES = [
  'src',
  'index.html',
  'vite.config.ts',
  'package.json',
  path.join('..', 'runtime', 'src', 'auth', 'rbac.ts'),
].map((p) => path.join(STUDIO, p));
const strict = process.argv.includes('--strict');
/** Parallel test workers (or two `npm start`s) build one at a time, then see the fresh build. */
const LOCK = path.join(
  tmpdir(),
  `vrm-studio-build-${createHash('sha1').update(STUDIO).digest('hex').slice(0, 12)}`,
);
const LOCK_STALE_MS = 120_000;

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Takes the build lock (a directory: mkdir is atomic); returns its release. */
function lock() {
  const deadline = Date.now() + LOCK_STALE_MS;
  for (;;) {
    try {
      mkdirSync(LOCK);
      return () => rmSync(LOCK, { recursive: true, force: true });
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    let age = 0;
    try {
      age = Date.now() - statSync(LOCK).mtimeMs;
    } catch {
      continue; // released meanwhile
    }
    // Left behind by a killed build, or held too long: go ahead without it.
    if (age > LOCK_STALE_MS || Date.now() > deadline) {
      rmSync(LOCK, { recursive: true, force: true });
      continue;
    }
    sleep(200);
  }
}

function newestMtime(target) {
  if (!existsSync(target)) return 0;
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(target)) newest = Math.max(newest, newestMtime(path.join(target, entry)));
  return newest;
}

function viteBin() {
  try {
    const require = createRequire(path.join(STUDIO, 'package.json'));
    const bin = path.join(path.dirname(require.resolve('vite/package.json')), 'bin', 'vite.js');
    return existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}

function warn(message) {
  if (strict) {
    console.error(`studio: ${message}`);
    process.exitCode = 1;
    return;
  }
  console.warn(`\n[vrm] warning: ${message}\n`);
}

const builtAt = () => (existsSync(DIST_INDEX) ? statSync(DIST_INDEX).mtimeMs : 0);
const isStale = () => builtAt() === 0 || Math.max(...SOURCES.map(newestMtime)) > builtAt();

if (isStale()) {
  const release = lock();
  try {
    // Another process may have built it while we waited for the lock.
    if (isStale()) build(builtAt());
  } finally {
    release();
  }
}

function build(built) {
  const bin = viteBin();
  if (!bin) {
    warn(
      built === 0
        ? 'Vite is not installed (a production install without dev dependencies?), so the studio cannot be built. ' +
            'VRM starts without it; the API is unaffected. To get the studio: npm install --include=dev && npm run build -w studio'
        : 'Vite is not installed, so the studio cannot be rebuilt; serving the existing, older studio/dist.',
    );
  } else {
    console.log('[vrm] building the studio (studio/dist is missing or older than its sources)…');
    const result = spawnSync(process.execPath, [bin, 'build', '--logLevel', 'warn'], {
      cwd: STUDIO,
      stdio: 'inherit',
    });
    if (result.status !== 0)
      warn(
        `the studio build failed (exit ${result.status ?? result.signal}); ` +
          (built === 0 ? 'VRM starts without the studio.' : 'serving the previous studio/dist.'),
      );
  }
}
