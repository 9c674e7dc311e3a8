/**
 * A small OTLP/HTTP receiver on loopback (fastify): takes `POST /v1/traces` in the JSON encoding
 * and keeps every span with its resource attributes.
 */
import Fastify from 'fastify';

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
}

interface AnyValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
}
interface KeyValue {
  key: string;
  value: AnyValue;
}
interface ExportRequest {
  resourceSpans?: Array<{
    resource?: { attributes?: KeyValue[] };
    scopeSpans?: Array<{ spans?: Array<Omit<ReceivedSpan, 'attributes' | 'resource'> & { attributes?: KeyValue[] }> }>;
  }>;
}

const flat = (kvs: KeyValue[] = []) => Object.fromEntries(kvs.map((kv) => [kv.key, kv.value.stringValue ?? kv.value.intValue ?? kv.value.boolValue ?? kv.value.doubleValue]));

export interface OtlpReceiver {
  /** Base URL, for OTEL_EXPORTER_OTLP_ENDPOINT. */
  url: string;
  spans: ReceivedSpan[];
  contentTypes: string[];
  close(): Promise<void>;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const app = Fastify({ bodyLimit: 64 * 1024 * 1024 });
  const spans: ReceivedSpan[] = [];
  const contentTypes: string[] = [];
  app.post('/v1/traces', async (req, reply) => {
    contentTypes.push(String(req.headers['content-type']));
    const body = req.body as ExportRequest;
    for (const rs of body.resourceSpans ?? []) {
      const resource = flat(rs.resource?.attributes);
      for (const ss of rs.scopeSpans ?? []) {
        for (const s of ss.spans ?? []) spans.push({ ...s, attributes: flat(s.attributes), resource });
      }
    }
    return reply.code(200).send({ partialSuccess: {} });
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { url, spans, contentTypes, close: () => app.close() };
}
