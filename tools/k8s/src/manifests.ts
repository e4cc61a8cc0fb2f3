import { ConfigMap, Namespace, Secret, Service, type IContainer, type IEnvVar, type IPodSpec } from 'kubernetes-models/v1';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Job } from 'kubernetes-models/batch/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import os from 'node:os';
import { apps, baseConfig, NAMESPACE, SPOOL_DIR, type AppSpec, type Overlay } from './app-catalog.js';
import { envVariablesOf, repoRoot, sharedDataVariables } from './env-inventory.js';

/** A rendered object: plain JSON, as it is written to YAML and as the validator reads it. */
export type Manifest = Record<string, unknown> & { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> } };

/** One YAML file of an overlay: its objects, and a comment on top. */
export interface ManifestFile {
  file: string;
  header: string;
  objects: Manifest[];
}

export const VERSION = '0.1.0';
/** Which optional variables a workload leaves unset on purpose (the validator accepts only these). */
export const UNSET_ANNOTATION = 'feedmesh.dev/env-unset';
export const SHARED_CONFIG = 'feedmesh-shared-data';
/** Seconds the kubelet waits after endpoints start to drop a pod before sending SIGTERM. */
const PRE_STOP_SECONDS = 5;
const TERMINATION_GRACE_SECONDS = 30;

const json = (model: { toJSON(): unknown }) => model.toJSON() as Manifest;

function selectorOf(app: string): Record<string, string> {
  return { 'app.kubernetes.io/name': app, 'app.kubernetes.io/part-of': 'feedmesh' };
}

function labelsOf(app: string): Record<string, string> {
  return { ...selectorOf(app), 'app.kubernetes.io/version': VERSION };
}

function imageOf(spec: AppSpec, overlay: Overlay): string {
  // local: the images docker-compose builds (load them into kind/minikube); production: a release tag.
  return overlay === 'local' ? `feedmesh/${spec.image}:local` : `feedmesh/${spec.image}:${VERSION}`;
}

/** Every variable the app reads, with its value: the app's overrides, else the spec's default. */
function configData(spec: AppSpec, overlay: Overlay): Record<string, string> {
  const secret = new Set(spec.secrets(overlay));
  const shared = new Set(sharedDataVariables().map((v) => v.name));
  const wanted: Record<string, string> = { ...baseConfig(spec.name, overlay), ...(spec.port !== undefined && { PORT: String(spec.port) }), ...spec.config(overlay) };
  const data: Record<string, string> = {};
  for (const variable of envVariablesOf(spec.name)) {
    const { name } = variable;
    if (secret.has(name) || shared.has(name) || spec.fromPod?.[name] || name in spec.unset) continue;
    const value = wanted[name] ?? variable.defaultValue;
    if (value === undefined) throw new Error(`${spec.name}: ${name} has no default and no value: add it to the catalog, its Secret, or its unset list`);
    // A default computed where this runs (a path in the checkout, the host name) means nothing in a pod.
    if (!(name in wanted) && (value.startsWith(repoRoot) || value === os.hostname())) throw new Error(`${spec.name}: ${name}'s default "${value}" is this machine's: set it in the catalog`);
    data[name] = value;
  }
  for (const name of Object.keys(wanted)) {
    if (!(name in data) && !secret.has(name)) throw new Error(`${spec.name}: the catalog sets ${name}, which the app does not read`);
  }
  return Object.fromEntries(Object.entries(data).sort(([a], [b]) => a.localeCompare(b)));
}

