import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// The Go backend embeds dist/ (//go:embed frontend/dist) and serves it
// under a strict CSP (no inline scripts or styles), so:
// - component <style> blocks are emitted to the CSS file (css: 'external'),
// - the modulepreload polyfill is off (nothing to preload: one entry chunk),
// - public/robots.txt is copied into dist/, so dist/robots.txt (kept in git
//   so that a fresh clone compiles) survives emptyOutDir.
export default defineConfig({
  base: './',
  plugins: [
    svelte({
      emitCss: true,
      compilerOptions: { css: 'external' },
    }),
  ],
  css: {
    preprocessorOptions: {
      scss: {
        quietDeps: true,
      },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 4096,
    modulePreload: { polyfill: false },
    sourcemap: false,
    target: 'es2020',
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
