import type { TextMapGetter, TextMapSetter } from '@opentelemetry/api';

// The API's default getter/setter treat the carrier as a plain object; Connect hands us a fetch
// `Headers`, whose entries are only reachable through get/set/keys.

export const headersGetter: TextMapGetter<Headers> = {
  keys: (headers) => [...headers.keys()],
  get: (headers, key) => headers.get(key) ?? undefined,
};

export const headersSetter: TextMapSetter<Headers> = {
  set: (headers, key, value) => headers.set(key, value),
};
