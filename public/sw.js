/*
 * Tham Gia service worker: keeps the app shell available offline.
 *
 * The shell is index.html plus every asset it references (Trunk's hashed
 * .js / _bg.wasm / .css files), the manifest and the icon. A shell is stored
 * in its own cache, `thamgia-shell-<version>`, where <version> is derived from
 * the text of index.html, so every build gets a fresh cache.
 *
 * A shell cache is written only after every one of its files has been fully
 * downloaded, and a marker entry is written last; a cache without the marker
 * is never used and never causes another cache to be deleted. Old shells are
 * deleted only once a newer one is verified complete.
 *
 * Updates: the browser installs a new worker only when the bytes of sw.js
 * change, and this file is identical from build to build. So the worker also
 * checks /index.html after successful navigations (at most once a minute) and
 * when the page posts { type: 'thamgia-check-update' }; a new index.html is
 * turned into a new complete shell cache before the old one is removed. The
 * page is told with { type: 'thamgia-shell-updated', version }.
 *
 * Never touched: non-GET requests, cross-origin requests, anything under
 * /api/ (the app talks to the server itself; API answers are never cached)
 * and the town hall app under /townhall (another bundle, used online: the
 * tablet caches only its own app; opened offline, it gets a short bilingual
 * page saying it needs a connection, with a link back).
 *
 * What an update can never do:
 * - Make saved records unreachable. The worker never opens, upgrades or
 *   deletes IndexedDB, where every response, draft, outbox entry, survey,
 *   report and forum lives: it only touches its own CacheStorage entries
 *   (`thamgia-shell-*`). A new worker or a new shell changes the files the
 *   app is made of, never its data; the app's own code upgrades its
 *   database, by adding stores only.
 * - Leave the tablet without a complete shell. A new worker installs (and
 *   `install` succeeds) only once its shell is complete, marker included;
 *   `activate` deletes older shells only after checking that the newest
 *   one is complete (`pruneShells`), and so does `checkForUpdate`. A shell
 *   cache that is complete is never deleted or rewritten in place, so two
 *   workers building the same version at once (the old one's update check
 *   and the new one's install) cannot open a gap. Until the new shell is
 *   complete, the old one keeps serving the app offline.
 *
 * WORKER_VERSION changes whenever this file's behaviour does: the browser
 * installs a new worker only when these bytes change. The page can read it
 * with { type: 'thamgia-get-version' } (the answer also names the shell).
 */
'use strict';

const WORKER_VERSION = 'thamgia-sw-4';

const CACHE_PREFIX = 'thamgia-shell-';
// Written last into a shell cache; its presence means "complete".
const MARKER_URL = '/__thamgia-shell-complete__';
// Always part of the shell, whatever index.html references.
const SHELL_URLS = ['/', '/index.html', '/manifest.webmanifest', '/icon.svg'];
// Quoted absolute same-origin paths ("/x.js", '/x_bg.wasm'), not "//host/...".
const ASSET_RE = /["'](\/(?!\/)[^"'\s<>?#]*\.(?:js|wasm|css|json|png|svg|webmanifest))["']/g;
const NAV_TIMEOUT_MS = 3000;
const UPDATE_CHECK_INTERVAL_MS = 60 * 1000;

function warn(...args) {
  console.warn('[thamgia sw]', ...args);
}

// ---------------------------------------------------------------- helpers

const TIMED_OUT = Symbol('timed out');

function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// Runs shell-building and pruning tasks one at a time within this worker.
let shellLock = Promise.resolve();
function exclusively(task) {
  const run = shellLock.then(task, task);
  shellLock = run.catch(() => {});
  return run;
}

// A short, stable version string for an index.html text (SHA-256 prefix).
async function versionOf(text) {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest).slice(0, 8), (b) => b.toString(16).padStart(2, '0')).join('');
}

function assetUrlsIn(html) {
  const urls = new Set(SHELL_URLS);
  for (const match of html.matchAll(ASSET_RE)) urls.add(match[1]);
  return [...urls];
}

