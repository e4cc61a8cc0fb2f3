#!/usr/bin/env node
// Writes apps/<name>/Dockerfile for every service from the one template beside this file, so the
// five images cannot drift apart while each stays buildable on its own with
// `docker build -f apps/<name>/Dockerfile .`.
//
//   npx node deploy/docker/render-dockerfiles.mjs          write the Dockerfiles
//   npx node deploy/docker/render-dockerfiles.mjs --check  fail if any is missing or stale (CI)
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const template = readFileSync(path.join(here, 'app.Dockerfile.template'), 'utf8');

/** Each service, its default port, and any other workspace its image must also carry. */
const services = [
  { app: 'aggregator', port: 8080 },
  { app: 'recall', port: 8081 },
  { app: 'ranking', port: 8082 },
  { app: 'render', port: 8083 },
  // docker-compose's one-shot `seed` service runs the seed tool from the ingest image.
  { app: 'ingest', port: 8084, alsoShips: ['tools/seed'] },
];

function render({ app, port, alsoShips = [] }) {
  const workspaces = [`apps/${app}`, ...alsoShips];
  const values = {
    APP: app,
    PORT: String(port),
    WORKSPACES: workspaces.join(','),
    WORKSPACE_ARGS: workspaces.join(' '),
    WORKSPACE_FLAGS: workspaces.map((dir) => `--workspace=${dir}`).join(' '),
  };
  return template.replace(/\{\{(\w+)\}\}/g, (placeholder, key) => {
    if (!(key in values)) throw new Error(`app.Dockerfile.template: unknown placeholder ${placeholder}`);
    return values[key];
  });
}

const check = process.argv.includes('--check');
const stale = [];
for (const service of services) {
  const file = path.join(root, 'apps', service.app, 'Dockerfile');
  const wanted = render(service);
  const current = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  if (current === wanted) continue;
  const relative = path.relative(root, file);
  if (check) {
    stale.push(relative);
  } else {
    writeFileSync(file, wanted);
    console.log(`wrote ${relative}`);
  }
}

if (stale.length > 0) {
  console.error(`Out of date with deploy/docker/app.Dockerfile.template: ${stale.join(', ')}`);
  console.error('Run `npx node deploy/docker/render-dockerfiles.mjs` and commit the result.');
  process.exit(1);
}
if (check) console.log(`All ${services.length} Dockerfiles match the template.`);
