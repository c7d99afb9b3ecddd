// A service worker for the playground on a static host that cannot send the cross-origin isolation
// headers (build-site.ts --service-worker puts it beside the page). It answers every request of the
// page from the network, as it was, with COOP same-origin, COEP require-corp and CORP same-origin
// added, so that the page, once under it, is cross-origin isolated and trains on the worker pool.
// The page registers it and reloads once (page.ts). Plain JavaScript: a service worker is not bundled.
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (e) => e.waitUntil(self.clients.claim()));
self.addEventListener('fetch', (e) => {
  const request = e.request;
  if (request.cache === 'only-if-cached' && request.mode !== 'same-origin') return; // a request fetch() would refuse
  e.respondWith(fetch(request).then((response) => {
    if (response.status === 0) return response; // opaque: its headers cannot be read or set
    const headers = new Headers(response.headers);
    headers.set('Cross-Origin-Opener-Policy', 'same-origin');
    headers.set('Cross-Origin-Embedder-Policy', 'require-corp');
    headers.set('Cross-Origin-Resource-Policy', 'same-origin');
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  }));
});