function htmlResponse(html) {
  return new Response(html, { status: 200, headers: { 'Content-Type': 'text/html; charset=utf-8' } });
}

// Downloads one asset completely (the whole body, not just the headers) and
// returns a clean response to store: no redirect flag, no encoding headers.
async function fetchAsset(url) {
  const res = await fetch(url, { cache: 'no-cache', credentials: 'same-origin' });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  const type = res.headers.get('Content-Type') || '';
  const body = await res.arrayBuffer();
  // A captive portal or a misrouted proxy answers 200 with an HTML page.
  if (type.includes('text/html')) throw new Error(`${url}: got an HTML page`);
  if (url.endsWith('.wasm')) {
    const magic = new Uint8Array(body, 0, Math.min(4, body.byteLength));
    if (magic.length < 4 || magic[0] !== 0 || magic[1] !== 0x61 || magic[2] !== 0x73 || magic[3] !== 0x6d) {
      throw new Error(`${url}: not a WebAssembly module`);
    }
  }
  const headers = type ? { 'Content-Type': type } : {};
  return new Response(body, { status: 200, headers });
}

// ---------------------------------------------------------- shell caches

async function isComplete(name) {
  if (!(await caches.has(name))) return false;
  const cache = await caches.open(name);
  return Boolean(await cache.match(MARKER_URL));
}

// The newest complete shell cache name, or null. Memoised; reset on change.
let currentShellMemo = null;
function currentShell() {
  if (!currentShellMemo) {
    currentShellMemo = findCurrentShell().catch((err) => {
      warn('cannot list shell caches', err);
      currentShellMemo = null;
      return null;
    });
  }
  return currentShellMemo;
}

async function findCurrentShell() {
  let best = null;
  let bestBuiltAt = -1;
  for (const name of await caches.keys()) {
    if (!name.startsWith(CACHE_PREFIX)) continue;
    const marker = await (await caches.open(name)).match(MARKER_URL);
    if (!marker) continue;
    let builtAt = 0;
    try {
      builtAt = Number((await marker.json()).builtAt) || 0;
    } catch (_) {
      // An unreadable marker still means complete; treat it as oldest.
    }
    if (builtAt > bestBuiltAt) {
      best = name;
      bestBuiltAt = builtAt;
    }
  }
  return best;
}

// Builds the complete shell cache for this index.html; returns its name.
// Throws (and leaves every existing cache alone) if any file fails.
async function buildShell(html) {
  const version = await versionOf(html);
  const name = CACHE_PREFIX + version;
  if (await isComplete(name)) return name;

  const urls = assetUrlsIn(html);
  if (!urls.some((u) => u.endsWith('.wasm')) || !urls.some((u) => u.endsWith('.js'))) {
    throw new Error('index.html does not look like the Tham Gia app (no .js/.wasm found)');
  }
  const toFetch = urls.filter((u) => u !== '/' && u !== '/index.html');
  const fetched = await Promise.all(toFetch.map(async (u) => [u, await fetchAsset(u)]));

  // Everything is downloaded: only now write to CacheStorage. Another
  // worker may have completed this very shell meanwhile: keep it as it is
  // (deleting it to rewrite it could leave no complete shell for a moment).
  // Leftovers of an interrupted build of this version hold the same URLs,
  // which the puts below overwrite; the marker goes last.
  if (await isComplete(name)) return name;
  const cache = await caches.open(name);
  const entries = [['/', htmlResponse(html)], ['/index.html', htmlResponse(html)], ...fetched];
  await Promise.all(entries.map(([url, res]) => cache.put(url, res)));
  const marker = JSON.stringify({ version, builtAt: Date.now(), files: urls.length });
  await cache.put(MARKER_URL, new Response(marker, { headers: { 'Content-Type': 'application/json' } }));
  currentShellMemo = null;
  return name;
}

// Deletes every other shell cache, but only if `keep` is verified complete.
async function pruneShells(keep) {
  if (!(await isComplete(keep))) {
    warn('not deleting old shells:', keep, 'is not complete');
    return;
  }
  for (const name of await caches.keys()) {
    if (name.startsWith(CACHE_PREFIX) && name !== keep) await caches.delete(name);
  }
  currentShellMemo = null;
}

