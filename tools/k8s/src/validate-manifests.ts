import type { EnvVariable } from './env-inventory.js';
import { UNSET_ANNOTATION, type Manifest } from './manifests.js';
import { schemaProblems } from './schema-check.js';

interface Container {
  name: string;
  image?: string;
  ports?: { name?: string; containerPort: number }[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string }; configMapKeyRef?: { name: string; key: string }; fieldRef?: unknown } }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  lifecycle?: { preStop?: { sleep?: { seconds: number } } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { runAsNonRoot?: boolean; readOnlyRootFilesystem?: boolean };
}
interface Probe {
  httpGet?: { port: number | string };
}
interface PodTemplate {
  metadata?: { labels?: Record<string, string> };
  spec?: { containers?: Container[]; terminationGracePeriodSeconds?: number };
}
type Spec = {
  selector?: Record<string, string> | { matchLabels?: Record<string, string> };
  template?: PodTemplate;
  ports?: { name?: string; targetPort?: number | string }[];
  clusterIP?: string;
  serviceName?: string;
  scaleTargetRef?: { kind: string; name: string };
};

const specOf = (object: Manifest) => (object.spec ?? {}) as Spec;
const isWorkload = (object: Manifest) => object.kind === 'Deployment' || object.kind === 'StatefulSet';
const matches = (selector: Record<string, string>, labels: Record<string, string> = {}) => Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);
const containersOf = (object: Manifest) => specOf(object).template?.spec?.containers ?? [];
const portExists = (container: Container, port: number | string) => (container.ports ?? []).some((p) => p.name === port || p.containerPort === port);

/**
 * Checks a set of rendered objects the way an API server and a careful reviewer would without a
 * cluster: each object against its Kubernetes schema, then the rules between objects that no
 * schema states. `envOf` names every variable the app a workload runs reads.
 */
export function validateManifests(objects: Manifest[], envOf: (app: string) => EnvVariable[]): string[] {
  const problems = objects.flatMap((object) => schemaProblems(object));
  const seen = new Set<string>();
  for (const object of objects) {
    const id = `${object.kind}/${object.metadata?.namespace ?? ''}/${object.metadata?.name}`;
    if (seen.has(id)) problems.push(`${object.kind}/${object.metadata?.name}: defined twice`);
    seen.add(id);
  }
  const workloads = objects.filter(isWorkload);
  const configMaps = new Map(objects.filter((o) => o.kind === 'ConfigMap').map((o) => [o.metadata.name, (o.data ?? {}) as Record<string, string>]));
  const secrets = new Map(objects.filter((o) => o.kind === 'Secret').map((o) => [o.metadata.name, { ...((o.stringData ?? {}) as object), ...((o.data ?? {}) as object) }]));

  for (const service of objects.filter((o) => o.kind === 'Service')) {
    const where = `Service/${service.metadata.name}`;
    const spec = specOf(service);
    const selector = (spec.selector ?? {}) as Record<string, string>;
    const targets = workloads.filter((w) => matches(selector, specOf(w).template?.metadata?.labels));
    if (targets.length === 0) {
      problems.push(`${where}: selector ${JSON.stringify(selector)} matches no Deployment's or StatefulSet's pod labels`);
      continue;
    }
    for (const port of spec.ports ?? []) {
      const target = port.targetPort ?? (port as { port?: number }).port;
      for (const workload of targets) {
        if (target !== undefined && !containersOf(workload).some((c) => portExists(c, target))) problems.push(`${where}: targetPort ${target} is no container port of ${workload.kind}/${workload.metadata.name}`);
      }
    }
  }

  for (const object of objects.filter((o) => o.kind === 'PodDisruptionBudget')) {
    const selector = ((specOf(object).selector ?? {}) as { matchLabels?: Record<string, string> }).matchLabels ?? {};
    if (!workloads.some((w) => matches(selector, specOf(w).template?.metadata?.labels))) problems.push(`PodDisruptionBudget/${object.metadata.name}: selector matches no pods`);
  }
  for (const object of objects.filter((o) => o.kind === 'HorizontalPodAutoscaler')) {
    const ref = specOf(object).scaleTargetRef;
    const target = workloads.find((w) => w.kind === ref?.kind && w.metadata.name === ref?.name);
    if (!target) problems.push(`HorizontalPodAutoscaler/${object.metadata.name}: scaleTargetRef ${ref?.kind}/${ref?.name} is not in this set`);
    // Utilization is a share of the request: without one the HPA has nothing to compute.
    else if (containersOf(target).some((c) => !c.resources?.requests?.cpu)) problems.push(`HorizontalPodAutoscaler/${object.metadata.name}: ${ref?.kind}/${ref?.name} has a container without a CPU request`);
  }
  for (const set of objects.filter((o) => o.kind === 'StatefulSet')) {
    const serviceName = specOf(set).serviceName;
    const governing = objects.find((o) => o.kind === 'Service' && o.metadata.name === serviceName);
    if (!governing || specOf(governing).clusterIP !== 'None') problems.push(`StatefulSet/${set.metadata.name}: serviceName ${serviceName} is not a headless Service in this set`);
  }

  for (const workload of workloads.filter((w) => w.metadata.labels?.['app.kubernetes.io/part-of'] === 'feedmesh')) {
    problems.push(...appWorkloadProblems(workload, configMaps, secrets, envOf));
  }
  return problems;
}

