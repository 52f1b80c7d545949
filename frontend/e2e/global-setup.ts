// Starts the Ward servers once for the whole run and shares their URLs with
// the tests (and test-results/ward-url.txt for debugging):
// - WARD_BASE_URL: `$WARD_BIN serve --demo --data TMP` (project "demo": no lock at all)
// - WARD_VAULT_URL: `$WARD_BIN serve --data DIR` on a vault prepared here with
//   `vault init` and `vault import` (project "vault": the locked vault).
//   The password and recovery key go to the tests through WARD_VAULT_PASSWORD
//   and WARD_VAULT_RECOVERY_KEY; the vault is made up and deleted afterwards.
// - WARD_SETUP_URL: `$WARD_BIN serve --data DIR` on an empty folder, no vault
//   at all (project "setup": first run, setting Ward up from the page).
// - WARD_SAFETY_URL: `$WARD_BIN serve --data DIR --config FILE` on a vault
//   holding every file in e2e/fixtures/safety/ (project "safety": the
//   clinical-safety hazards, one made-up record that has them all), with the
//   organisation contacts an urgent result names.
// - WARD_PASSKEY_URL: `$WARD_BIN serve --data DIR` on its own vault made like
//   the "vault" one (project "passkey": face and fingerprint unlock with
//   Chromium's virtual authenticator). Its URL names localhost, not
//   127.0.0.1: an IP address is never a WebAuthn RP ID. The password goes
//   to the tests through WARD_PASSKEY_PASSWORD.
// - WARD_ACCOUNTS_URL: `$WARD_BIN serve --data DIR --config FILE` on an
//   accounts server made with `admin init`, one patient invited
//   (WARD_ACCOUNTS_INVITE) with the vault bundle imported for them, and a
//   real Mailpit (WARD_MAILPIT binary; its HTTP API at WARD_MAILPIT_API) as
//   the mail server (project "accounts": sign-up to passkey sign-in).
//   At localhost, for the passkey part.
// - WARD_PUBLISH_URL, WARD_PUBLISH_PASSWORD: a vault like the "vault" one that
//   shares through the accounts server (sharing.spec.ts).
// The returned function is Playwright's global teardown: it stops the servers.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const frontendDir = path.resolve(here, '..');
const repoDir = path.resolve(frontendDir, '..');

export const VAULT_BUNDLE = path.join(here, 'fixtures', 'vault-bundle.json');
export const SAFETY_DIR = path.join(here, 'fixtures', 'safety');
/** The contacts the safety server's config names (see safety.ts). */
export const SAFETY_CONFIG = {
  organisation: { name: 'Example Health Trust', helpdesk: { phone: '0300 555 0100', hours: '9am to 5pm', email: '' } },
  contacts: [{ organisation: 'Riverside Pathology', phone: '020 7946 0000', hours: '24 hours a day' }],
};
export const RECOVERY_KEY = /[0-9A-Z]{5}(-[0-9A-Z]{5}){6}/;

async function startServer(bin: string, args: string[]): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(bin, args, { cwd: repoDir, stdio: ['ignore', 'pipe', 'pipe'] });

  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`Ward server (${args.join(' ')}) did not print its URL within 30s. Output so far:\n${output}`));
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
      reject(new Error(`Ward server (${args.join(' ')}) exited early (code ${code}, signal ${signal}). Output:\n${output}`));
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
  return { url, child };
}

async function stopServer(child: ChildProcess): Promise<void> {
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
}

