// The installable card's service worker: keeps the last member card the phone showed, so the
// card (member number, tier) opens when the phone is offline at the till; the page asks for a
// fresh code as soon as it is online again. Only the card page and the files it needs are
// kept; signing out forgets the card.
const CACHE = "card-v1";
const CARD = "/card";
const SHELL = [
  "/static/css/app.css",
  "/static/vendor/htmx.min.js",
  "/static/js/htmx-fallback.js",
  "/static/js/card.js",
  "/static/favicon.svg",
  "/static/icons/icon-192.png",
];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

function cardFromNetwork(request) {
  return fetch(request).then((response) => {
    // A redirect (signed out) or an error page is never kept as the card.
    if (response.ok && !response.redirected) {
      const copy = response.clone();
      caches.open(CACHE).then((cache) => cache.put(CARD, copy));
    }
    return response;
  });
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && url.pathname === "/logout") {
    event.respondWith(
      caches.open(CACHE).then((cache) => cache.delete(CARD)).then(() => fetch(request))
    );
    return;
  }
  if (request.method !== "GET") return;
  if (url.pathname === CARD && request.mode === "navigate") {
    event.respondWith(
      cardFromNetwork(request).catch(() =>
        caches.match(CARD, { ignoreVary: true }).then((kept) => kept || Response.error())
      )
    );
    return;
  }
  if (SHELL.includes(url.pathname)) {
    event.respondWith(
      fetch(request).catch(() => caches.match(url.pathname, { ignoreSearch: true }))
    );
  }
});
