import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

// The web app builds to web/dist, which the Kith server serves at "/". In development
// (`npx vite --config web/vite.config.ts`) API calls go to a Kith server on port 8080, or KITH_API.
export default defineConfig({
  root,
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
  },
  server: {
    proxy: {
      '/fhir': { target: process.env.KITH_API ?? 'http://localhost:8080', changeOrigin: true },
    },
  },
});