function container(spec: AppSpec, overlay: Overlay): IContainer {
  const env: IEnvVar[] = [
    ...spec.secrets(overlay).map((key) => ({ name: key, valueFrom: { secretKeyRef: { name: `${spec.name}-secrets`, key } } })),
    ...Object.entries(spec.fromPod ?? {}).map(([name, fieldPath]) => ({ name, valueFrom: { fieldRef: { fieldPath } } })),
  ];
  const probe = (path: string, periodSeconds: number, failureThreshold: number) => ({ httpGet: { path, port: 'grpc' }, periodSeconds, timeoutSeconds: 2, failureThreshold });
  return {
    name: spec.name,
    image: imageOf(spec, overlay),
    ...(overlay === 'local' && { imagePullPolicy: 'IfNotPresent' }),
    ...(spec.command && { command: spec.command }),
    envFrom: [{ configMapRef: { name: SHARED_CONFIG } }, { configMapRef: { name: `${spec.name}-config` } }],
    env,
    ...(spec.port !== undefined && {
      ports: [{ name: 'grpc', containerPort: spec.port, protocol: 'TCP' }],
      // Startup covers migrations and the first connections (up to 60 s); then liveness is the
      // process alone, readiness its dependencies too (Postgres, Redis), so a database outage
      // takes pods out of the Service instead of restarting them.
      startupProbe: probe('/healthz', 2, 30),
      livenessProbe: probe('/healthz', 10, 3),
      readinessProbe: probe('/readyz', 5, 2),
      // Endpoints drop a terminating pod asynchronously; keep serving meanwhile. SIGTERM then
      // starts the kit's own drain (SHUTDOWN_DELAY_MS, then SHUTDOWN_GRACE_MS).
      lifecycle: { preStop: { sleep: { seconds: PRE_STOP_SECONDS } } },
    }),
    resources: spec.resources,
    securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
    volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }, ...(spec.workload === 'StatefulSet' ? [{ name: 'spool', mountPath: SPOOL_DIR }] : [])],
  };
}

function podSpec(spec: AppSpec, overlay: Overlay): IPodSpec {
  return {
    automountServiceAccountToken: false,
    // preStop + SHUTDOWN_DELAY_MS (5 s) + SHUTDOWN_GRACE_MS (10 s) = 20 s, inside the 30 s.
    terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
    // fsGroup makes a fresh volume writable by the app; OnRootMismatch stops the kubelet from
    // making every file group-writable again at each mount, which ingest's spool would refuse
    // (its directories must be the app user's alone).
    securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, fsGroupChangePolicy: 'OnRootMismatch', seccompProfile: { type: 'RuntimeDefault' } },
    containers: [container(spec, overlay)],
    volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }],
    ...(overlay === 'production' && {
      // Pods of one app spread over zones first (a zone outage leaves the others), then nodes.
      topologySpreadConstraints: [
        { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: selectorOf(spec.name) } },
        { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: selectorOf(spec.name) } },
      ],
    }),
  };
}

function metadata(name: string, labels: Record<string, string>, annotations?: Record<string, string>) {
  return { name, namespace: NAMESPACE, labels, ...(annotations && { annotations }) };
}

function workload(spec: AppSpec, overlay: Overlay): Manifest {
  const annotations = { [UNSET_ANNOTATION]: Object.keys(spec.unset).sort().join(','), 'feedmesh.dev/sizing': spec.sizing };
  const template = { metadata: { labels: labelsOf(spec.name) }, spec: podSpec(spec, overlay) };
  const meta = metadata(spec.name, labelsOf(spec.name), annotations);
  if (spec.workload === 'StatefulSet') {
    return json(
      new StatefulSet({
        metadata: meta,
        // No replicas: the HPA owns the count, so re-applying this file does not reset it.
        spec: {
          serviceName: `${spec.name}-pods`,
          // Pods start and stop together: ordering buys nothing here and slows rollouts.
          podManagementPolicy: 'Parallel',
          selector: { matchLabels: selectorOf(spec.name) },
          template,
          // A volume outlives its pod, also on scale-down: a spool left with batches is replayed when the pod of that ordinal returns.
          persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
          volumeClaimTemplates: [{ metadata: { name: 'spool' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: overlay === 'local' ? '1Gi' : '2Gi' } } } }],
        },
      }),
    );
  }
  return json(
    new Deployment({
      metadata: meta,
      spec: {
        selector: { matchLabels: selectorOf(spec.name) },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        template,
      },
    }),
  );
}

