import { fileURLToPath } from 'node:url';

// The client bundle: client.tsx as client.js, which the server's page loads from /assets/ (an app
// would read the file name from Vite's manifest instead).
export default {
  build: {
    rolldownOptions: {
      input: fileURLToPath(new URL('./client.tsx', import.meta.url)),
      output: { entryFileNames: 'client.js', chunkFileNames: '[name]-[hash].js' },
    },
  },
};
