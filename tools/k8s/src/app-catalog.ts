/** The two shapes the manifests come in. */
export type Overlay = 'local' | 'production';

export const NAMESPACE = 'feedmesh';
/** Where ingest's StatefulSet mounts each pod's own volume for the spool. */
export const SPOOL_DIR = '/var/spool/feedmesh-ingest';

export interface Resources {
  requests: { cpu: string; memory: string };
  limits: { cpu: string; memory: string };
}

/** What differs between the apps; everything else is one shape for all (see manifests.ts). */
export interface AppSpec {
  name: string;
  /** Image the process runs from (the worker runs from ingest's). */
  image: string;
  /** The one port of both protocols; absent for the outbox worker, which serves nothing. */
  port?: number;
  command?: string[];
  /** StatefulSet when each pod owns a disk that must come back with it (ingest's spool). */
  workload: 'Deployment' | 'StatefulSet';
  resources: Resources;
  /** Where the requests come from, written beside them in the rendered YAML. */
  sizing: string;
  productionReplicas: number;
  maxReplicas: number;
  /** Variables read from the app's Secret, by overlay. */
  secrets(overlay: Overlay): string[];
  /** Values that differ from the spec's defaults, by overlay. */
  config(overlay: Overlay): Record<string, string>;
  /** Variables taken from the pod itself (downward API), e.g. the pod name. */
  fromPod?: Record<string, string>;
  /** Optional variables deliberately left unset, and why (rendered as an annotation the validator reads). */
  unset: Record<string, string>;
}

const mesh = (overlay: Overlay) => (overlay === 'production' ? ['REDIS_CLUSTER_NODES'] : []);
const common = ['DATABASE_URL', 'AUTH_TOKEN_SECRET', 'MESH_TOKEN_SECRET'];
const unsetForAll = { AUTH_JWKS_URL: 'callers present HS256 tokens signed with AUTH_TOKEN_SECRET; set it (and drop that secret) to verify an identity provider instead' };

/** Settings every app gets on top of the spec's defaults. */
export function baseConfig(app: string, overlay: Overlay): Record<string, string> {
  return {
    LOG_LEVEL: 'info',
    AUTH_MODE: 'jwt',
    MESH_AUTH: 'token',
    REFLECTION_ACCESS: 'service',
    OTEL_SERVICE_NAME: app,
    // The Job runs them first in production; the local try-out lets the apps do it too (lock-protected).
    MIGRATE_ON_START: overlay === 'local' ? 'true' : 'false',
    // Production reads REDIS_CLUSTER_NODES from the Secret, and REDIS_URL is then ignored.
    ...(overlay === 'local' && { REDIS_URL: 'redis://redis:6379', REDIS_CLUSTER_NODES: '' }),
  };
}

