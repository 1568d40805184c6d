import { createHash } from 'node:crypto';
import type { Random } from '../random.js';
import { ec2Error } from './ec2-api-error.js';

export interface PublicKeyInfo {
  keyType: 'rsa' | 'ed25519';
  fingerprint: string;
  /** `<type> <base64>` without the comment. */
  publicKey: string;
}

const KEY_TYPES: Record<string, 'rsa' | 'ed25519'> = { 'ssh-rsa': 'rsa', 'ssh-ed25519': 'ed25519' };

/** Parses an OpenSSH public key line as ImportKeyPair accepts it (RSA or ED25519). */
export function parsePublicKey(material: string): PublicKeyInfo {
  const [type = '', body = ''] = material.trim().split(/\s+/);
  const keyType = KEY_TYPES[type];
  const blob = Buffer.from(body, 'base64');
  const declaredLength = blob.length >= 4 ? blob.readUInt32BE(0) : -1;
  const declaredType = blob.subarray(4, 4 + Math.max(0, declaredLength)).toString('latin1');
  if (keyType === undefined || blob.length < 16 || declaredType !== type) {
    throw ec2Error('InvalidKey.Format', 'Key is not in valid OpenSSH public key format');
  }
  const fingerprint =
    keyType === 'rsa'
      ? colonHex(createHash('md5').update(blob).digest())
      : `${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}=`;
  return { keyType, fingerprint, publicKey: `${type} ${body}` };
}

/**
 * Key material for CreateKeyPair. Simulated: the shape of a real key (PEM armour, OpenSSH public key),
 * random bytes inside, drawn from the world's seed so runs stay reproducible. Never a usable key.
 */
export function fakeKeyPair(
  random: Random,
  keyType: 'rsa' | 'ed25519',
): PublicKeyInfo & { privateKey: string } {
  const bytes = (count: number) => Buffer.from(Array.from({ length: count }, () => random.int(256)));
  const sshType = keyType === 'rsa' ? 'ssh-rsa' : 'ssh-ed25519';
  const typeBytes = Buffer.from(sshType, 'latin1');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(typeBytes.length);
  const blob = Buffer.concat([length, typeBytes, bytes(keyType === 'rsa' ? 256 : 36)]);
  const secret = bytes(keyType === 'rsa' ? 1190 : 256).toString('base64');
  const label = keyType === 'rsa' ? 'RSA PRIVATE KEY' : 'OPENSSH PRIVATE KEY';
  const lines = secret.match(/.{1,64}/g) ?? [];
  const privateKey = `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----`;
  const fingerprint =
    keyType === 'rsa'
      ? colonHex(createHash('sha1').update(secret).digest())
      : `${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}=`;
  return { keyType, fingerprint, publicKey: `${sshType} ${blob.toString('base64')}`, privateKey };
}

function colonHex(digest: Buffer): string {
  return [...digest].map((byte) => byte.toString(16).padStart(2, '0')).join(':');
}
