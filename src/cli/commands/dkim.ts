/**
 * `mailtrust dkim verify|sign|keygen` (docs/cli.md): DKIM verification (RFC 6376 §6), signing (§5) and key
 * generation with the DNS record to publish (§3.6).
 */
import { constants } from 'node:fs';
import { mkdir, open, readFile, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import {
  defaultLimits,
  generateDkimKey,
  parseMessage,
  prependHeader,
  signDkim,
  verifyDkim,
  type DkimResult,
  type DkimSigningAlgorithm,
  type ParsedMessage,
} from '../../core/index.js';
import type { Command, CommandEnv, CommandIO, OptionValues } from '../command.js';
import { DataError, NoInputError, UsageError } from '../errors.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { readInputFile, refuseMbox } from '../input.js';
import { stringOption } from '../options.js';
import { terminalSafe } from '../terminal-text.js';
import { authorDomain, fieldValue, isAligned, toAsciiDomain, unfold } from '../../core/index.js';

const help = `Usage:
  mailtrust dkim verify [FILE|-] [--json]
  mailtrust dkim sign [FILE|-] --domain D --selector S --key FILE [--algorithm rsa-sha256|ed25519-sha256]
                      [--headers a,b,c] [--expires SECONDS] [--canonicalization relaxed/relaxed]
  mailtrust dkim keygen --domain D --selector S [--type rsa|ed25519] [--bits 2048] [--out DIR]

verify   checks every DKIM-Signature of the message (RFC 6376, RFC 8301, RFC 8463) and prints one
         line per signature: result, d=, s=, algorithm and, when it is not a pass, what broke.
         The message is read from FILE or standard input (CRLF or LF line ends).
sign     signs the message and writes it, with the DKIM-Signature on top, to standard output.
         Default: relaxed/relaxed, the RFC 6376 §5.4.1 header list with From over-signed, no l=.
keygen   makes a key pair: writes the private key (PKCS#8 PEM, mode 0600) to DIR (default .)
         as SELECTOR._domainkey.DOMAIN.pem and prints the TXT record to publish.

Options:
  --domain D          signing domain (d=)
  --selector S        selector (s=); the key lives at S._domainkey.D
  --key FILE          private key, PEM (PKCS#8 or PKCS#1)
  --algorithm A       rsa-sha256 or ed25519-sha256 (default: from the key)
  --headers LIST      header fields to sign, comma-separated (must include from)
  --expires SECONDS   add x= that many seconds after the signing time (t=, from --now)
  --canonicalization C  header/body canonicalization (default relaxed/relaxed)
  --type T            keygen: rsa (default) or ed25519
  --bits N            keygen: RSA size, 1024-8192 (default 2048)
  --out DIR           keygen: directory for the private key (default .)
  --json              verify: print the results as a JSON array; keygen: print the record as JSON

Exit codes (verify): 0 every signature passes · 1 no signature, or neutral/policy results
                     2 a signature fails or is broken (fail/permerror) · 75 DNS trouble only (retry)
Exit codes (all): 64 usage error · 65 message or key cannot be parsed · 66 file missing

Examples:
  mailtrust dkim verify message.eml
  mailtrust dkim sign message.eml --domain example.com --selector s1 --key s1.pem > signed.eml
  mailtrust dkim keygen --domain example.com --selector s2026 --type ed25519 --out keys/`;

function required(values: OptionValues, name: string, sub: string): string {
  const value = stringOption(values, name);
  if (value === undefined || value.trim() === '')
    throw new UsageError(`dkim ${sub}: --${name} is required (see mailtrust dkim --help)`);
  return value;
}

async function readMessage(
  path: string | undefined,
  env: CommandEnv,
): Promise<{ raw: Uint8Array; parsed: ParsedMessage }> {
  const raw = await readInputFile(path, env.io);
  refuseMbox(raw, path ?? 'stdin');
  const parsed = parseMessage(raw);
  if (!parsed.ok) {
    const where = parsed.error.line !== undefined ? `:${parsed.error.line}` : '';
    throw new DataError(`${path ?? 'stdin'}${where}: not an RFC 5322 message: ${parsed.error.message}`);
  }
  return { raw, parsed: parsed.value };
}

/** Exit code of `dkim verify` from the results. */
export function verifyExitCode(results: readonly DkimResult[]): ExitCodeValue {
  if (results.length === 0) return ExitCode.warn;
  if (results.some((r) => r.result === 'fail' || r.result === 'permerror')) return ExitCode.fail;
  if (results.some((r) => r.result === 'temperror')) return ExitCode.tempFail;
  if (results.every((r) => r.result === 'pass')) return ExitCode.ok;
  return ExitCode.warn;
}

/** What to do about an error code, for the text output. */
function remedy(code: string): string | undefined {
  switch (code) {
    case 'dkim.body-hash':
      return 'something between signer and here changed the body (a footer, re-encoding); sign after such changes';
    case 'dkim.signature':
      return 'a signed header was changed, or the published key does not match the signing key';
    case 'dkim.key-missing':
      return 'publish the key as a TXT record at selector._domainkey.domain (mailtrust dkim keygen prints it)';
    case 'dkim.key-revoked':
      return 'the key was withdrawn; sign with a current selector';
    case 'dkim.key-too-short':
      return 'use an RSA key of 2048 bits (mailtrust dkim keygen)';
    case 'dkim.rsa-sha1':
      return 'sign with rsa-sha256 or ed25519-sha256';
    case 'dkim.expired':
      return 'the signature is older than its x= allows; check the signer clock or x= lifetime';
    case 'dkim.from-not-signed':
      return 'include From in h=';
    default:
      return undefined;
  }
}

function formatResult(r: DkimResult): string {
  const ids = [`d=${r.domain || '?'}`, `s=${r.selector || '?'}`, `a=${r.algorithm || '?'}`].join(' ');
  let line = `dkim=${r.result} ${ids}${r.testing ? ' (testing, t=y)' : ''}`;
  if (r.error) {
    line += `\n  ${r.error.code}: ${r.error.message}`;
    const fix = remedy(r.error.code);
    if (fix) line += `\n  fix: ${fix}`;
  }
  return line;
}

async function verify(positionals: string[], env: CommandEnv): Promise<ExitCodeValue> {
  if (positionals.length > 1)
    throw new UsageError(`dkim verify: unexpected argument ${JSON.stringify(positionals[1])}`);
  const { parsed } = await readMessage(positionals[0], env);
  const results = await verifyDkim({ resolver: env.resolver, now: env.now, limits: { ...defaultLimits } }, parsed);
  if (env.json) env.io.stdout(`${JSON.stringify(results, null, 2)}\n`);
  else if (results.length === 0) env.io.stdout('dkim=none: the message has no DKIM-Signature\n');
  else env.io.stdout(results.map(formatResult).join('\n') + '\n');
  return verifyExitCode(results);
}

async function sign(values: OptionValues, positionals: string[], env: CommandEnv): Promise<ExitCodeValue> {
  if (positionals.length > 1) throw new UsageError(`dkim sign: unexpected argument ${JSON.stringify(positionals[1])}`);
  const domain = required(values, 'domain', 'sign');
  const selector = required(values, 'selector', 'sign');
  const keyPath = required(values, 'key', 'sign');
  const algorithmText = stringOption(values, 'algorithm');
  if (algorithmText !== undefined && algorithmText !== 'rsa-sha256' && algorithmText !== 'ed25519-sha256')
    throw new UsageError(
      `dkim sign: --algorithm must be rsa-sha256 or ed25519-sha256, not ${JSON.stringify(algorithmText)}`,
    );
  const canonicalization = stringOption(values, 'canonicalization') ?? 'relaxed/relaxed';
  if (!/^(simple|relaxed)\/(simple|relaxed)$/.test(canonicalization))
    throw new UsageError('dkim sign: --canonicalization must be simple|relaxed / simple|relaxed, e.g. relaxed/relaxed');
  const expiresText = stringOption(values, 'expires');
  let expiresInSeconds: number | undefined;
  if (expiresText !== undefined) {
    expiresInSeconds = Number(expiresText);
    if (!/^\d+$/.test(expiresText) || expiresInSeconds <= 0)
      throw new UsageError(`dkim sign: --expires takes a number of seconds, not ${JSON.stringify(expiresText)}`);
  }
  const headersText = stringOption(values, 'headers');
  const headers = headersText
    ?.split(/[,:]/)
    .map((h) => h.trim())
    .filter((h) => h !== '');

  let pem: string;
  try {
    pem = await readFile(keyPath, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new NoInputError(
      `${keyPath}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message} (--key takes a PEM private key file)`,
    );
  }
  const { raw, parsed } = await readMessage(positionals[0], env);
  const signed = signDkim(parsed, {
    domain,
    selector,
    privateKey: pem,
    now: env.now(),
    canonicalization: canonicalization as 'relaxed/relaxed',
    ...(algorithmText !== undefined ? { algorithm: algorithmText as DkimSigningAlgorithm } : {}),
    ...(headers !== undefined ? { headers } : {}),
    ...(expiresInSeconds !== undefined ? { expiresInSeconds } : {}),
  });
  if (!signed.ok) {
    switch (signed.error.code) {
      case 'dkim.key-syntax':
        throw new DataError(`${keyPath}: ${signed.error.message}`);
      case 'dkim.key-type':
      case 'dkim.key-too-short':
        throw new UsageError(`dkim sign: ${signed.error.message} (${keyPath})`);
      case 'dkim.from-not-signed':
        throw headers !== undefined && parsed.fields.some((f) => f.name === 'from')
          ? new UsageError(`dkim sign: ${signed.error.message} (--headers)`)
          : new DataError(`${positionals[0] ?? 'stdin'}: ${signed.error.message}`);
      default:
        throw new UsageError(`dkim sign: ${signed.error.message}`);
    }
  }
  // A signature whose d= is not aligned with From authenticates another domain: DMARC cannot pass on it
  // (RFC 7489 §3.1.1). Signing is still right for some uses, so this is a warning, not an error.
  const author = authorDomain(parsed.fields.filter((f) => f.name === 'from').map((f) => unfold(fieldValue(f))));
  const signer = toAsciiDomain(domain.trim().replace(/\.$/, ''))?.toLowerCase();
  if (author.ok && signer !== undefined && !isAligned(signer, author.value.domain, 'relaxed'))
    env.io.stderr(
      `mailtrust: warning: --domain ${terminalSafe(domain)} is not aligned with the From domain ${terminalSafe(author.value.domain)}: DMARC will not pass on this signature (sign with --domain ${terminalSafe(author.value.domain)} or a parent of it)\n`,
    );
  // The field goes on top of the header, after an mbox "From " line if the file has one.
  const head = raw.subarray(0, parsed.headerOffset);
  const output = Buffer.concat([head, prependHeader(raw.subarray(parsed.headerOffset), signed.field)]);
  // CommandIO writes text; a frame that offers a byte writer gets the message byte for byte (8-bit bodies too).
  const bytesOut = (env.io as CommandIO & { stdoutBytes?: (bytes: Uint8Array) => void }).stdoutBytes;
  if (bytesOut) {
    bytesOut(output);
    return ExitCode.ok;
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(output);
  } catch {
    throw new DataError(
      `${positionals[0] ?? 'stdin'}: the message holds bytes that are not UTF-8 and cannot be written unchanged to stdout; use the library's signDkim() for 8-bit messages`,
    );
  }
  env.io.stdout(text);
  return ExitCode.ok;
}

/**
 * Creates `--out` and its missing parents one level at a time. Node's recursive mkdir never settles on some paths
 * (`/proc/x` spins at 100 % CPU), and on an existing file it says EEXIST, which reads as "the key exists".
 */
async function makeDirectory(dir: string): Promise<void> {
  const parts = resolve(dir)
    .split(sep)
    .filter((p) => p !== '');
  let path: string = sep;
  for (const part of parts) {
    path = join(path, part);
    try {
      await mkdir(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST')
        throw new NoInputError(
          `${dir}: cannot create the directory ${path}: ${code ?? (error as Error).message} (check --out)`,
        );
    }
    let info;
    try {
      info = await stat(path);
    } catch (error) {
      throw new NoInputError(
        `${dir}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? ''} (check --out)`,
      );
    }
    if (!info.isDirectory())
      throw new UsageError(`dkim keygen: --out ${dir}: ${path} is a file, not a directory (--out names a directory)`);
  }
}

async function keygen(values: OptionValues, positionals: string[], env: CommandEnv): Promise<ExitCodeValue> {
  if (positionals.length > 0)
    throw new UsageError(`dkim keygen: unexpected argument ${JSON.stringify(positionals[0])}`);
  const domain = required(values, 'domain', 'keygen');
  const selector = required(values, 'selector', 'keygen');
  const type = stringOption(values, 'type') ?? 'rsa';
  if (type !== 'rsa' && type !== 'ed25519')
    throw new UsageError(`dkim keygen: --type must be rsa or ed25519, not ${JSON.stringify(type)}`);
  const bitsText = stringOption(values, 'bits');
  if (bitsText !== undefined && type !== 'rsa') throw new UsageError('dkim keygen: --bits applies to --type rsa only');
  const bits = bitsText === undefined ? 2048 : Number(bitsText);
  if (bitsText !== undefined && (!/^\d+$/.test(bitsText) || bits < 1024 || bits > 8192))
    throw new UsageError(
      `dkim keygen: --bits must be 1024 to 8192 (2048 recommended), not ${JSON.stringify(bitsText)}`,
    );
  const generated = await generateDkimKey({ domain, selector, type, bits });
  if (!generated.ok) throw new UsageError(`dkim keygen: ${generated.error.message}`);
  const pair = generated.value;
  const dir = stringOption(values, 'out') ?? '.';
  const file = join(dir, `${pair.name}.pem`);
  await makeDirectory(dir);
  try {
    const handle = await open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    try {
      await handle.writeFile(pair.privateKeyPem);
    } finally {
      await handle.close();
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST')
      throw new UsageError(`dkim keygen: ${file} already exists (remove it, or choose another --selector or --out)`);
    throw new NoInputError(`${file}: cannot write the private key: ${(error as Error).message} (check --out)`);
  }
  if (env.json) {
    const { privateKeyPem: _secret, ...shown } = pair;
    env.io.stdout(`${JSON.stringify({ ...shown, privateKeyFile: file }, null, 2)}\n`);
  } else {
    env.io.stdout(
      `Private key (${type === 'rsa' ? `RSA ${bits} bits` : 'Ed25519'}) written to ${file} (mode 0600); keep it secret.\n` +
        `Publish this TXT record, then sign with --selector ${selector}:\n` +
        `  name:  ${pair.name}\n` +
        `  value: ${pair.record}\n` +
        `Zone file line:\n${pair.zoneLine}\n`,
    );
  }
  return ExitCode.ok;
}

/** `mailtrust dkim`: dispatches `verify`, `sign` and `keygen` from the first positional. */
export const dkimCommand: Command = {
  name: 'dkim',
  summary: 'verify or add DKIM signatures, generate a DKIM key and the record to publish',
  help,
  options: {
    domain: { type: 'string' },
    selector: { type: 'string' },
    key: { type: 'string' },
    algorithm: { type: 'string' },
    headers: { type: 'string' },
    expires: { type: 'string' },
    canonicalization: { type: 'string' },
    type: { type: 'string' },
    bits: { type: 'string' },
    out: { type: 'string' },
  },
  async run(values, positionals, env) {
    const [sub, ...rest] = positionals;
    switch (sub) {
      case 'verify':
        return verify(rest, env);
      case 'sign':
        return sign(values, rest, env);
      case 'keygen':
        return keygen(values, rest, env);
      case undefined:
        throw new UsageError('dkim: say verify, sign or keygen (see mailtrust dkim --help)');
      default:
        throw new UsageError(`dkim: unknown subcommand ${JSON.stringify(sub)} (use verify, sign or keygen)`);
    }
  },
};