function run(bin: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(bin, args, { cwd: repoDir, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${path.basename(bin)} ${args.join(' ')} failed: ${err.message}\n${stdout}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** A free TCP port on loopback. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** A real Mailpit: its SMTP port and its HTTP API's URL. */
async function startMailpit(dir: string): Promise<{ smtpPort: number; api: string; child: ChildProcess }> {
  const bin = process.env.WARD_MAILPIT || path.join(repoDir, '.tools', 'mailpit');
  if (!existsSync(bin)) throw new Error(`Mailpit not found at ${bin}: run "make deps" or set WARD_MAILPIT`);
  const smtpPort = await freePort();
  const httpPort = await freePort();
  const child = spawn(bin, ['--smtp', `127.0.0.1:${smtpPort}`, '--listen', `127.0.0.1:${httpPort}`, '--database', path.join(dir, 'mailpit.db'),
    '--disable-version-check', '--smtp-disable-rdns', '--quiet'], { stdio: 'ignore' });
  const api = `http://127.0.0.1:${httpPort}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      if ((await fetch(api + '/api/v1/messages')).ok) break;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error('Mailpit did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  return { smtpPort, api, child };
}

/** An accounts server with one invited patient whose records wait in the inbox. */
async function prepareAccounts(bin: string, dir: string, smtpPort: number): Promise<{ data: string; config: string; invite: string; patient: string }> {
  const data = path.join(dir, 'data');
  await run(bin, ['admin', 'init', '--data', data]);
  const out = await run(bin, ['admin', 'invite', '--data', data]);
  const invite = /Activation code: (\S+)/.exec(out)?.[1];
  const patient = /Patient: (\S+)/.exec(out)?.[1];
  if (!invite || !patient) throw new Error(`admin invite printed no code:\n${out}`);
  await run(bin, ['admin', 'import', '--data', data, '--patient', patient, VAULT_BUNDLE]);
  // A second patient, for sharing (sharing.spec.ts signs up with it).
  const out2 = await run(bin, ['admin', 'invite', '--data', data]);
  const invite2 = /Activation code: (\S+)/.exec(out2)?.[1];
  const patient2 = /Patient: (\S+)/.exec(out2)?.[1];
  if (!invite2 || !patient2) throw new Error(`admin invite printed no code:\n${out2}`);
  await run(bin, ['admin', 'import', '--data', data, '--patient', patient2, VAULT_BUNDLE]);
  process.env.WARD_ACCOUNTS_INVITE2 = invite2;
  const config = path.join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({
    organisation: { name: 'Example Health Trust', helpdesk: { phone: '0300 555 0100', hours: '9am to 5pm', email: '' } },
    accounts: { smtp: { host: '127.0.0.1', port: smtpPort, from: 'Ward <ward@example.org>', startTLS: 'none' }, resetAllowed: false },
  }), { mode: 0o600 });
  return { data, config, invite, patient };
}

/** A made-up vault: init with a password file, import the fixture files in order. */
async function prepareVault(bin: string, dir: string, files: string[]): Promise<{ data: string; password: string; recoveryKey: string }> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const data = path.join(dir, 'data');
  const pwFile = path.join(dir, 'password.txt');
  const password = 'e2e-Correct-Horse-42';
  writeFileSync(pwFile, password + '\n', { mode: 0o600 });

  const initOut = await run(bin, ['vault', 'init', '--data', data, '--password-file', pwFile]);
  const key = RECOVERY_KEY.exec(initOut);
  if (!key) throw new Error(`vault init printed no recovery key:\n${initOut}`);
  for (const f of files) await run(bin, ['vault', 'import', '--data', data, '--password-file', pwFile, f]);
  return { data, password, recoveryKey: key[0] };
}

/**
 * Copies a fixture with every "{{daysAgo N}}" replaced by the date N days
 * before today (YYYY-MM-DD): what is recent (an urgent result's banner) stays
 * recent whenever the tests run.
 */
function datedCopy(from: string, to: string): string {
  const text = readFileSync(from, 'utf8').replace(/\{\{daysAgo (\d+)\}\}/g, (_, n: string) =>
    new Date(Date.now() - Number(n) * 86_400_000).toISOString().slice(0, 10),
  );
  writeFileSync(to, text);
  return to;
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  const bin = path.resolve(frontendDir, process.env.WARD_BIN || '../bin/ward-serve');
  if (!existsSync(bin)) {
    throw new Error(
      `Ward server binary not found at ${bin}. Build it (cd .. && go build -o bin/ward-serve .) or set WARD_BIN.`,
    );
  }

  const children: ChildProcess[] = [];
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'ward-e2e-'));
  const teardown = async () => {
    await Promise.all(children.map(stopServer));
    rmSync(tmp, { recursive: true, force: true });
  };

  try {
    // The demo keeps its vault in the data folder: use a fresh one so every
    // run sees exactly the generated demo record, and its own key file so
    // tests never touch the user's config folder.
    const demo = await startServer(bin, ['serve', '--demo', '--data', path.join(tmp, 'demo-data'), '--key-file', path.join(tmp, 'demo-server.key'), '--addr', '127.0.0.1:0']);
    children.push(demo.child);

    const v = await prepareVault(bin, tmp, [VAULT_BUNDLE]);
    const locked = await startServer(bin, ['serve', '--data', v.data, '--addr', '127.0.0.1:0']);
    children.push(locked.child);

    // First run: an empty data folder, no vault.
    const empty = path.join(tmp, 'setup-data');
    mkdirSync(empty, { recursive: true, mode: 0o700 });
    const fresh = await startServer(bin, ['serve', '--data', empty, '--addr', '127.0.0.1:0']);
    children.push(fresh.child);

    const safetyFiles = readdirSync(SAFETY_DIR)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => datedCopy(path.join(SAFETY_DIR, f), path.join(tmp, 'safety-' + f)));
    const sv = await prepareVault(bin, path.join(tmp, 'safety'), safetyFiles);
    const configFile = path.join(tmp, 'safety', 'config.json');
    writeFileSync(configFile, JSON.stringify(SAFETY_CONFIG), { mode: 0o600 });
    const safety = await startServer(bin, ['serve', '--data', sv.data, '--config', configFile, '--addr', '127.0.0.1:0']);
    children.push(safety.child);

    // Passkeys: a vault of its own, since the tests add and remove passkeys.
    const pv = await prepareVault(bin, path.join(tmp, 'passkey'), [VAULT_BUNDLE]);
    const pk = await startServer(bin, ['serve', '--data', pv.data, '--addr', '127.0.0.1:0']);
    children.push(pk.child);
    const passkeyURL = pk.url.replace('://127.0.0.1:', '://localhost:');

    // Sharing from a computer: a vault of its own that publishes its
    // shares to the accounts server (project "accounts", sharing.spec.ts).
    const pubv = await prepareVault(bin, path.join(tmp, 'publish'), [VAULT_BUNDLE]);
    const pub = await startServer(bin, ['serve', '--data', pubv.data, '--addr', '127.0.0.1:0']);
    children.push(pub.child);
    process.env.WARD_PUBLISH_URL = pub.url;
    process.env.WARD_PUBLISH_PASSWORD = pubv.password;

    // Accounts: a server for many patients, with a real mail server.
    const mp = await startMailpit(tmp);
    children.push(mp.child);
    const acc = await prepareAccounts(bin, path.join(tmp, 'accounts'), mp.smtpPort);
    // A public URL, so shares come with a SMART Health Link (which must say
    // where its manifest is).
    const accPort = await freePort();
    const as = await startServer(bin, ['serve', '--data', acc.data, '--config', acc.config, '--addr', `127.0.0.1:${accPort}`,
      '--public-url', `http://localhost:${accPort}`]);
    children.push(as.child);
    const accountsURL = as.url.replace('://127.0.0.1:', '://localhost:');
    process.env.WARD_ACCOUNTS_URL = accountsURL;
    process.env.WARD_ACCOUNTS_INVITE = acc.invite;
    process.env.WARD_MAILPIT_API = mp.api;

    process.env.WARD_PASSKEY_URL = passkeyURL;
    process.env.WARD_PASSKEY_PASSWORD = pv.password;
    process.env.WARD_SAFETY_URL = safety.url;
    process.env.WARD_SAFETY_PASSWORD = sv.password;
    process.env.WARD_BASE_URL = demo.url;
    process.env.WARD_SETUP_URL = fresh.url;
    process.env.WARD_VAULT_URL = locked.url;
    process.env.WARD_VAULT_PASSWORD = v.password;
    process.env.WARD_VAULT_RECOVERY_KEY = v.recoveryKey;
    mkdirSync(path.join(frontendDir, 'test-results'), { recursive: true });
    writeFileSync(path.join(frontendDir, 'test-results', 'ward-url.txt'), `demo ${demo.url}\nvault ${locked.url}\nsetup ${fresh.url}\nsafety ${safety.url}\npasskey ${passkeyURL}\naccounts ${accountsURL}\nmailpit ${mp.api}\n`);
  } catch (err) {
    await teardown();
    throw err;
  }
  return teardown;
}
