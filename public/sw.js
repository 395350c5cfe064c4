// LB Health's service worker: repeat visits paint from this cache, and the demo opens
// offline. src/http/offline/ registers it as `sw.js?build=<id>` (the id is the
// <meta name="lbh-build"> that `cargo xtask post-build` writes into a release index.html),
// so a new deployment is a new script URL: it installs, takes over, and drops the old
// build's cache. The page that registered it is what decides whether it runs; this file
// changes only with what it does.
//
// What it keeps, and how:
// - the app's page (index.html, with or without a deep link's query): network first, so
//   every visit that can reach the host gets the deployment it has now; from the cache
//   when the host cannot be reached;
// - files whose name carries a content hash (Trunk's `-<16 hex>` names) and the workers'
//   files, which the page asks for with `?v=<build>`: from the cache, else the network.
//   A versioned URL never changes content, so the cache can never mix two builds;
// - anything else of the app (favicon, README): network first, the cache offline.
// It never answers for config.json (each load reads the deployment's settings afresh),
// for another origin (Azure Resource Manager, Entra ID: the token never meets this
// file), or for anything but GET. It downloads nothing on its own: it keeps what a
// visit fetched, and the files the page names in a `keep` message (those it loaded
// before this worker took over), so a deployment that never opens the demo never
// downloads the demo's worker.

const BUILD = new URL(self.location.href).searchParams.get("build") || "dev";
const PREFIX = "lb-health-";
const CACHE = PREFIX + BUILD;
const SCOPE = new URL(self.registration.scope);
const PAGE = SCOPE.href;
const HASHED = /-[0-9a-f]{16}(_bg)?\.(js|wasm|css)$/;

self.addEventListener("install", () => self.skipWaiting());

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

/// The app's own files: same origin, inside the scope, and not the deployment's settings.
function ours(url) {
  return (
    url.origin === SCOPE.origin &&
    url.pathname.startsWith(SCOPE.pathname) &&
    url.pathname !== SCOPE.pathname + "config.json"
  );
}

function isPage(url) {
  return url.pathname === SCOPE.pathname || url.pathname === SCOPE.pathname + "index.html";
}

function versioned(url) {
  return HASHED.test(url.pathname) || url.searchParams.has("v");
}

/// Only a whole, same-origin answer is kept: never an error page, a redirect or a part.
function keepable(response) {
  return response.ok && response.type === "basic" && !response.redirected && response.status === 200;
}

async function page(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    const html = (response.headers.get("content-type") || "").includes("text/html");
    if (keepable(response) && html) await cache.put(PAGE, response.clone());
    return response;
  } catch (offline) {
    const kept = await cache.match(PAGE);
    if (kept) return kept;
    throw offline;
  }
}

async function versionedFile(request) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(request);
  if (kept) return kept;
  const response = await fetch(request);
  if (keepable(response)) await cache.put(request, response.clone());
  return response;
}

async function otherFile(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (keepable(response)) await cache.put(request, response.clone());
    return response;
  } catch (offline) {
    const kept = await cache.match(request);
    if (kept) return kept;
    throw offline;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (!ours(url)) return;
  if (request.mode === "navigate") {
    // Another page of the same site (README.md opened from the sign-in page) is the
    // browser's business.
    if (isPage(url)) event.respondWith(page(request));
  } else if (versioned(url)) {
    event.respondWith(versionedFile(request));
  } else {
    event.respondWith(otherFile(request));
  }
});

/// `{keep: [url, ...]}`: files the page fetched before this worker controlled it. Each
/// is fetched once more (the browser's HTTP cache usually answers) and kept; the app's
/// page is kept under its own address, without the deep link's query.
self.addEventListener("message", (event) => {
  const urls = event.data && Array.isArray(event.data.keep) ? event.data.keep : [];
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      for (const href of urls) {
        let url;
        try {
          url = new URL(href, SCOPE);
        } catch (_) {
          continue;
        }
        if (!ours(url)) continue;
        const key = isPage(url) ? PAGE : url.href;
        if (await cache.match(key)) continue;
        try {
          const response = await fetch(key);
          if (keepable(response)) await cache.put(key, response);
        } catch (_) {
          // Offline or gone: the next visit that fetches it keeps it.
        }
      }
    })(),
  );
});
