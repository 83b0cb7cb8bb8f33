import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RpcClient, RpcError, serveRpc, type RpcRequestMessage, type RpcResponseMessage } from '../../src/shared/rpc';

type Req = { kind: 'double'; n: number } | { kind: 'echo'; text: string };
type Res = { kind: 'double'; n: number } | { kind: 'echo'; text: string };

function handler(request: Req): Res | Promise<Res> {
  if (request.kind === 'double') {
    if (request.n < 0) throw new Error('negative');
    return { kind: 'double', n: request.n * 2 };
  }
  return Promise.resolve({ kind: 'echo', text: request.text });
}

test('rpc: responses reach their own calls, in any order, typed by the request kind', async () => {
  const client = new RpcClient<Req, Res>();
  const sent: RpcRequestMessage<Req>[] = [];
  const a = client.call((m) => sent.push(m), { kind: 'double', n: 3 });
  const b = client.call((m) => sent.push(m), { kind: 'echo', text: 'hi' });
  assert.notEqual(a.id, b.id);
  assert.equal(client.size, 2);
  const replies: RpcResponseMessage<Res>[] = [];
  const serve = serveRpc<Req, Res>(handler, (m) => replies.push(m));
  serve(sent[1]);
  serve(sent[0]);
  await new Promise((r) => setImmediate(r));
  // The async echo answers after the sync double: delivered in the order they came.
  for (const reply of replies) assert.equal(client.receive(reply), true);
  const doubled: { kind: 'double'; n: number } = await a.result;
  assert.equal(doubled.n, 6);
  assert.equal((await b.result).text, 'hi');
  assert.equal(client.size, 0);
  assert.equal(client.receive(replies[0]), false, 'a response nobody waits for is ignored');
});

test('rpc: a handler that throws answers its call with the error text (reason remote)', async () => {
  const client = new RpcClient<Req, Res>();
  const serve = serveRpc<Req, Res>(handler, (m) => client.receive(m));
  const call = client.call(serve, { kind: 'double', n: -1 });
  await assert.rejects(call.result, (e: unknown) => e instanceof RpcError && e.reason === 'remote' && e.message === 'negative');
});

test('rpc: a call times out with its message, and a late response is ignored', async () => {
  const client = new RpcClient<Req, Res>();
  let sent: RpcRequestMessage<Req> | undefined;
  const call = client.call((m) => (sent = m), { kind: 'echo', text: 'x' }, { ms: 5, message: 'no answer in 5 ms' });
  await assert.rejects(call.result, (e: unknown) => e instanceof RpcError && e.reason === 'timeout' && e.message === 'no answer in 5 ms');
  assert.equal(client.receive({ type: 'response', id: sent!.id, ok: true, response: { kind: 'echo', text: 'x' } }), false);
});

test('rpc: failAll fails every waiting call and clears its timer; cancel reaches the other side by id', async () => {
  const cancelled: number[] = [];
  const client = new RpcClient<Req, Res>({ onCancel: (id) => cancelled.push(id) });
  const a = client.call(() => {}, { kind: 'echo', text: 'a' }, { ms: 60_000, message: 'late' });
  const b = client.call(() => {}, { kind: 'double', n: 1 });
  b.cancel();
  assert.deepEqual(cancelled, [b.id]);
  client.failAll('the thread stopped');
  await assert.rejects(a.result, (e: unknown) => e instanceof RpcError && e.reason === 'stopped' && e.message === 'the thread stopped');
  await assert.rejects(b.result, /the thread stopped/);
  assert.equal(client.size, 0);
});

test('rpc: a request that cannot be sent throws from call and leaves nothing waiting', () => {
  const client = new RpcClient<Req, Res>();
  assert.throws(
    () =>
      client.call(
        () => {
          throw new Error('could not be cloned');
        },
        { kind: 'echo', text: 'x' },
        { ms: 60_000, message: 'late' },
      ),
    /could not be cloned/,
  );
  assert.equal(client.size, 0);
});
