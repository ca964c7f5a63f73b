// Test helper: the Chromium the web UI's browser tests drive with playwright-core.
import { existsSync } from 'node:fs';

/** $CHROMIUM, else Debian's chromium (.ci/run installs it), else Google Chrome builds; undefined if none. */
export function findChromium(): string | undefined {
  const candidates = [process.env['CHROMIUM'], '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];
  return candidates.find((c): c is string => c !== undefined && c !== '' && existsSync(c));
}

/** Launch flags for a headless Chromium in a container (root: no sandbox; small /dev/shm). */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'];
