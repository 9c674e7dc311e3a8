/** Converting between NATS message headers and the plain records the envelope codec uses. */
import { headers as natsHeaders, type MsgHdrs } from '@nats-io/transport-node';

export function headersToRecord(h: MsgHdrs | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!h) return out;
  // Iterating the headers directly: `get(k)` scans every key again for each lookup.
  for (const [k, values] of h) if (values.length > 0) out[k] = values[0]!;
  return out;
}

export function recordToHeaders(r: Record<string, string>): MsgHdrs {
  const h = natsHeaders();
  // Keys of a record are distinct, so `append` (no delete-first, unlike `set`) is enough.
  for (const k in r) h.append(k, r[k]!);
  return h;
}