/** The rules for a feedmesh app's pods: image, probes, drain, hardening, and every variable it reads set. */
function appWorkloadProblems(
  workload: Manifest,
  configMaps: Map<string, Record<string, string>>,
  secrets: Map<string, Record<string, unknown>>,
  envOf: (app: string) => EnvVariable[],
): string[] {
  const where = `${workload.kind}/${workload.metadata.name}`;
  const problems: string[] = [];
  const unset = new Set((workload.metadata.annotations?.[UNSET_ANNOTATION] ?? '').split(',').filter(Boolean));
  const graceSeconds = specOf(workload).template?.spec?.terminationGracePeriodSeconds ?? 30;
  for (const container of containersOf(workload)) {
    const at = `${where} container ${container.name}`;
    if (!container.image) problems.push(`${at}: has no image`);
    for (const kind of ['startupProbe', 'livenessProbe', 'readinessProbe'] as const) {
      const port = container[kind]?.httpGet?.port;
      if (port !== undefined && !portExists(container, port)) problems.push(`${at}: ${kind} port ${port} is no container port`);
    }
    if (container.ports?.length && (!container.readinessProbe || !container.livenessProbe)) problems.push(`${at}: serves a port without liveness and readiness probes`);
    if (!container.securityContext?.runAsNonRoot || !container.securityContext.readOnlyRootFilesystem) problems.push(`${at}: must run as non-root with a read-only root filesystem`);
    for (const kind of ['requests', 'limits'] as const) {
      if (!container.resources?.[kind]?.cpu || !container.resources[kind].memory) problems.push(`${at}: needs CPU and memory ${kind}`);
    }

    // Where each variable comes from: env entries first, then the envFrom ConfigMaps.
    const values = new Map<string, string | undefined>();
    for (const source of container.envFrom ?? []) {
      const name = source.configMapRef?.name ?? source.secretRef?.name;
      const data = source.configMapRef ? configMaps.get(name!) : undefined;
      if (source.configMapRef && !data) problems.push(`${at}: envFrom ConfigMap ${name} is not in this set`);
      for (const [key, value] of Object.entries(data ?? {})) values.set(key, value);
    }
    for (const entry of container.env ?? []) {
      const ref = entry.valueFrom?.secretKeyRef;
      // A Secret in the set must hold the key; production Secrets live outside the manifests.
      if (ref && secrets.has(ref.name) && !(ref.key in secrets.get(ref.name)!)) problems.push(`${at}: Secret ${ref.name} has no key ${ref.key} (for ${entry.name})`);
      values.set(entry.name, entry.value);
    }
    const app = container.name;
    for (const variable of envOf(app)) {
      if (!values.has(variable.name) && !unset.has(variable.name)) problems.push(`${at}: ${variable.name} is read by ${app} but set nowhere (ConfigMap, Secret, or the ${UNSET_ANNOTATION} annotation)`);
      if (unset.has(variable.name) && !variable.optional) problems.push(`${at}: ${variable.name} is required by ${app} and cannot be left unset`);
    }
    const known = new Set(envOf(app).map((v) => v.name));
    for (const name of values.keys()) if (!known.has(name)) problems.push(`${at}: sets ${name}, which ${app} does not read`);

    // The kubelet kills at terminationGracePeriodSeconds, counted from the start of preStop.
    const drainMs = (container.lifecycle?.preStop?.sleep?.seconds ?? 0) * 1000 + Number(values.get('SHUTDOWN_DELAY_MS') ?? 0) + Number(values.get('SHUTDOWN_GRACE_MS') ?? 0);
    if (container.ports?.length && graceSeconds * 1000 <= drainMs) problems.push(`${at}: terminationGracePeriodSeconds ${graceSeconds} s is not longer than the drain (preStop + SHUTDOWN_DELAY_MS + SHUTDOWN_GRACE_MS = ${drainMs} ms)`);
  }
  return problems;
}
