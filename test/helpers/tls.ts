import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

export interface LoopbackCertificate {
  keyPath: string;
  certPath: string;
  key: Buffer;
  cert: Buffer;
}

/**
 * A self-signed certificate for 127.0.0.1, made with openssl into `folder`, valid for a day. A process trusts it
 * only when started with NODE_EXTRA_CA_CERTS pointing at `certPath`.
 */
export async function loopbackCertificate(folder: string): Promise<LoopbackCertificate> {
  const keyPath = path.join(folder, 'key.pem');
  const certPath = path.join(folder, 'cert.pem');
  await promisify(execFile)('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1']);
  return { keyPath, certPath, key: fs.readFileSync(keyPath), cert: fs.readFileSync(certPath) };
}