// Looks a request up in the current shell first, then in any other shell.
async function matchShell(request) {
  const current = await currentShell();
  if (current && (await caches.has(current))) {
    const hit = await (await caches.open(current)).match(request);
    if (hit) return hit;
  }
  for (const name of await caches.keys()) {
    if (!name.startsWith(CACHE_PREFIX) || name === current) continue;
    const hit = await (await caches.open(name)).match(request);
    if (hit) return hit;
  }
  return null;
}

// ---------------------------------------------------------------- updates

let lastUpdateCheck = 0;

// Fetches /index.html and, if it is a new build, caches its complete shell,
// removes the old one and tells the open pages. Never rejects.
function checkForUpdate(force) {
  const now = Date.now();
  if (!force && now - lastUpdateCheck < UPDATE_CHECK_INTERVAL_MS) return Promise.resolve();
  lastUpdateCheck = now;
  return exclusively(async () => {
    const res = await fetch('/index.html', { cache: 'no-store', credentials: 'same-origin' });
    if (!res.ok) throw new Error(`/index.html: HTTP ${res.status}`);
    const html = await res.text();
    const before = await currentShell();
    const name = await buildShell(html);
    if (name === before) return;
    await pruneShells(name);
    const version = name.slice(CACHE_PREFIX.length);
    const pages = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    for (const page of pages) page.postMessage({ type: 'thamgia-shell-updated', version });
  }).catch((err) => warn('update check failed; keeping the current shell', err));
}

// ------------------------------------------------------------- lifecycle

self.addEventListener('install', (event) => {
  lastUpdateCheck = Date.now();
  event.waitUntil(
    exclusively(async () => {
      const res = await fetch('/index.html', { cache: 'no-store', credentials: 'same-origin' });
      if (!res.ok) throw new Error(`/index.html: HTTP ${res.status}`);
      await buildShell(await res.text());
      await self.skipWaiting();
    }).catch((err) => {
      warn('install failed; the previous worker (if any) stays in charge', err);
      throw err; // fails the install on purpose: nothing half-done is activated
    }),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      try {
        await self.clients.claim();
      } catch (err) {
        warn('clients.claim failed', err);
      }
      await exclusively(async () => {
        currentShellMemo = null;
        const keep = await currentShell();
        if (keep) await pruneShells(keep);
      });
    })().catch((err) => warn('activate cleanup failed', err)),
  );
});

self.addEventListener('message', (event) => {
  const type = event.data && event.data.type;
  if (type === 'thamgia-check-update') {
    event.waitUntil(checkForUpdate(true));
  } else if (type === 'thamgia-get-version') {
    event.waitUntil(
      currentShell()
        .then((name) => {
          const version = name ? name.slice(CACHE_PREFIX.length) : null;
          if (event.source) {
            event.source.postMessage({ type: 'thamgia-version', version, worker: WORKER_VERSION });
          }
        })
        .catch((err) => warn('version reply failed', err)),
    );
  }
});

// ------------------------------------------------------------------ fetch

// What a navigation to the town hall app gets when the network fails.
function townhallOffline() {
  const html = `<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tham Gia · Cần có mạng / Needs a connection</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5">
<main data-test="townhall-offline">
<h1>Tòa thị chính cần có mạng</h1>
<p>Các trang của tòa thị chính lấy số liệu trực tiếp từ máy chủ. Máy này đang không có mạng; hãy mở lại khi có mạng. Mọi dữ liệu trên máy tính bảng vẫn an toàn.</p>
<h1 lang="en">The town hall needs a connection</h1>
<p lang="en">The town hall's pages read their figures from the server. This device is offline; open them again once it is online. Everything on the tablet is safe.</p>
<p><a href="/">Về ứng dụng thu thập / Back to the field app</a></p>
</main></body></html>`;
  return new Response(html, {
    status: 503,
    headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
  });
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  let url;
  try {
    url = new URL(request.url);
  } catch (_) {
    return;
  }
  if (url.origin !== self.location.origin) return;
  if (url.pathname === '/api' || url.pathname.startsWith('/api/')) return;
  if (url.pathname === '/sw.js') return;
  // The town hall app is another bundle, used online: never cached here.
  // Opened without a network, it says so in both languages and leads back
  // to the tablet app, instead of the browser's error page.
  if (url.pathname === '/townhall' || url.pathname.startsWith('/townhall/')) {
    if (request.mode === 'navigate') {
      event.respondWith(fetch(request).catch(() => townhallOffline()));
    }
    return;
  }

  if (request.mode === 'navigate') {
    event.respondWith(handleNavigation(event));
  } else if (!request.headers.has('Range')) {
    event.respondWith(handleAsset(event));
  }
});

