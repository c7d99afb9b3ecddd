// The playground's browser code, bundled from the TypeScript sources with esbuild (nothing is
// committed): the page, the training worker and the matmul worker, as ES modules held in memory,
// by play.ts when it starts from the sources, and by build.ts and build-site.ts. esbuild is a
// development tool, loaded only when a bundle is made: the compiled package serves its prebuilt
// page. The Node built-ins the shared code imports map to node-shims/; any other Node import in
// the browser's graph is a build error, not a surprise in the page.
import type { Plugin } from 'esbuild';
import { fileURLToPath } from 'node:url';

/** The bundled files by URL path. */
export type Bundle = Map<string, string>;

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

const SHIMS: Record<string, string> = {
  'node:os': here('./node-shims/os.ts'), 'node:v8': here('./node-shims/v8.ts'), 'node:worker_threads': here('./node-shims/worker_threads.ts'),
};

const nodeShims: Plugin = {
  name: 'node-shims',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) => {
      const to = SHIMS[args.path];
      if (to) return { path: to };
      return { errors: [{ text: `${args.path} is Node-only and cannot run in the browser (imported by ${args.importer})` }] };
    });
  },
};

export async function bundlePlayground(): Promise<Bundle> {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: {
      page: here('./page.ts'),
      'train-worker': here('./train-worker.ts'),
      'matmul-worker': here('../../src/linalg/wasm/web-worker.js'),
    },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outdir: '/bundle',
    write: false,
    logLevel: 'silent',
    plugins: [nodeShims],
  });
  const out: Bundle = new Map();
  for (const f of result.outputFiles) out.set(f.path.replace(/^\/bundle/, ''), f.text);
  return out;
}
