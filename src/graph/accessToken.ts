/** How the Graph client obtains bearer tokens; the auth layer supplies the implementation. */
export interface AccessTokenRequest {
  readonly signal?: AbortSignal;
  /** Set after a 401: the cached token was rejected, so a new one is needed. */
  readonly forceRefresh?: boolean;
}

export type GetAccessToken = (request?: AccessTokenRequest) => Promise<string>;
