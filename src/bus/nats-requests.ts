/**
 * Request/reply on NATS through one wildcard inbox subscription per connection (`<inbox>.*`),
 * each request waiting on its own token.
 *
 * Why not `nc.request()`: nats.js builds an Error (with a captured stack) on every completed
 * request just to reject an already-settled promise, which costs more than the rest of our
 * envelope work together. Here a reply, a no-responders status (503), a timeout, a lost
 * connection and a closed one each settle the request once, with our own error classes.
 *
 * Invariant: a token is in `pending` from publish until it settles, and is settled exactly once.
 */
import { createInbox, type Msg, type MsgHdrs, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { ConnectionClosedError, NoRespondersError, TimeoutError } from './errors.ts';

interface Pending {
  subject: string;
  timeoutMs: number;
  timer: NodeJS.Timeout;
  resolve(m: Msg): void;
  reject(err: Error): void;
}

export class RequestMux {
  private readonly prefix: string;
  private readonly pending = new Map<string, Pending>();
  private sub: Subscription | undefined;
  private next = 0;

  constructor(private readonly nc: NatsConnection) {
    // The connection's own inbox prefix (nats.js keeps its options on the connection object, as
    // its JetStream client reads them): permissions may let a user subscribe to its own only.
    this.prefix = createInbox((nc as { options?: { inboxPrefix?: string } }).options?.inboxPrefix);
    void nc.closed().then(() => this.failAll(() => new ConnectionClosedError('the connection closed during the request')));
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === 'disconnect') this.failAll((subject) => new ConnectionClosedError(`connection lost during request on ${subject}`));
      }
    })().catch(() => {});
  }

  request(subject: string, data: Uint8Array, headers: MsgHdrs, timeoutMs: number): Promise<Msg> {
    if (this.nc.isClosed()) return Promise.reject(new ConnectionClosedError('the bus is closed'));
    this.sub ??= this.nc.subscribe(`${this.prefix}.*`, { callback: (_err, m) => this.settle(m) });
    const token = (this.next++).toString(36);
    return new Promise<Msg>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(token);
        reject(new TimeoutError(subject, timeoutMs));
      }, timeoutMs);
      this.pending.set(token, { subject, timeoutMs, timer, resolve, reject });
      try {
        this.nc.publish(subject, data, { reply: `${this.prefix}.${token}`, headers });
      } catch (err) {
        clearTimeout(timer);
        this.pending.delete(token);
        reject(err);
      }
    });
  }

  private settle(m: Msg): void {
    const token = m.subject.slice(this.prefix.length + 1);
    const p = this.pending.get(token);
    if (!p) return; // late reply to a request that timed out
    this.pending.delete(token);
    clearTimeout(p.timer);
    if (m.data.length === 0 && m.headers?.code === 503) p.reject(new NoRespondersError(p.subject));
    else p.resolve(m);
  }

  private failAll(make: (subject: string) => Error): void {
    for (const [token, p] of this.pending) {
      this.pending.delete(token);
      clearTimeout(p.timer);
      p.reject(make(p.subject));
    }
  }
}
