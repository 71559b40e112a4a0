/**
 * A private Postfix instance for the end-to-end tests and the benchmark: its own config_directory, queue_directory
 * and data_directory under a temporary directory, listening on one loopback address (127.0.2.x, so it meets no
 * other test's instance), relaying every recipient to a loopback sink. Started with `postfix -c DIR start`,
 * stopped with `postfix -c DIR stop` (and the master killed if that fails), its directory removed.
 */
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const POSTFIX = '/usr/sbin/postfix';
export const POSTCONF = '/usr/sbin/postconf';

/** Why the Postfix tests cannot run here, or undefined when they can. */
export function postfixUnavailable(): string | undefined {
  try {
    readFileSync(POSTFIX);
  } catch {
    return 'Postfix is not installed (/usr/sbin/postfix); CI installs it';
  }
  if (process.getuid?.() !== 0) return 'a private Postfix instance needs root (its master runs as root)';
  return undefined;
}

/** A free TCP port on `host` (bound and released; the caller binds it next). */
export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface PostfixOptions {
  /** The loopback address smtpd listens on and the SMTP client sends from. */
  host: string;
  /** Where every message is relayed to (`relayhost`). */
  relay: { host: string; port: number };
  /** Extra main.cf lines, e.g. the milter settings. */
  mainCf: string;
}

export interface PostfixInstance {
  dir: string;
  host: string;
  port: number;
  /** Changes main.cf parameters (`postconf -c DIR -e`) and reloads. */
  reconfigure(parameters: Record<string, string>): Promise<void>;
  /** The mail log so far. */
  log(): string;
  stop(): Promise<void>;
}

/** Starts the instance; resolves once smtpd answers on its port. */
export async function startPostfix(options: PostfixOptions): Promise<PostfixInstance> {
  const dir = mkdtempSync(join(tmpdir(), 'mailtrust-postfix-'));
  // The postfix user must reach its data directory and the queue below this one.
  chmodSync(dir, 0o755);
  const config = join(dir, 'etc');
  const queue = join(dir, 'queue');
  const data = join(dir, 'data');
  const maillog = join(dir, 'maillog');
  for (const d of [config, queue, data]) mkdirSync(d, { recursive: true });
  // The data directory belongs to the postfix user (postfix-script checks it).
  const { stdout: uid } = await run('id', ['-u', 'postfix']);
  const { stdout: gid } = await run('id', ['-g', 'postfix']);
  chownSync(data, Number(uid), Number(gid));
  const port = await freePort(options.host);
  writeFileSync(
    join(config, 'main.cf'),
    `# A private test instance (mailtrust's milter tests): loopback only.
compatibility_level = 3.6
queue_directory = ${queue}
data_directory = ${data}
maillog_file = ${maillog}
maillog_file_prefixes = ${dir}
myhostname = mx.e2e.test
mydomain = e2e.test
myorigin = $myhostname
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
# smtpd listens only where master.cf says (an address on lo that is not an interface address of its own).
inet_interfaces = loopback-only
smtp_bind_address = ${options.host}
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_authorized_xclient_hosts = 127.0.0.0/8
smtpd_peername_lookup = no
smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination
relay_domains = static:ALL
relayhost = [${options.relay.host}]:${options.relay.port}
smtp_host_lookup = native
disable_dns_lookups = yes
smtputf8_enable = no
biff = no
smtpd_banner = $myhostname ESMTP
default_process_limit = 30
${options.mainCf}
`,
  );
  writeFileSync(
    join(config, 'master.cf'),
    `# service type private unpriv chroot wakeup maxproc command
${options.host}:${port} inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
`,
  );
  const instance: PostfixInstance = {
    dir,
    host: options.host,
    port,
    async reconfigure(parameters) {
      const args = ['-c', config, '-e', ...Object.entries(parameters).map(([k, v]) => `${k}=${v}`)];
      await run(POSTCONF, args);
      await run(POSTFIX, ['-c', config, 'reload']);
      await new Promise((r) => setTimeout(r, 1500));
    },
    log() {
      try {
        return readFileSync(maillog, 'utf8');
      } catch {
        return '';
      }
    },
    async stop() {
      try {
        await run(POSTFIX, ['-c', config, 'stop'], { timeout: 20_000 });
      } catch {
        await killMaster(data, queue);
      }
      // `postfix stop` returns before the master is gone.
      for (let i = 0; i < 50; i++) {
        if (!(await masterRunning(queue))) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await killMaster(data, queue);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await run(POSTFIX, ['-c', config, 'start'], { timeout: 30_000 });
    await waitForSmtp(options.host, port);
  } catch (error) {
    const log = instance.log().split('\n').slice(-15).join('\n');
    await instance.stop().catch(() => undefined);
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`Postfix did not start: ${(error as Error).message}\n${stderr}\n${log}`);
  }
  return instance;
}

async function masterPid(queue: string): Promise<number | undefined> {
  try {
    const pid = Number(readFileSync(join(queue, 'pid', 'master.pid'), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function masterRunning(queue: string): Promise<boolean> {
  const pid = await masterPid(queue);
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Kills this instance's master by the pid it wrote (never by name: other instances may run). */
async function killMaster(_data: string, queue: string): Promise<void> {
  const pid = await masterPid(queue);
  if (pid === undefined) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

async function waitForSmtp(host: string, port: number): Promise<void> {
  const { connect } = await import('node:net');
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect({ host, port }, () => {
        socket.once('data', (bytes: Buffer) => {
          socket.end('QUIT\r\n');
          resolve(bytes.toString().startsWith('220'));
        });
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Postfix did not answer on ${host}:${port}`);
}
