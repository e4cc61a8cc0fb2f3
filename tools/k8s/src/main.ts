#!/usr/bin/env node
// Renders and validates deploy/k8s/{local,production} (needs the apps built: their env specs are read).
//   node tools/k8s/dist/main.js           write the YAML
//   node tools/k8s/dist/main.js --check   exit 1 naming every stale, missing or extra file (CI)
import { renderAll, staleFiles, writeAll } from './render.js';

try {
  const rendered = renderAll();
  if (process.argv.includes('--check')) {
    const stale = staleFiles(rendered);
    if (stale.length > 0) {
      console.error(`deploy/k8s is out of date: ${stale.join(', ')}\nRun \`npm run k8s\` and commit the result.`);
      process.exit(1);
    }
    console.log(`deploy/k8s: all ${rendered.size} files are current and valid.`);
  } else {
    writeAll(rendered);
    console.log(`deploy/k8s: wrote ${rendered.size} files.`);
  }
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
