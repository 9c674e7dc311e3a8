import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { componentLogger, createLogger, redactString } from '../src/log/logger.ts';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _e, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { lines, destination };
}

describe('logging', () => {
  it('redacts credentials in URLs, bearer tokens and API keys inside strings', () => {
    expect(redactString('nats://alice:hunter2@10.0.0.1:4222')).toBe('nats://[redacted]@10.0.0.1:4222');
    expect(redactString('https://sk-abcdefghijkl@api.example')).toBe('https://[redacted]@api.example');
    expect(redactString('Authorization: Bearer abc.def.ghi')).toBe('Authorization: Bearer [redacted]');
    expect(redactString('key sk-proj-0123456789abcdef')).toBe('key [redacted]');
    expect(redactString('nats://host:4222 plain')).toBe('nats://host:4222 plain');
  });

  it('writes JSON lines with secrets removed, by path and inside values', () => {
    const { lines, destination } = capture();
    const log = createLogger({ destination });
    log.info(
      { apiKey: 'sk-live-secret-000', endpoint: { url: 'http://u:p4ss@gpu:8000', token: 't0k' }, servers: ['nats://a:b@h'] },
      'connecting to %s',
      'nats://bob:pw123@host',
    );
    const text = lines.join('');
    const rec = JSON.parse(lines[0]!);
    for (const secret of ['sk-live-secret-000', 'p4ss', 't0k', 'pw123', ':b@']) expect(text).not.toContain(secret);
    expect(rec.msg).toBe('connecting to nats://[redacted]@host');
    expect(rec.endpoint.url).toBe('http://[redacted]@gpu:8000');
  });

  it('gives components child loggers carrying run and trace ids', () => {
    const { lines, destination } = capture();
    const log = componentLogger(createLogger({ destination }), 'coder', {
      run: 'r1',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    });
    log.warn('hello');
    const rec = JSON.parse(lines[0]!);
    expect(rec).toMatchObject({ component: 'coder', run: 'r1', trace_id: '0af7651916cd43dd8448eb211c80319c', span_id: 'b7ad6b7169203331', msg: 'hello' });
  });
});
