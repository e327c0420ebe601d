import { describe, expect, it } from 'vitest';
import { OtlpConfigError, otlpConfig } from './config.ts';

const TP = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

describe('OTLP configuration', () => {
  it('is off without an endpoint', () => {
    expect(otlpConfig({}, {})).toBeNull();
  });

  it('takes --otlp and the environment as a base URL, the traces variable as the whole URL', () => {
    expect(otlpConfig({ otlp: 'http://127.0.0.1:4318' }, {})).toEqual({ url: 'http://127.0.0.1:4318/v1/traces', traceparent: undefined });
    expect(otlpConfig({ otlp: 'http://c:4318/v1/traces' }, {})?.url).toBe('http://c:4318/v1/traces');
    expect(otlpConfig({}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'https://c/otel/' })?.url).toBe('https://c/otel/v1/traces');
    expect(otlpConfig({}, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c/custom', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://d' })?.url).toBe('http://c/custom');
    // the flag wins over the environment
    expect(otlpConfig({ otlp: 'http://flag:1' }, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://env/x' })?.url).toBe('http://flag:1/v1/traces');
    expect(otlpConfig({ otlp: 'http://c:1', traceparent: TP }, { TRACEPARENT: 'ignored' })?.traceparent).toBe(TP);
    expect(otlpConfig({}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c', TRACEPARENT: TP })?.traceparent).toBe(TP);
  });

  it('refuses what cannot work, saying what to type', () => {
    expect(() => otlpConfig({ otlp: 'collector:4318' }, {})).toThrow(OtlpConfigError);
    expect(() => otlpConfig({ otlp: 'ftp://c' }, {})).toThrow(/http:\/\/ or https:\/\//);
    expect(() => otlpConfig({ otlp: 'http://c', traceparent: '00-zz-yy-01' }, {})).toThrow(/--traceparent must be a W3C traceparent/);
    expect(() => otlpConfig({ traceparent: TP }, {})).toThrow(/needs --otlp/);
  });
});