function services(spec: AppSpec): Manifest[] {
  if (spec.port === undefined) return [];
  const port = { name: 'grpc', port: spec.port, targetPort: 'grpc', protocol: 'TCP' as const, appProtocol: 'kubernetes.io/h2c' };
  return [
    // For Connect/HTTP callers, probes from outside and Prometheus: one virtual IP.
    json(new Service({ metadata: metadata(spec.name, labelsOf(spec.name)), spec: { selector: selectorOf(spec.name), ports: [port] } })),
    // For gRPC callers in the mesh: the pods' own addresses, so a dns:/// round_robin channel spreads calls over them.
    json(new Service({ metadata: metadata(`${spec.name}-pods`, labelsOf(spec.name)), spec: { clusterIP: 'None', selector: selectorOf(spec.name), ports: [port] } })),
  ];
}

function availability(spec: AppSpec, overlay: Overlay): Manifest[] {
  const minReplicas = overlay === 'local' ? 1 : spec.productionReplicas;
  return [
    json(new PodDisruptionBudget({ metadata: metadata(spec.name, labelsOf(spec.name)), spec: { maxUnavailable: 1, selector: { matchLabels: selectorOf(spec.name) } } })),
    json(
      new HorizontalPodAutoscaler({
        metadata: metadata(spec.name, labelsOf(spec.name)),
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: spec.workload, name: spec.name },
          minReplicas,
          maxReplicas: overlay === 'local' ? 1 : spec.maxReplicas,
          metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
          // A pod with a disk (ingest's spool) is never removed by the autoscaler: a spool still
          // holding batches would wait on its unattached volume until that ordinal came back.
          ...(spec.workload === 'StatefulSet' && { behavior: { scaleDown: { selectPolicy: 'Disabled' } } }),
        },
      }),
    ),
  ];
}

/** Values anybody can read, for the try-out only; production Secrets are made by the operator. */
function demoSecret(spec: AppSpec): Manifest {
  const values: Record<string, string> = {
    DATABASE_URL: 'postgres://postgres:feedmesh@postgres:5432/feedmesh',
    AUTH_TOKEN_SECRET: 'local-demo-secret-change-me-0123456789abcdef',
    MESH_TOKEN_SECRET: 'local-demo-mesh-secret-change-me-0123456789ab',
    CURSOR_SECRETS: 'bG9jYWwtZGVtby1jdXJzb3Ita2V5LWNoYW5nZS1tZS0wMTI=',
  };
  const stringData = Object.fromEntries(spec.secrets('local').map((key) => [key, values[key] ?? '']));
  return json(new Secret({ metadata: metadata(`${spec.name}-secrets`, labelsOf(spec.name)), type: 'Opaque', stringData }));
}

function appFile(spec: AppSpec, overlay: Overlay): ManifestFile {
  const objects: Manifest[] = [
    json(new ConfigMap({ metadata: metadata(`${spec.name}-config`, labelsOf(spec.name)), data: configData(spec, overlay) })),
    ...(overlay === 'local' ? [demoSecret(spec)] : []),
    workload(spec, overlay),
    ...services(spec),
    ...availability(spec, overlay),
  ];
  const secretNote =
    overlay === 'production'
      ? `Needs Secret ${spec.name}-secrets with keys ${spec.secrets(overlay).join(', ')} (see deploy/README.md).`
      : 'Its Secret holds demo values: for a try-out only.';
  return { file: `${spec.name}.yaml`, header: `${spec.name} (${overlay}): ${spec.sizing}.\n${secretNote}`, objects };
}