// Sizing: BENCHMARKS.md §4 (GetFeed through the mesh, after read path v2): "app CPU per request,
// c=16: 11.7 ms (4.3 / 3.3 / 2.3 / 1.6)" for aggregator / recall / ranking / render, at a measured
// capacity of ~105–115 pages/s on 2 cores. Requests below are for ~100 pages/s per pod; the HPA
// adds pods at 70 % of them. BENCHMARKS.md has no memory figure: memory is the Node baseline plus
// each app's configured cache maxima, and the limit leaves room for a 32 MiB RankBlock request.
export const apps: AppSpec[] = [
  {
    name: 'aggregator',
    image: 'aggregator',
    port: 8080,
    workload: 'Deployment',
    resources: { requests: { cpu: '500m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } },
    sizing: 'BENCHMARKS.md §4: 4.3 ms app CPU per page at c=16 → 0.43 core at 100 pages/s',
    productionReplicas: 3,
    maxReplicas: 12,
    secrets: (overlay) => [...common, 'CURSOR_SECRETS', ...mesh(overlay)],
    config: () => ({ NODE_ENV: 'production', RECALL_ADDR: 'dns:///recall-pods:8081', RANKING_ADDR: 'dns:///ranking-pods:8082', RENDER_ADDR: 'dns:///render-pods:8083', FEED_DEBUG: 'service' }),
    unset: unsetForAll,
  },
  {
    name: 'recall',
    image: 'recall',
    port: 8081,
    workload: 'Deployment',
    resources: { requests: { cpu: '350m', memory: '384Mi' }, limits: { cpu: '1', memory: '768Mi' } },
    sizing: 'BENCHMARKS.md §4: 3.3 ms app CPU per page at c=16 → 0.33 core at 100 pages/s; memory: RECALL_ITEM_RECORD_CACHE_MAX 200k records',
    productionReplicas: 3,
    maxReplicas: 12,
    secrets: (overlay) => [...common, ...mesh(overlay)],
    config: () => ({}),
    unset: unsetForAll,
  },
  {
    name: 'ranking',
    image: 'ranking',
    port: 8082,
    workload: 'Deployment',
    resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '768Mi' } },
    sizing: 'BENCHMARKS.md §4: 2.3 ms app CPU per page at c=16 → 0.23 core at 100 pages/s; §2: a 100k RankBlock is 74–96 ms app CPU and up to 32 MiB in',
    productionReplicas: 3,
    maxReplicas: 12,
    secrets: (overlay) => [...common, ...mesh(overlay)],
    config: () => ({ RANKING_MODEL_FILE: '/app/apps/ranking/model/default-model.json' }),
    unset: {
      ...unsetForAll,
      DIVERSITY_MAX_SAME_KIND_RUN: 'moved to the model file; the app refuses it when set',
      DIVERSITY_MAX_SAME_AUTHOR_RUN: 'moved to the model file; the app refuses it when set',
      DIVERSITY_LOOKAHEAD: 'moved to the model file; the app refuses it when set',
    },
  },
  {
    name: 'render',
    image: 'render',
    port: 8083,
    workload: 'Deployment',
    resources: { requests: { cpu: '200m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } },
    sizing: 'BENCHMARKS.md §4: 1.6 ms app CPU per page at c=16 → 0.16 core at 100 pages/s; memory: RENDER_MEMORY_CACHE_MAX_BYTES 16 MiB',
    productionReplicas: 3,
    maxReplicas: 12,
    secrets: (overlay) => [...common, ...mesh(overlay)],
    config: () => ({}),
    unset: unsetForAll,
  },
  {
    name: 'ingest',
    image: 'ingest',
    port: 8084,
    // Each pod's spool holds batches accepted while Postgres was down; a StatefulSet gives the pod
    // that comes back (same name, any node) the same volume, so it replays them.
    workload: 'StatefulSet',
    resources: { requests: { cpu: '700m', memory: '384Mi' }, limits: { cpu: '1', memory: '768Mi' } },
    sizing: 'BENCHMARKS.md §3: ingest 0.67 core at 44k events/s (~15 µs per event); memory: spool segments of 8 MiB',
    productionReplicas: 3,
    maxReplicas: 6,
    secrets: (overlay) => [...common, ...mesh(overlay)],
    // The outbox drains in its own Deployment (ingest-worker).
    config: () => ({ INGEST_RUN_WORKER: 'false', INGEST_SPOOL_DIR: SPOOL_DIR }),
    fromPod: { INGEST_WORKER_INSTANCE: 'metadata.name' },
    unset: unsetForAll,
  },
  {
    name: 'ingest-worker',
    image: 'ingest',
    command: ['node', 'apps/ingest/dist/worker.js'],
    workload: 'Deployment',
    resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } },
    sizing: 'no figure for the outbox alone in BENCHMARKS.md (§3 measures fan-out inside ingest); INGEST_WORKERS=4 jobs at once',
    productionReplicas: 2,
    maxReplicas: 6,
    secrets: (overlay) => [...common, ...mesh(overlay)],
    // The worker serves no port and spools nothing: PORT and INGEST_SPOOL_DIR are read (shared spec) but unused.
    config: () => ({ PORT: '0', OTEL_SERVICE_NAME: 'ingest-worker', INGEST_SPOOL_DIR: '/tmp/feedmesh-ingest-spool' }),
    // A restart under the same name unlocks the jobs its previous incarnation held.
    fromPod: { INGEST_WORKER_INSTANCE: 'metadata.name' },
    unset: unsetForAll,
  },
];
