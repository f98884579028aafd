// The offline verify page's service worker (scope: the page's address), served by
// certificates.views.offline.
// Keeps the page, its files, the office's public keys and the last status list, so that the page
// opens and verifies with no network after one visit with a connection.
const CACHE = "verify-offline-{{ version }}";
const PAGE = {{ page|safe }};
const LIVE = {{ live|safe }}; // the newest copy when online, the kept one when not
const ASSETS = {{ assets|safe }};

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) =>
      // The page as anyone sees it (no cookies): the kept copy shows nobody's menu.
      cache.addAll([...ASSETS, ...LIVE, new Request(PAGE, { credentials: "omit" })])
    ).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith("verify-offline-") && n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim())
  );
});

async function networkFirst(request, keep) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (keep && response.ok) await cache.put(request, response.clone());
    return response;
  } catch (error) {
    const kept = await cache.match(keep ? request : PAGE, { ignoreVary: true });
    if (kept) return kept;
    throw error;
  }
}

async function cacheFirst(request) {
  const kept = await caches.match(request, { cacheName: CACHE, ignoreVary: true });
  return kept || fetch(request);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (LIVE.includes(url.pathname)) {
    event.respondWith(networkFirst(request, true));
  } else if (request.mode === "navigate" && url.pathname === PAGE) {
    // The live page when online (it may be a signed-in person's); the kept, anonymous one when not.
    event.respondWith(networkFirst(request, false));
  } else if (ASSETS.includes(url.pathname)) {
    event.respondWith(cacheFirst(request));
  }
});
