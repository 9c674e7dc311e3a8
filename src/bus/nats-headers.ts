/** Converting between NATS message headers and the plain records the envelope codec uses. */
import { headers as natsHeaders, type MsgHdrs, type MsgHdrsImpl } from '@nats-io/transport-node';

export function headersToRecord(h: MsgHdrs | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!h) return out;
  // Iterating the headers directly: `get(k)` scans every key again for each lookup.
  for (const [k, values] of h) if (values.length > 0) out[k] = values[0]!;
  return out;
}

const CRLF = /[\r\n]/;

/**
 * Headers for a message. The values are written into the header map directly: the client's
 * `append` canonicalises and re-scans every key and value, which costs more per message than the
 * whole envelope. The one thing it guards against, a line break inside a value, is refused here.
 */
export function recordToHeaders(r: Record<string, string>): MsgHdrs {
  const h = natsHeaders();
  const map = (h as MsgHdrsImpl).headers;
  for (const k in r) {
    const v = r[k]!;
    if (CRLF.test(v) || CRLF.test(k)) throw new TypeError(`header ${JSON.stringify(k)} has a line break in its name or value`);
    map.set(k, [v]);
  }
  return h;
}
