import type * as vscode from 'vscode';
import type { Disposable, SecretStore } from '../secretStore';

/** VS Code's SecretStorage (the OS keychain, shared by every window) as the auth layer's SecretStore. */
export function secretStoreFrom(secrets: vscode.SecretStorage): SecretStore {
  return {
    get: async (key) => secrets.get(key),
    store: async (key, value) => secrets.store(key, value),
    delete: async (key) => secrets.delete(key),
    onDidChange: (listener): Disposable => secrets.onDidChange((event) => listener(event.key)),
  };
}
