import { execFileSync } from 'node:child_process';

/** Debian's chromium (what `.ci/run` installs); playwright-core downloads no browser of its own. */
function chromiumPath(): string | undefined {
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    try {
      return execFileSync('which', [name], { encoding: 'utf8' }).trim() || undefined;
    } catch {
      // not this one
    }
  }
  return undefined;
}

export const CHROMIUM = chromiumPath();
