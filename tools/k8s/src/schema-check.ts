import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

type SchemaValidator = ((data: unknown) => boolean) & { errors?: { instancePath: string; message?: string; keyword: string; params: Record<string, unknown> }[] | null };

const requireHere = createRequire(import.meta.url);

/** kubernetes-models exports its schemas for `import` only: load the files by path (Node 22 requires ES modules). */
function schemasDir(): string {
  for (let dir = import.meta.dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', 'kubernetes-models', '_schemas');
    if (existsSync(candidate)) return candidate;
  }
  throw new Error('kubernetes-models is not installed');
}
const groups: Record<string, string> = { '': 'Core', apps: 'Apps', batch: 'Batch', policy: 'Policy', autoscaling: 'Autoscaling' };

/** The compiled Kubernetes OpenAPI validator of an object's apiVersion and kind, from kubernetes-models. */
function schemaOf(apiVersion: string, kind: string): SchemaValidator {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const prefix = groups[group!];
  if (!prefix || !/^v\d\w*$/.test(version ?? '') || !/^[A-Z]\w+$/.test(kind)) throw new Error(`no schema for ${apiVersion} ${kind}`);
  const name = `IoK8sApi${prefix}${version![0]!.toUpperCase()}${version!.slice(1)}${kind}`;
  try {
    return (requireHere(path.join(schemasDir(), `${name}.js`)) as { validate: SchemaValidator }).validate;
  } catch {
    throw new Error(`no schema for ${apiVersion} ${kind}`);
  }
}

/**
 * Wraps `value` so that every property the schema validator looks at is recorded. The compiled
 * validators test each property their schema declares (`data.replicas !== undefined`) and walk
 * every key of free-form maps (labels, ConfigMap data), so a key of the object that was never
 * read is one the schema does not know: a typo such as `replica`, or a field of another kind.
 * The schemas themselves allow unknown fields (the API server drops them silently), hence this.
 */
function tracked(value: unknown, path: string, unread: Map<string, Set<string>>): unknown {
  if (!value || typeof value !== 'object') return value;
  const keys = new Set(Object.keys(value));
  unread.set(path, keys);
  const wrapped = new Map<string, unknown>();
  return new Proxy(value as Record<string, unknown>, {
    get(target, key, receiver) {
      if (typeof key !== 'string') return Reflect.get(target, key, receiver);
      keys.delete(key);
      if (!wrapped.has(key)) wrapped.set(key, tracked(target[key], `${path}/${key}`, unread));
      return wrapped.get(key);
    },
  });
}

function describe(keyword: string, params: Record<string, unknown>): string {
  if (keyword === 'required') return `is missing required field "${String(params.missingProperty)}"`;
  if (keyword === 'type') return `must be ${String(params.type)}`;
  if (keyword === 'format') return `must match format "${String(params.format)}"`;
  if (keyword === 'enum') return `must be one of ${JSON.stringify(params.allowedValues)}`;
  return `fails ${keyword} ${JSON.stringify(params)}`;
}

/** Problems of one object against the Kubernetes schema of its kind: types, required fields, formats, unknown fields. */
export function schemaProblems(object: { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown } }): string[] {
  const where = `${String(object.kind)}/${String(object.metadata?.name)}`;
  if (typeof object.apiVersion !== 'string' || typeof object.kind !== 'string') return [`${where}: apiVersion and kind must be strings`];
  let validate: SchemaValidator;
  try {
    validate = schemaOf(object.apiVersion, object.kind);
  } catch (error) {
    return [`${where}: ${(error as Error).message}`];
  }
  const unread = new Map<string, Set<string>>();
  const problems: string[] = [];
  if (!validate(tracked(object, '', unread))) {
    for (const error of validate.errors ?? []) {
      const detail = describe(error.keyword, error.params);
      problems.push(`${where}: ${error.instancePath || '/'} ${detail}`);
    }
  }
  for (const [path, keys] of unread) for (const key of keys) problems.push(`${where}: ${path || '/'} has unknown field "${key}"`);
  return [...new Set(problems)];
}
