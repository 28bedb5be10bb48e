import { defineConfig } from "vite";

// The admin UI: Preact with Vite's own JSX transform (no Babel preset), built under /ui/ into
// ui/dist/ui, which wrangler.toml's [assets] serves. No inline scripts (the CSP forbids them).
export default defineConfig({
  root: import.meta.dirname,
  base: "/ui/",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: "dist/ui",
    emptyOutDir: true,
    target: "es2022",
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    reportCompressedSize: true,
  },
});
