import path from 'node:path';
import { mustRun } from './exec';
import { requireTool } from './tools';

/** The management API certificate and key of a lab pair (PEM files). */
export interface LabTls {
  cert: string;
  key: string;
}

/**
 * A self-signed certificate for the management API of both lab hosts
 * (IP SANs 192.0.2.1 and 192.0.2.2), written into `dir`. The CLI trusts it
 * by pinning (the config names it as `management.tls.cert`).
 */
export async function makeLabTls(dir: string): Promise<LabTls> {
  const cert = path.join(dir, 'management.crt');
  const key = path.join(dir, 'management.key');
  await mustRun(requireTool('openssl'), [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', '/CN=switchyard-lab', '-addext', 'subjectAltName=IP:192.0.2.1,IP:192.0.2.2',
    '-keyout', key, '-out', cert,
  ]);
  return { cert, key };
}
