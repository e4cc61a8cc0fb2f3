// The committed deploy/k8s is what the generator renders, every object passes the checks, and
// the checks refuse each kind of broken manifest they exist for.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { envVariablesOf } from '../src/env-inventory.js';
import { renderOverlay, type Manifest } from '../src/manifests.js';
import { OUTPUT_DIR, renderAll, staleFiles } from '../src/render.js';
import { validateManifests } from '../src/validate-manifests.js';

const production = () => structuredClone(renderOverlay('production').flatMap((file) => file.objects));
const find = (objects: Manifest[], kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name) as Manifest & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const problemsOf = (objects: Manifest[]) => validateManifests(objects, envVariablesOf);

describe('deploy/k8s', () => {
  const rendered = renderAll();

  it('is current: the committed files are the rendering (else run `npm run k8s`)', () => {
    expect(staleFiles(rendered)).toEqual([]);
  });

  it('has every object valid in both overlays', () => {
    for (const overlay of ['local', 'production'] as const) expect(problemsOf(renderOverlay(overlay).flatMap((f) => f.objects))).toEqual([]);
  });

  const scratch = mkdtempSync(path.join(os.tmpdir(), 'feedmesh-k8s-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('check names an edited, a missing and an extra file', () => {
    cpSync(OUTPUT_DIR, scratch, { recursive: true });
    writeFileSync(path.join(scratch, 'production', 'recall.yaml'), 'edited by hand\n');
    rmSync(path.join(scratch, 'local', 'render.yaml'));
    writeFileSync(path.join(scratch, 'local', 'extra.yaml'), 'kind: ConfigMap\n');
    expect(staleFiles(rendered, scratch)).toEqual(['local/extra.yaml', 'local/render.yaml', 'production/recall.yaml']);
  });
});

describe('the validator refuses', () => {
  it('a port given as a string (schema type)', () => {
    const objects = production();
    find(objects, 'Deployment', 'recall').spec.template.spec.containers[0].ports[0].containerPort = '8081';
    expect(problemsOf(objects)).toContain('Deployment/recall: /spec/template/spec/containers/0/ports/0/containerPort must be integer');
  });

  it('a container without an image', () => {
    const objects = production();
    delete find(objects, 'Deployment', 'render').spec.template.spec.containers[0].image;
    expect(problemsOf(objects)).toContain('Deployment/render container render: has no image');
  });

  it('an unknown field, which the schemas themselves let through', () => {
    const objects = production();
    find(objects, 'Deployment', 'ranking').spec.replica = 3;
    find(objects, 'Service', 'ranking').spec.ports[0].appProtocoll = 'kubernetes.io/h2c';
    expect(problemsOf(objects)).toEqual(['Deployment/ranking: /spec has unknown field "replica"', 'Service/ranking: /spec/ports/0 has unknown field "appProtocoll"']);
  });

  it('a missing required field and a bad quantity', () => {
    const objects = production();
    delete find(objects, 'HorizontalPodAutoscaler', 'aggregator').spec.maxReplicas;
    find(objects, 'Deployment', 'aggregator').spec.template.spec.containers[0].resources.limits.memory = 'half a gig';
    const problems = problemsOf(objects);
    expect(problems).toContain('HorizontalPodAutoscaler/aggregator: /spec is missing required field "maxReplicas"');
    expect(problems).toContain('Deployment/aggregator: /spec/template/spec/containers/0/resources/limits/memory must match format "quantity"');
  });

  it('a Service whose selector matches no pods, and one whose target port no container has', () => {
    const objects = production();
    find(objects, 'Service', 'recall-pods').spec.selector['app.kubernetes.io/name'] = 'recal';
    find(objects, 'Service', 'render').spec.ports[0].targetPort = 'http';
    const problems = problemsOf(objects);
    expect(problems).toContain('Service/recall-pods: selector {"app.kubernetes.io/name":"recal","app.kubernetes.io/part-of":"feedmesh"} matches no Deployment\'s or StatefulSet\'s pod labels');
    expect(problems).toContain('Service/render: targetPort http is no container port of Deployment/render');
  });

  it('a probe on a port the container does not have', () => {
    const objects = production();
    find(objects, 'StatefulSet', 'ingest').spec.template.spec.containers[0].readinessProbe.httpGet.port = 9090;
    expect(problemsOf(objects)).toEqual(['StatefulSet/ingest container ingest: readinessProbe port 9090 is no container port']);
  });

  it('a variable the app reads that nothing sets, and one it does not read', () => {
    const objects = production();
    const config = find(objects, 'ConfigMap', 'recall-config');
    delete config.data.RECALL_FRESH_QUOTA;
    config.data.RECALL_FRESH_QUOTE = '100';
    expect(problemsOf(objects)).toEqual([
      'Deployment/recall container recall: RECALL_FRESH_QUOTA is read by recall but set nowhere (ConfigMap, Secret, or the feedmesh.dev/env-unset annotation)',
      'Deployment/recall container recall: sets RECALL_FRESH_QUOTE, which recall does not read',
    ]);
  });

  it('a secret that is no longer referenced', () => {
    const objects = production();
    const container = find(objects, 'Deployment', 'aggregator').spec.template.spec.containers[0];
    container.env = container.env.filter((e: { name: string }) => e.name !== 'CURSOR_SECRETS');
    expect(problemsOf(objects)).toEqual(['Deployment/aggregator container aggregator: CURSOR_SECRETS is read by aggregator but set nowhere (ConfigMap, Secret, or the feedmesh.dev/env-unset annotation)']);
  });

  it('a termination grace period the drain does not fit in', () => {
    const objects = production();
    find(objects, 'ConfigMap', 'render-config').data.SHUTDOWN_GRACE_MS = '25000';
    expect(problemsOf(objects)).toEqual([
      'Deployment/render container render: terminationGracePeriodSeconds 30 s is not longer than the drain (preStop + SHUTDOWN_DELAY_MS + SHUTDOWN_GRACE_MS = 35000 ms)',
    ]);
  });

  it('an autoscaler aimed at nothing, and a root filesystem left writable', () => {
    const objects = production();
    find(objects, 'HorizontalPodAutoscaler', 'ingest-worker').spec.scaleTargetRef.name = 'ingest-workers';
    find(objects, 'Deployment', 'ingest-worker').spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem = false;
    expect(problemsOf(objects)).toEqual([
      'HorizontalPodAutoscaler/ingest-worker: scaleTargetRef Deployment/ingest-workers is not in this set',
      'Deployment/ingest-worker container ingest-worker: must run as non-root with a read-only root filesystem',
    ]);
  });
});
