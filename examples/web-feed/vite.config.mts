import { defineConfig } from 'vite';

// The page: src/page/index.html and its module, bundled into dist/public, which the BFF serves.
export default defineConfig({
  root: 'src/page',
  base: '/',
  logLevel: 'warn',
  build: { outDir: '../../dist/public', emptyOutDir: true, sourcemap: true, target: 'es2022' },
});
