/**
 * OpenTelemetry export: one span per message of a run, sent over OTLP/HTTP (JSON) with the
 * OpenTelemetry JS SDK.
 *
 * A message's W3C `traceparent` is its own span context (every message is a span, see
 * src/bus/tracing.ts), and `retrace-parent-span` is the span it was sent from. So the exported
 * span keeps the message's trace id and span id, and its parent is the remote span context
 * (trace id, parent span id, the message's flags). The SDK draws span ids from its IdGenerator,
 * so a preset generator hands it the message's ids: spans recorded by any process, for messages
 * sent by any process, join in one trace tree.
 *
 * A work message's span stays open until the result of the same job arrives (so it covers the
 * work); every other span is an instant. Times are the messages' send stamps (`retrace-sent`). Flags are honoured: a message whose traceparent is not
 * sampled (`-00`) is not exported (the SDK's parent-based sampler).
 */
import { ROOT_CONTEXT, SpanKind, trace, type Span, type TraceFlags } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, RandomIdGenerator, type IdGenerator, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { parseSent, parseTraceparent, SENT_HEADER, type Bus, type Incoming } from '../bus/mod.ts';
import { PARENT_SPAN_HEADER } from './record.ts';

export interface OtlpExportOptions {
  /** Base URL of the collector (`/v1/traces` is added); OTEL_EXPORTER_OTLP_ENDPOINT by default. */
  endpoint?: string;
  /** `service.name` of the exported spans; `retrace` by default. */
  serviceName?: string;
  /** Another exporter (tests, or a protobuf/gRPC exporter); OTLP/HTTP JSON by default. */
  exporter?: SpanExporter;
}

export interface OtlpExport {
  /** Spans started so far. */
  readonly count: number;
  /** Stops listening, ends open spans, and flushes everything to the collector. */
  stop(): Promise<void>;
}

/** The collector URL from the environment, or undefined when OTLP export is not asked for. */
export function otlpEndpointFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const v = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  return v && v.trim() !== '' ? v.trim() : undefined;
}

/** Hands out the ids it is given for the next span; random ones otherwise. */
class PresetIdGenerator implements IdGenerator {
  private readonly random = new RandomIdGenerator();
  private traceId: string | undefined;
  private spanId: string | undefined;

  preset(traceId: string, spanId: string): void {
    this.traceId = traceId;
    this.spanId = spanId;
  }

  generateTraceId(): string {
    const id = this.traceId ?? this.random.generateTraceId();
    this.traceId = undefined;
    return id;
  }

  generateSpanId(): string {
    const id = this.spanId ?? this.random.generateSpanId();
    this.spanId = undefined;
    return id;
  }
}

function kindOf(subject: string): SpanKind {
  const part = subject.split('.')[2];
  return part === 'work' || part === 'result' ? SpanKind.PRODUCER : SpanKind.INTERNAL;
}

function jobOf(body: unknown): string | undefined {
  const job = body && typeof body === 'object' ? (body as { job?: unknown }).job : undefined;
  return typeof job === 'string' ? job : undefined;
}

export function startOtlpExport(bus: Bus, run: string, opts: OtlpExportOptions = {}): OtlpExport {
  const endpoint = opts.endpoint ?? otlpEndpointFromEnv();
  let exporter = opts.exporter;
  if (!exporter) {
    if (!endpoint) throw new Error('OTLP export needs an endpoint: set OTEL_EXPORTER_OTLP_ENDPOINT (e.g. http://localhost:4318)');
    const traces = process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT && !opts.endpoint ? endpoint : `${endpoint.replace(/\/+$/, '')}/v1/traces`;
    exporter = new OTLPTraceExporter({ url: traces });
  }
  const ids = new PresetIdGenerator();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': opts.serviceName ?? 'retrace', 'retrace.run': run }),
    idGenerator: ids,
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('retrace.trace');
  const openWork = new Map<string, { span: Span; start: number }>();
  // Jobs whose result came first (possible across connections): their work span ends at once.
  const answered = new Set<string>();
  let count = 0;

  const onMessage = (msg: Incoming) => {
    const own = parseTraceparent(msg.traceparent);
    if (!own) return;
    // When it was sent (its stamp), else now: ms since the epoch, sub-ms resolution.
    const at = parseSent(msg.headers[SENT_HEADER]) ?? performance.timeOrigin + performance.now();
    const parentSpan = msg.headers[PARENT_SPAN_HEADER];
    const flags = Number.parseInt(own.flags, 16) as TraceFlags;
    const ctx = parentSpan
      ? trace.setSpanContext(ROOT_CONTEXT, { traceId: own.traceId, spanId: parentSpan, traceFlags: flags, isRemote: true })
      : ROOT_CONTEXT;
    const job = jobOf(msg.body);
    const attributes: Record<string, string> = {
      'messaging.system': bus.transport === 'nats' ? 'nats' : 'retrace-memory',
      'messaging.destination.name': msg.subject,
      'retrace.type': msg.type,
      'retrace.run': run,
    };
    if (msg.sender) attributes['retrace.sender'] = msg.sender;
    if (msg.policy) attributes['retrace.policy'] = msg.policy;
    if (job) attributes['retrace.job'] = job;
    // startSpan is synchronous: the preset ids go to exactly this span.
    ids.preset(own.traceId, own.spanId);
    const span = tracer.startSpan(`${msg.type} ${msg.subject.split('.').slice(2).join('.')}`, { kind: kindOf(msg.subject), attributes, startTime: at }, ctx);
    count++;
    const part = msg.subject.split('.')[2];
    if (part === 'work' && job && !answered.has(job)) {
      const before = openWork.get(job);
      before?.span.end(Math.max(at, before.start));
      openWork.set(job, { span, start: at });
      return;
    }
    span.end(at);
    if (part === 'result' && job) {
      const work = openWork.get(job);
      if (work) {
        // Clocks of two machines may disagree: a span never ends before it starts.
        work.span.end(Math.max(at, work.start));
        openWork.delete(job);
      } else {
        answered.add(job);
      }
    }
  };
  const sub = bus.subscribe(`retrace.${run}.>`, onMessage);

  return {
    get count() {
      return count;
    },
    async stop() {
      await sub.unsubscribe();
      const at = performance.timeOrigin + performance.now();
      for (const { span, start } of openWork.values()) span.end(Math.max(at, start));
      openWork.clear();
      await provider.forceFlush();
      await provider.shutdown();
    },
  };
}
