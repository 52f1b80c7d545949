// Starts the Ward server once for the whole run and shares its URL with the
// tests through WARD_BASE_URL (and test-results/ward-url.txt for debugging).
// The returned function is Playwright's global teardown: it stops the server.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const frontendDir = path.resolve(here, '..');

export default async function globalSetup(): Promise<() => Promise<void>> {
  const bin = path.resolve(frontendDir, process.env.WARD_BIN || '../bin/ward-serve');
  if (!existsSync(bin)) {
    throw new Error(
      `Ward server binary not found at ${bin}. Build it (cd .. && go build -o bin/ward-serve .) or set WARD_BIN.`,
    );
  }

  const child = spawn(bin, ['serve', '--demo', '--addr', '127.0.0.1:0'], {
    cwd: path.resolve(frontendDir, '..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });

  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`Ward server did not print its URL within 30s. Output so far:\n${output}`));
    }, 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /http:\/\/127\.0\.0\.1:\d+/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    };
    child.stderr!.on('data', onData);
    child.stdout!.on('data', onData);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`Ward server exited early (code ${code}, signal ${signal}). Output:\n${output}`));
    });
  });
  // Keep draining output so the server never blocks on a full pipe.
  child.stderr!.removeAllListeners('data');
  child.stdout!.removeAllListeners('data');
  child.removeAllListeners('exit');
  child.stderr!.resume();
  child.stdout!.resume();

  // Wait until the API answers.
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      const res = await fetch(url + '/api/healthz');
      if (res.ok) break;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`${url}/api/healthz did not answer`);
    await new Promise((r) => setTimeout(r, 100));
  }

  process.env.WARD_BASE_URL = url;
  mkdirSync(path.join(frontendDir, 'test-results'), { recursive: true });
  writeFileSync(path.join(frontendDir, 'test-results', 'ward-url.txt'), url + '\n');

  return async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timeout = new Promise<void>((resolve) =>
      setTimeout(() => {
        if (child.exitCode === null) child.kill('SIGKILL');
        resolve();
      }, 5_000),
    );
    await Promise.race([exited, timeout]);
  };
}
