export { apps, type AppSpec, type Overlay } from './app-catalog.js';
export { envVariablesOf, type EnvVariable } from './env-inventory.js';
export { renderOverlay, type Manifest, type ManifestFile } from './manifests.js';
export { renderAll, staleFiles, writeAll } from './render.js';
export { schemaProblems } from './schema-check.js';
export { validateManifests } from './validate-manifests.js';
