/** Tracing: the recorder, the trace file, its views, and the OpenTelemetry export. */
export { startRecorder, readTrace, iterateTrace, TraceFormatError, type Recorder, type RecorderOptions, type Trace, type TraceStart } from './recorder.ts';
export { DEFAULT_MAX_STRING, TRACE_FORMAT, type TraceHeader, type TraceRecord } from './record.ts';
export { buildModel, type TraceModel, type TraceMessage, type AgentInfo, type SearchView, type PolicyRevision, type StartView } from './model.ts';
export { renderChromeTrace } from './chrome.ts';
export { renderText, messageLine } from './text.ts';
export { renderMermaid } from './mermaid.ts';
export { renderHtml } from './html.ts';
export { startOtlpExport, otlpEndpointFromEnv, type OtlpExport, type OtlpExportOptions } from './otlp.ts';
