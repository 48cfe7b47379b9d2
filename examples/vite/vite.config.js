import { defineConfig } from "vite";

// Nothing here is about the package: `vite build` finds its .wasm through the
// `new URL("./partner_referrals_bg.wasm", import.meta.url)` in its browser entry.
export default defineConfig({
  build: {
    target: "es2022",
    rollupOptions: { input: { main: "index.html", worker: "worker.html" } },
  },
  // Module workers, so the worker can import the package like the page does.
  worker: { format: "es" },
  // `vite dev` only: pre-bundling would move the package away from its .wasm.
  optimizeDeps: { exclude: ["partner-referrals"] },
});
