/**
 * The management API's TLS material: read from the PEM files named by
 * `management.tls` (paths relative to the config file), checked before
 * anything listens, and what the CLI trusts (the CA, else the certificate
 * itself, pinned).
 */
import { X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describeError, SwitchyardError } from '../errors';

export interface ManagementTlsConfig {
  cert: string;
  key: string;
  ca?: string | undefined;
}

/** What the server needs: the PEM texts. */
export interface ManagementTlsServerMaterial {
  cert: string;
  key: string;
}

/**
 * What the client trusts: `ca` (normal verification: chain and the
 * address in the certificate), or `pin` (exactly this certificate, by its
 * SHA-256 fingerprint, whoever signed it and whatever names it holds).
 */
export type ManagementTlsTrust = { ca: string } | { pin: string };

async function readPem(file: string, configDir: string, key: string): Promise<string> {
  const full = path.resolve(configDir, file);
  try {
    return await fs.readFile(full, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new SwitchyardError(
      'SWY_ERR_MGMT_TLS',
      `Cannot read ${key} at ${full} (${code}); fix the path (relative to the config file) or the file's permissions.`,
      { cause: error, details: { key, file: full } },
    );
  }
}

/** Reads and checks the certificate and key (they must parse and belong together). */
export async function loadServerTls(tls: ManagementTlsConfig, configDir: string): Promise<ManagementTlsServerMaterial> {
  // One after the other: with both unreadable, the error always names the certificate first (in parallel, whichever failed first).
  const cert = await readPem(tls.cert, configDir, 'management.tls.cert');
  const key = await readPem(tls.key, configDir, 'management.tls.key');
  try {
    createSecureContext({ cert, key });
  } catch (error) {
    throw new SwitchyardError(
      'SWY_ERR_MGMT_TLS',
      `management.tls.cert and management.tls.key cannot be used together (${describeError(error)}); ` +
        'give a PEM certificate and the PEM private key it was made for.',
      { cause: error, details: { cert: tls.cert, key: tls.key } },
    );
  }
  return { cert, key };
}

/** What the CLI trusts for this config: `management.tls.ca` if set, else the certificate in `management.tls.cert`, pinned. */
export async function loadClientTrust(tls: ManagementTlsConfig, configDir: string): Promise<ManagementTlsTrust> {
  if (tls.ca !== undefined) return { ca: await readPem(tls.ca, configDir, 'management.tls.ca') };
  return { pin: await readPem(tls.cert, configDir, 'management.tls.cert') };
}

/** SHA-256 fingerprint (`AA:BB:…`) of the first certificate in a PEM text. */
export function certificateFingerprint(pem: string): string {
  try {
    return new X509Certificate(pem).fingerprint256;
  } catch (error) {
    throw new SwitchyardError('SWY_ERR_MGMT_TLS', `The pinned management certificate is not a PEM certificate (${describeError(error)}).`, {
      cause: error,
    });
  }
}
