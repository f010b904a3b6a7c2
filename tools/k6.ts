import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';

/** k6 on PATH, else where `go install go.k6.io/k6@latest` puts it. */
export function findK6(): string {
  const candidates = ['k6', path.join(os.homedir(), 'go', 'bin', 'k6')];
  try {
    candidates.push(path.join(execFileSync('go', ['env', 'GOPATH'], { encoding: 'utf8' }).trim(), 'bin', 'k6'));
  } catch {
    // no Go toolchain
  }
  for (const candidate of candidates) {
    try {
      execFileSync(candidate, ['version'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // not this one
    }
  }
  throw new Error('k6 is not installed: see loadtests/README.md (go install go.k6.io/k6@latest, or k6.io packages)');
}
