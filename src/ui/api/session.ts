import { useEffect, useState } from 'preact/hooks';
import type { Credentials } from 'taskcluster-client-web';

/** Credentials live in session storage only: they are gone when the tab closes. */
const KEY = 'aws-provisioner.credentials';

type Listener = (credentials: Credentials | null) => void;
const listeners = new Set<Listener>();

export function currentCredentials(): Credentials | null {
  try {
    const stored = sessionStorage.getItem(KEY);
    return stored ? (JSON.parse(stored) as Credentials) : null;
  } catch {
    return null;
  }
}

export function signIn(credentials: Credentials): void {
  sessionStorage.setItem(KEY, JSON.stringify(credentials));
  for (const listener of listeners) listener(credentials);
}

export function signOut(): void {
  sessionStorage.removeItem(KEY);
  for (const listener of listeners) listener(null);
}

/** The signed-in credentials, re-rendering on sign-in and sign-out. */
export function useCredentials(): Credentials | null {
  const [credentials, setCredentials] = useState(currentCredentials);
  useEffect(() => {
    listeners.add(setCredentials);
    return () => {
      listeners.delete(setCredentials);
    };
  }, []);
  return credentials;
}

export { type CredentialsInput, certificateProblem, credentialsFrom } from '../lib/credentials.js';
