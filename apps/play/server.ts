// The playground's HTTP server: the files of a Site (site.ts: the page and the data) and nothing
// else: every other path is 404, so no request reaches another file; '/' is index.html. Every
// response carries the cross-origin isolation headers (COOP same-origin, COEP require-corp) that
// SharedArrayBuffer needs, so the wasm kernel runs on Web Workers over shared memory. Binds to
// 127.0.0.1 unless told otherwise.
import { createReadStream, statSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { UserError } from '../../src/errors.ts';
import { contentType, type Site } from './site.ts';

export interface PlayServer {
  url: string;
  close(): Promise<void>;
}

/** The headers of every response; the first two make the page cross-origin isolated. */
export const ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
};

function send(res: ServerResponse, status: number, type: string, body: string | Uint8Array): void {
  res.writeHead(status, { ...ISOLATION, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** Listen on host:port (port 0: any free port); a busy port or a bad host is a UserError. */
export async function startPlayServer(site: Site, host: string, port: number): Promise<PlayServer> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed\n');
    const asked = (req.url ?? '/').split('?')[0]!;
    const path = asked === '/' ? '/index.html' : asked;
    const f = site.get(path);
    if (!f) return send(res, 404, 'text/plain', 'not found\n');
    if (f.body !== undefined) return send(res, 200, contentType(path), f.body);
    res.writeHead(200, { ...ISOLATION, 'Content-Type': contentType(path), 'Content-Length': statSync(f.file).size });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(f.file).pipe(res);
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
