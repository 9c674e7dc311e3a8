/** Converting between NATS message headers and the plain records the envelope codec uses. */
import { headers as natsHeaders, type MsgHdrs } from '@nats-io/transport-node';

export function headersToRecord(h: MsgHdrs | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!h) return out;
  for (const k of h.keys()) out[k] = h.get(k);
  return out;
}

export function recordToHeaders(r: Record<string, string>): MsgHdrs {
  const h = natsHeaders();
  for (const [k, v] of Object.entries(r)) h.set(k, v);
  return h;
}
