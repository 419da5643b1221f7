/**
 * Where secrets live: VS Code's SecretStorage in the extension (the OS keychain, shared by every window), memory in
 * the terminal command. `onDidChange` fires for changes made in any window, which is how a sign-in or sign-out in
 * one window reaches the others.
 */
export interface Disposable {
  dispose(): void;
}

export interface SecretStore {
  get(key: string): Promise<string | undefined>;
  store(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
  onDidChange(listener: (key: string) => void): Disposable;
}

/** A process-local store: the CLI's token cache lives only as long as the command. */
export class MemorySecretStore implements SecretStore {
  private readonly values = new Map<string, string>();
  private readonly listeners = new Set<(key: string) => void>();

  async get(key: string): Promise<string | undefined> {
    return this.values.get(key);
  }

  async store(key: string, value: string): Promise<void> {
    this.values.set(key, value);
    this.fire(key);
  }

  async delete(key: string): Promise<void> {
    if (this.values.delete(key)) this.fire(key);
  }

  onDidChange(listener: (key: string) => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private fire(key: string): void {
    for (const listener of [...this.listeners]) listener(key);
  }
}
