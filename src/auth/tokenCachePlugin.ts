/**
 * MSAL's token cache persisted in a SecretStore, never in files, settings or globalState. Every MSAL operation
 * reads the stored blob first (so tokens another window added, or removed, are seen) and writes it back only when
 * MSAL changed something.
 */
import type { ICachePlugin, TokenCacheContext } from '@azure/msal-node';
import type { Logger } from '../common/logger';
import type { SecretStore } from './secretStore';

export class SecretStoreCachePlugin implements ICachePlugin {
  private lastSeen: string | undefined;

  constructor(
    private readonly secrets: SecretStore,
    readonly key: string,
    private readonly log: Logger,
  ) {}

  async beforeCacheAccess(context: TokenCacheContext): Promise<void> {
    const stored = await this.secrets.get(this.key);
    this.lastSeen = stored;
    // With nothing stored, an explicitly empty cache still replaces MSAL's in-memory one (`deserialize('')` would
    // keep it), so tokens another window signed out do not linger here.
    context.tokenCache.deserialize(stored || EMPTY_CACHE);
  }

  async afterCacheAccess(context: TokenCacheContext): Promise<void> {
    if (!context.cacheHasChanged) return;
    const serialized = context.tokenCache.serialize();
    if (serialized === this.lastSeen) return;
    await this.secrets.store(this.key, serialized);
    this.lastSeen = serialized;
    this.log.trace(`Token cache ${this.key} saved to secret storage.`);
  }
}

const EMPTY_CACHE = JSON.stringify({ Account: {}, IdToken: {}, AccessToken: {}, RefreshToken: {}, AppMetadata: {} });
