// Enclave Inspect service worker.
//
// - Precaches the app shell on install; the cache name carries the build id, so every
//   deploy installs a fresh shell and `activate` deletes the caches of older builds. The
//   install asks with `cache: 'no-cache'`: the server checks the browser's copy (ETag) and
//   answers 304 for a file the page has just downloaded, so no file crosses the wire twice
//   on the first visit, and a file a new deploy changed still comes fresh (never a stale copy).
// - The two apps (field, office) are kept only on a device that uses them: the running app
//   posts `{keep: 'field'}` (or 'office') once this worker is active, and the worker adds
//   that app's files, again with `cache: 'no-cache'`. A new deploy's install renews the apps
//   the previous build's cache held. An inspector's device never downloads the office app.
// - Navigations: network first, the cached shell when offline (the app routes itself).
// - GET /api/enclaves*: network first; a successful answer is kept so a looked-up enclave
//   can be reopened offline. Offline (or when the network is too slow and a copy exists)
//   the copy is answered, marked with the header `x-ei-offline-copy: 1`. Other API GETs
//   (working set, sync pull, attachment status) go to the network only: a stale copy
//   there would mislead the sync (the working set itself lives in IndexedDB).
// - Anything that is not a GET is never touched: no caching, no replay, no rewrite.
// - The app deletes the API cache (`ei-api-v1`) itself on logout, when the server ends the
//   session (noticed within seconds) and when another user
//   signs in.
const BUILD_ID = '__BUILD_ID__';
const SHELL_CACHE = `ei-shell-${BUILD_ID}`;
const API_CACHE = 'ei-api-v1';
const SHELL = [
  '/',
  '/index.html',
  '/boot.js',
  '/style.css',
  '/manifest.webmanifest',
  '/icons/icon.svg',
  '/icons/icon-192.png',
  '/icons/icon-512.png',
];
const APPS = {
  field: ['/field.js', '/field_bg.wasm'],
  office: ['/office.js', '/office_bg.wasm'],
};
const APP_FILES = Object.values(APPS).flat();
// How long a request may take before a stored copy is answered instead (poor connectivity
// on site): the shell is the same for every page, API answers may be stale and say so.
const NAVIGATION_TIMEOUT_MS = 3000;
const API_TIMEOUT_MS = 8000;
// Stored API answers kept at most (oldest go first).
const API_CACHE_MAX = 300;

function fresh(urls) {
  return urls.map((url) => new Request(url, { cache: 'no-cache' }));
}

// The apps an older build's cache holds: a deploy renews them.
async function appsKept() {
  const kept = new Set();
  for (const key of await caches.keys()) {
    if (!key.startsWith('ei-shell-') || key === SHELL_CACHE) continue;
    const old = await caches.open(key);
    for (const [app, files] of Object.entries(APPS)) {
      if (await old.match(files[1])) kept.add(app);
    }
  }
  return [...kept];
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(SHELL_CACHE);
      const apps = await appsKept();
      await cache.addAll(fresh(SHELL.concat(...apps.map((app) => APPS[app]))));
      await self.skipWaiting();
    })(),
  );
});

// `{keep: 'field' | 'office'}` from the running app: keep its files for offline starts.
self.addEventListener('message', (event) => {
  const files = event.data && APPS[event.data.keep];
  if (!files) return;
  event.waitUntil(
    caches.open(SHELL_CACHE).then(async (cache) => {
      const missing = [];
      for (const url of files) {
        if (!(await cache.match(url))) missing.push(url);
      }
      if (missing.length) await cache.addAll(fresh(missing));
    }),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys
            .filter((key) => key.startsWith('ei-shell-') && key !== SHELL_CACHE)
            .map((key) => caches.delete(key)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/api/enclaves')) {
    event.respondWith(apiNetworkFirst(event));
  } else if (url.pathname.startsWith('/api/')) {
    return;
  } else if (request.mode === 'navigate') {
    event.respondWith(navigation(request));
  } else if (SHELL.includes(url.pathname) || APP_FILES.includes(url.pathname)) {
    event.respondWith(shellAsset(request));
  }
});

async function navigation(request) {
  const network = fetch(request);
  network.catch(() => {}); // handled below; silences the rejection when the shell won
  const shell = () => caches.open(SHELL_CACHE).then((cache) => cache.match('/index.html'));
  try {
    const first = await Promise.race([network, timeout(NAVIGATION_TIMEOUT_MS)]);
    if (first) return first;
    return (await shell()) || (await network);
  } catch (err) {
    const copy = await shell();
    if (copy) return copy;
    throw err;
  }
}

function timeout(ms) {
  return new Promise((resolve) => setTimeout(() => resolve(null), ms));
}

async function shellAsset(request) {
  const cache = await caches.open(SHELL_CACHE);
  const hit = await cache.match(request, { ignoreSearch: true });
  return hit || fetch(request);
}

async function apiNetworkFirst(event) {
  const request = event.request;
  const cache = await caches.open(API_CACHE);
  const network = fetch(request).then((response) => {
    if (response.ok) {
      event.waitUntil(cache.put(request, response.clone()).then(() => trim(cache)));
    }
    return response;
  });
  network.catch(() => {}); // handled below; silences the rejection when a copy won
  try {
    const first = await Promise.race([network, timeout(API_TIMEOUT_MS)]);
    if (first) return first;
    const copy = await cache.match(request);
    return copy ? markCopy(copy) : await network;
  } catch (err) {
    const copy = await cache.match(request);
    if (copy) return markCopy(copy);
    throw err;
  }
}

async function trim(cache) {
  const keys = await cache.keys();
  await Promise.all(keys.slice(0, Math.max(0, keys.length - API_CACHE_MAX)).map((key) => cache.delete(key)));
}

// A stored answer, marked so the app can say it shows an offline copy (the copy's own
// `Date` header says when it was fetched).
function markCopy(response) {
  const headers = new Headers(response.headers);
  headers.set('x-ei-offline-copy', '1');
  return new Response(response.body, {
    status: response.status,
    statusText: response.statusText,
    headers,
  });
}