/** The namespace, the shared data layout and the migration Job, applied before any app. */
function meshFile(overlay: Overlay): ManifestFile {
  const shared = Object.fromEntries(sharedDataVariables().map((v) => [v.name, v.defaultValue ?? '']));
  const ingest = apps.find((a) => a.name === 'ingest')!;
  const migrateName = `migrate-${VERSION.replace(/\./g, '-')}`;
  const objects: Manifest[] = [
    json(new Namespace({ metadata: { name: NAMESPACE, labels: { 'app.kubernetes.io/part-of': 'feedmesh' } } })),
    json(new ConfigMap({ metadata: metadata(SHARED_CONFIG, { 'app.kubernetes.io/part-of': 'feedmesh' }), data: shared })),
    json(
      new Job({
        metadata: metadata(migrateName, labelsOf('migrate')),
        spec: {
          backoffLimit: 6,
          ttlSecondsAfterFinished: 7 * 24 * 3600,
          template: {
            metadata: { labels: labelsOf('migrate') },
            spec: {
              restartPolicy: 'OnFailure',
              automountServiceAccountToken: false,
              securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
              containers: [
                {
                  name: 'migrate',
                  image: imageOf(ingest, overlay),
                  ...(overlay === 'local' && { imagePullPolicy: 'IfNotPresent' }),
                  // The schema migrations and the outbox's, as the apps run them with MIGRATE_ON_START (advisory-locked, idempotent).
                  command: ['node', '-e', "require('./apps/ingest/dist/env.js').prepareIngestDatabase({ DATABASE_URL: process.env.DATABASE_URL, MIGRATE_ON_START: true }).then(() => console.log('migrated'), (e) => { console.error(e.message); process.exit(1); })"],
                  env: [{ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'ingest-secrets', key: 'DATABASE_URL' } } }],
                  resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '256Mi' } },
                  securityContext: { runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
                  volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
                },
              ],
              volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '16Mi' } }],
            },
          },
        },
      }),
    ),
  ];
  return { file: 'feedmesh.yaml', header: `The namespace, the data layout every app shares, and the schema migration (${overlay}). Apply first.`, objects };
}

/** Postgres and Redis inside the cluster, for a try-out: one pod each, data gone with the pod. */
function infraFile(): ManifestFile {
  const infra = (name: string, image: string, port: number, env: IEnvVar[], args?: string[], readiness?: string[]): Manifest[] => [
    json(
      new Deployment({
        metadata: metadata(name, { 'app.kubernetes.io/name': name }),
        spec: {
          replicas: 1,
          selector: { matchLabels: { 'app.kubernetes.io/name': name } },
          template: {
            metadata: { labels: { 'app.kubernetes.io/name': name } },
            spec: {
              containers: [{ name, image, ...(args && { args }), env, ports: [{ name: 'tcp', containerPort: port }], ...(readiness && { readinessProbe: { exec: { command: readiness }, periodSeconds: 5 } }), volumeMounts: [{ name: 'data', mountPath: name === 'postgres' ? '/var/lib/postgresql/data' : '/data' }] }],
              volumes: [{ name: 'data', emptyDir: {} }],
            },
          },
        },
      }),
    ),
    json(new Service({ metadata: metadata(name, { 'app.kubernetes.io/name': name }), spec: { selector: { 'app.kubernetes.io/name': name }, ports: [{ name: 'tcp', port, targetPort: 'tcp' }] } })),
  ];
  return {
    file: 'infra.yaml',
    header: 'Postgres and Redis for a try-out (local overlay only): one pod each, no persistence. Production uses external ones (DATABASE_URL, REDIS_CLUSTER_NODES from the Secrets).',
    objects: [
      ...infra('postgres', 'postgres:16', 5432, [{ name: 'POSTGRES_PASSWORD', value: 'feedmesh' }, { name: 'POSTGRES_DB', value: 'feedmesh' }], undefined, ['pg_isready', '-h', '127.0.0.1', '-U', 'postgres']),
      ...infra('redis', 'redis:7', 6379, [], ['--save', '', '--appendonly', 'no'], ['redis-cli', 'ping']),
    ],
  };
}

/** Every file of an overlay, in the order to apply them. */
export function renderOverlay(overlay: Overlay): ManifestFile[] {
  return [meshFile(overlay), ...(overlay === 'local' ? [infraFile()] : []), ...apps.map((spec) => appFile(spec, overlay))];
}
