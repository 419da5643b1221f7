/**
 * The Graph emulator on a worker thread of the benchmark's process, so that its work (reading and parsing a 2 MB
 * `/import` body, checking 500 hashes, creating and deciding 500 records, answering) runs on its own event loop, as
 * Intune's runs on Intune's machines, and is never counted as the engine's. In one event loop with the engine, that
 * work delayed the engine's next send and Intune's own records alike (see `bench/RESULTS.md`, "import 2,000 devices").
 *
 * The main thread talks to it by messages: add a token, read a tenant's figures (its requests and the times of its
 * records), close. Times are `Date.now()` on both threads, so they compare directly.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { TokenGrant } from '../test/emulator/auth';
import { startGraphEmulator, type GraphEmulator, type GraphEmulatorOptions } from '../test/emulator/server';

/** What the benchmark measures of one tenant. */
export interface TenantFigures {
  /** `at`: when the request had arrived whole (its body read), before the modelled latency. */
  readonly requests: readonly { readonly status: number; readonly at: number; readonly path: string }[];
  readonly records: readonly { readonly receivedAt: number; readonly createdAt: number; readonly readyAt: number }[];
}

type Request =
  | { readonly id: number; readonly op: 'addToken'; readonly token: string; readonly grant: Partial<TokenGrant> }
  | { readonly id: number; readonly op: 'figures'; readonly tenantId: string }
  | { readonly id: number; readonly op: 'close' };
/** A request before it is numbered (Omit on each member of the union). */
type Unnumbered<T> = T extends unknown ? Omit<T, 'id'> : never;

/** The emulator as the benchmark sees it from the main thread. */
export interface EmulatorThread {
  readonly url: string;
  addToken(token: string, grant: Partial<TokenGrant>): Promise<void>;
  figures(tenantId: string): Promise<TenantFigures>;
  close(): Promise<void>;
}

/** Starts the emulator on a worker thread (options must be plain data: no clock or random source). */
export async function startEmulatorThread(options: GraphEmulatorOptions): Promise<EmulatorThread> {
  const worker = new Worker(__filename, { workerData: options });
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  const failAll = (error: Error) => {
    for (const waiter of pending.values()) waiter.reject(error);
    pending.clear();
  };
  worker.on('error', failAll);
  worker.on('exit', (code) => failAll(new Error(`The emulator thread exited (${code})`)));
  const url = await new Promise<string>((resolve, reject) => {
    worker.once('message', (message: { url: string }) => resolve(message.url));
    worker.once('error', reject);
  });
  worker.on('message', (message: { id: number; value?: unknown; error?: string }) => {
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (message.error !== undefined) waiter?.reject(new Error(message.error));
    else waiter?.resolve(message.value);
  });
  const ask = <T>(request: Unnumbered<Request>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = ++nextId;
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ ...request, id });
    });
  return {
    url,
    addToken: (token, grant) => ask({ op: 'addToken', token, grant }),
    figures: (tenantId) => ask({ op: 'figures', tenantId }),
    close: async () => {
      await ask({ op: 'close' });
      await worker.terminate();
    },
  };
}

function answer(emulator: GraphEmulator, request: Request): unknown {
  switch (request.op) {
    case 'addToken':
      emulator.auth.addToken(request.token, request.grant);
      return undefined;
    case 'figures':
      return {
        requests: emulator.requests.filter((r) => r.tenantId === request.tenantId).map((r) => ({ status: r.status, at: r.at, path: r.path })),
        records: emulator.state.tenant(request.tenantId).created.map((r) => ({ receivedAt: r.receivedAt, createdAt: r.createdAt, readyAt: r.readyAt })),
      } satisfies TenantFigures;
    case 'close':
      return emulator.close();
  }
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  void startGraphEmulator(workerData as GraphEmulatorOptions).then((emulator) => {
    port.on('message', (request: Request) => {
      Promise.resolve()
        .then(() => answer(emulator, request))
        .then(
          (value) => port.postMessage({ id: request.id, value }),
          (error: unknown) => port.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) }),
        );
    });
    port.postMessage({ url: emulator.url });
  });
}
