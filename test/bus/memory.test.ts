import { MemoryBus } from '../../src/bus/mod.ts';
import type { Bus } from '../../src/bus/mod.ts';
import { runBusConformance } from './conformance.ts';

runBusConformance('MemoryBus', () => {
  // One in-process system per test: every connect() is another handle on the same bus.
  const shared = new MemoryBus();
  const handle = (): Bus =>
    new Proxy(shared, {
      get(target, prop, receiver) {
        if (prop === 'close') return async () => {};
        const v = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
  return {
    connect: async () => handle(),
    publishRaw: (_bus, subject, data, headers) => void shared.publishRaw(subject, data, headers),
  };
});
