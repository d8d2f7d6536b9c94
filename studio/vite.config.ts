import { defineConfig } from 'vite';
import solid from 'vite-plugin-solid';

/**
 * The studio is served by the runtime at `/` in production, so API calls are same-origin.
 * In development (`npm run dev -w studio`) Vite proxies the API to a running VRM, by default
 * the `npm start` address; set VRM_API_URL to point elsewhere.
 */
const api = process.env.VRM_API_URL ?? `http://127.0.0.1:${process.env.PORT ?? 8787}`;

export default defineConfig({
  plugins: [solid()],
  server: {
    proxy: {
      '/v1': { target: api, changeOrigin: true, ws: true },
      '/health': api,
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // CodeMirror is large but only the editor routes load it; keep the warning for real regressions.
    chunkSizeWarningLimit: 700,
  },
});
