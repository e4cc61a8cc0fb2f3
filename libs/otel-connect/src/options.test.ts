import { afterEach, describe, expect, it, vi } from 'vitest';
import { resolveOptions } from './options.js';

describe('resolveOptions', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('emits only the stable attributes by default', () => {
    vi.stubEnv('OTEL_SEMCONV_STABILITY_OPT_IN', '');
    expect(resolveOptions({}).legacy).toBe(false);
  });

  it('adds the deprecated attributes when OTEL_SEMCONV_STABILITY_OPT_IN asks for rpc/dup', () => {
    vi.stubEnv('OTEL_SEMCONV_STABILITY_OPT_IN', 'http, rpc/dup');
    expect(resolveOptions({}).legacy).toBe(true);
    vi.stubEnv('OTEL_SEMCONV_STABILITY_OPT_IN', 'rpc');
    expect(resolveOptions({}).legacy).toBe(false);
  });

  it('lets the legacyAttributes option win over the environment', () => {
    vi.stubEnv('OTEL_SEMCONV_STABILITY_OPT_IN', 'rpc/dup');
    expect(resolveOptions({ legacyAttributes: false }).legacy).toBe(false);
  });
});
