import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const PREFIX = 'aes-256-gcm:v1:';

/**
 * Secret data at rest: JSON, or AES-256-GCM ciphertext when a key is configured. Rows written before a
 * key was configured stay readable; an encrypted row without the key is an error, never a silent `{}`.
 */
export class SecretCipher {
  constructor(private readonly key: Buffer | undefined) {
    if (key && key.length !== 32) throw new Error('the secrets encryption key must be 32 bytes');
  }

  seal(data: Record<string, unknown>): string {
    const json = JSON.stringify(data);
    if (!this.key) return json;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(json, 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  open(stored: string): Record<string, unknown> {
    if (!stored.startsWith(PREFIX)) return JSON.parse(stored) as Record<string, unknown>;
    if (!this.key) throw new Error('a secret is encrypted but SECRETS_ENCRYPTION_KEY is not configured');
    const raw = Buffer.from(stored.slice(PREFIX.length), 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    const json = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    return JSON.parse(json) as Record<string, unknown>;
  }
}