// Network first (with a timeout), then the cached shell's index.html.
// The cached index.html is never replaced here: only a complete new shell
// (install or checkForUpdate) brings a new one, with all its assets.
async function handleNavigation(event) {
  const network = fetch(event.request);
  network.catch(() => {}); // we may stop waiting for it; avoid an unhandled rejection

  let res = null;
  try {
    res = await Promise.race([network, delay(NAV_TIMEOUT_MS).then(() => TIMED_OUT)]);
  } catch (err) {
    warn('navigation: network failed, using the cached shell', err);
  }
  // Redirects come back as status 0 (opaqueredirect) and pass through.
  if (res && res !== TIMED_OUT && res.status < 500) {
    try {
      event.waitUntil(checkForUpdate(false));
    } catch (err) {
      warn('cannot schedule an update check', err);
    }
    return res;
  }

  try {
    const shell = await matchShell('/index.html');
    if (shell) return shell;
  } catch (err) {
    warn('navigation: cache lookup failed', err);
  }
  // No shell yet (first visit): wait for the network as long as it takes.
  if (res && res !== TIMED_OUT) return res;
  try {
    return await network;
  } catch (err) {
    warn('navigation: offline and nothing cached', err);
    return offlinePage();
  }
}

// Cache first (assets are content-hashed), then network; successful
// same-origin answers are added to the current shell cache.
async function handleAsset(event) {
  const request = event.request;
  const wantsFresh = request.cache === 'no-store' || request.cache === 'reload';
  if (!wantsFresh) {
    try {
      const hit = await matchShell(request);
      if (hit) return hit;
    } catch (err) {
      warn('cache lookup failed', request.url, err);
    }
  }

  let res;
  try {
    res = await fetch(request);
  } catch (err) {
    if (wantsFresh) {
      const hit = await matchShell(request).catch(() => null);
      if (hit) return hit;
    }
    warn('network failed and not cached:', request.url);
    return Response.error();
  }

  const cacheControl = res.headers.get('Cache-Control') || '';
  if (res.status === 200 && res.type === 'basic' && !cacheControl.includes('no-store')) {
    const copy = res.clone();
    try {
      event.waitUntil(storeInCurrentShell(request, copy));
    } catch (err) {
      warn('cannot schedule caching of', request.url, err);
    }
  }
  return res;
}

async function storeInCurrentShell(request, response) {
  try {
    const name = await currentShell();
    if (!name || !(await caches.has(name))) return; // no complete shell yet
    await (await caches.open(name)).put(request, response);
  } catch (err) {
    warn('could not cache', request.url, err);
  }
}

function offlinePage() {
  const html = `<!doctype html>
<html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tham Gia</title></head>
<body style="font-family: 'Segoe UI', Roboto, 'Noto Sans', Arial, sans-serif; font-size: 20px; line-height: 1.5; padding: 2rem; color: #1c2430;">
<h1>Tham Gia</h1>
<p>Không có kết nối mạng. Hãy mở ứng dụng một lần khi có mạng để dùng được khi ngoại tuyến.</p>
<p lang="en">No network connection. Open the app once while online so it works offline afterwards.</p>
</body></html>`;
  return new Response(html, { status: 503, headers: { 'Content-Type': 'text/html; charset=utf-8' } });
}
