import { connect } from 'node:net';
import type { SpawnedApp } from '@feedmesh/service-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStores, startIngest, type StartedIngest, type TestStores } from './fixtures.js';

// The strict JSON route reads its body with the kit's limit: an oversized body is answered as on
// the Connect routes, and a chunked one (no content-length to check first) closes the connection,
// whose unread rest would otherwise be parsed as the next request or stall it.
let stores: TestStores;
let ingest: StartedIngest;
let app: SpawnedApp;

beforeAll(async () => {
  stores = await createTestStores();
  ingest = await startIngest(stores, { INGEST_WORKERS: '0', MAX_MESSAGE_BYTES: '1024' });
  ({ app } = ingest);
});

afterAll(async () => {
  await ingest?.stop();
  await stores?.close();
});

/** Writes `request` on a fresh connection; resolves with what came back once the server closed it, or after `timeoutMs`. */
function exchange(request: string, timeoutMs: number): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    let text = '';
    const socket = connect(app.port, '127.0.0.1', () => socket.write(request));
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.once('error', reject);
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text, closed: false });
    }, timeoutMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve({ text, closed: true });
    });
  });
}

const head = (extra: string) => `POST /v1/engagement HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n${extra}\r\n`;
const answer = { code: 'invalid_argument', message: 'request message is more than 1024 bytes; the limit is 1024' };

describe('POST /v1/engagement beyond MAX_MESSAGE_BYTES (1024)', () => {
  it('sent chunked and never finished: answered invalid_argument naming the limit, and the connection closed', async () => {
    const { text, closed } = await exchange(head('transfer-encoding: chunked\r\n') + `800\r\n${'x'.repeat(0x800)}\r\n`, 3_000);
    expect(text).toMatch(/^HTTP\/1\.1 400 /);
    expect(text.toLowerCase()).toContain('connection: close');
    expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4))).toEqual(answer);
    expect(closed).toBe(true);
  });

  it('with a content-length: answered before the body is read, and the connection closed', async () => {
    const { text, closed } = await exchange(head('content-length: 5000\r\n'), 3_000);
    expect(text).toMatch(/^HTTP\/1\.1 400 /);
    expect(closed).toBe(true);
  });

  it('a body within the limit is still served', async () => {
    const response = await fetch(`http://${app.address}/v1/engagement`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"events":"nope"}' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'invalid_argument', message: 'events: must be an array' });
  });
});
