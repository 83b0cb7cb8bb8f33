// One request/response helper for the two thread channels (host ↔ worker in services/workerClient.ts,
// worker ↔ fitting thread in worker/fitClient.ts): ids, correlation, time-outs, cancellation and
// errors in one place. Requests and responses are discriminated unions on `kind` (protocol.ts); a
// call's answer is typed by its request's kind. Pure: no Node or DOM, the callers own the threads.

/** What a call sends. */
export interface RpcRequestMessage<Req> {
  type: 'request';
  id: number;
  request: Req;
}

/** What answers it: the handler's value, or its error as text (errors do not cross threads as objects). */
export type RpcResponseMessage<Res> = { type: 'response'; id: number; ok: true; response: Res } | { type: 'response'; id: number; ok: false; error: string };

/** Why a call failed: the other side threw (`remote`), it took too long (`timeout`), or the channel went away (`stopped`). */
export class RpcError extends Error {
  constructor(
    message: string,
    readonly reason: 'remote' | 'timeout' | 'stopped',
  ) {
    super(message);
  }
}

/** The response to a request of kind K. */
export type ResponseTo<Res extends { kind: string }, K extends string> = Extract<Res, { kind: K }>;

export interface RpcCall<T> {
  id: number;
  result: Promise<T>;
  /** Tells the other side to stop (the channel's `onCancel`, e.g. a shared flag); the answer is still awaited. */
  cancel(): void;
}

interface Pending {
  resolve: (response: never) => void;
  reject: (error: RpcError) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

export interface RpcClientOptions {
  /** How a call's cancellation reaches the other side (by id). */
  onCancel?: (id: number) => void;
}

/** The calling side of a channel: `send` posts to the other side, `receive` takes its responses. */
export class RpcClient<Req extends { kind: string }, Res extends { kind: string }> {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly options: RpcClientOptions = {}) {}

  /** Calls still waiting for their response. */
  get size(): number {
    return this.pending.size;
  }

  /**
   * Sends `request` and returns its call. With `timeoutMs` the call fails with `timeoutMessage` when
   * no response came by then (a later response is ignored). When `send` throws, so does `call`.
   */
  call<R extends Req>(
    send: (message: RpcRequestMessage<Req>) => void,
    request: R,
    timeout?: { ms: number; message: string },
  ): RpcCall<ResponseTo<Res, R['kind']>> {
    const id = this.nextId++;
    const result = new Promise<ResponseTo<Res, R['kind']>>((resolve, reject) => {
      const timer =
        timeout === undefined
          ? undefined
          : setTimeout(() => {
              this.pending.delete(id);
              reject(new RpcError(timeout.message, 'timeout'));
            }, timeout.ms);
      this.pending.set(id, { resolve: resolve as (response: never) => void, reject, timer });
    });
    try {
      send({ type: 'request', id, request });
    } catch (error) {
      // Not sent (the request cannot be copied, the port is closed): the caller is told now.
      const pending = this.pending.get(id);
      if (pending?.timer !== undefined) clearTimeout(pending.timer);
      this.pending.delete(id);
      throw error;
    }
    return { id, result, cancel: () => this.options.onCancel?.(id) };
  }

  /** A response from the other side: settles its call. False when none waits for it (timed out, or already failed). */
  receive(message: RpcResponseMessage<Res>): boolean {
    if (!this.pending.has(message.id)) return false;
    if (message.ok) this.settle(message.id, message.response, undefined);
    else this.settle(message.id, undefined, new RpcError(message.error, 'remote'));
    return true;
  }

  /** Every waiting call fails with `reason` (the other side stopped, or this one is shutting down), and its timer is cleared. */
  failAll(reason: string): void {
    for (const id of [...this.pending.keys()]) this.settle(id, undefined, new RpcError(reason, 'stopped'));
  }

  private settle(id: number, response: Res | undefined, error: RpcError | undefined): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    if (pending.timer !== undefined) clearTimeout(pending.timer);
    if (error) pending.reject(error);
    else pending.resolve(response as never);
  }
}

/**
 * The answering side: returns a handler for request messages that runs `handle` (sync or async,
 * given the call's id for cancellation checks) and posts its value, or its error as text.
 */
export function serveRpc<Req extends { kind: string }, Res extends { kind: string }>(
  handle: (request: Req, id: number) => Res | Promise<Res>,
  post: (message: RpcResponseMessage<Res>) => void,
  describeError: (error: unknown) => string = (error) => (error instanceof Error ? error.message : String(error)),
): (message: RpcRequestMessage<Req>) => void {
  return (message) => {
    const { id } = message;
    let value: Res | Promise<Res>;
    try {
      value = handle(message.request, id);
    } catch (error) {
      post({ type: 'response', id, ok: false, error: describeError(error) });
      return;
    }
    if (value instanceof Promise) {
      value.then(
        (response) => post({ type: 'response', id, ok: true, response }),
        (error: unknown) => post({ type: 'response', id, ok: false, error: describeError(error) }),
      );
    } else post({ type: 'response', id, ok: true, response: value });
  };
}
