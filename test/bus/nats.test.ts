import { afterAll, beforeAll } from 'vitest';
import { NatsBus } from '../../src/bus/mod.ts';
import { startNatsServer, type NatsServerHandle } from '../support/nats-server.ts';
import { runBusConformance } from './conformance.ts';

let server: NatsServerHandle;

beforeAll(async () => {
  server = await startNatsServer();
});

afterAll(async () => {
  await server?.stop();
});

runBusConformance('NatsBus', () => ({
  connect: () => NatsBus.connect({ servers: server.url }),
  publishRaw: (bus, subject, data, headers) => (bus as NatsBus).publishRaw(subject, data, headers),
}));
