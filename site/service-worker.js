// The site's service worker: JupyterLite's own (jupyterlite-service-worker.js, which serves the
// kernel's reads of the drive), plus two things:
//
// 1. Every response it hands a page carries the headers that make the page cross-origin isolated.
//    Only an isolated page has SharedArrayBuffer, which Pyodide needs to stop a running cell
//    (Interrupt, see site/notebook-page.js). Any static host works this way, with no headers of
//    its own. The site never loads anything from another origin, so isolation costs nothing;
//    Cross-Origin-Resource-Policy lets any page embed it.
//
// 2. Offline after one visit. precache.js, written by the site build (lite/build.py), lists every
//    file of the site and a digest of their contents, the build's version. The files are kept in
//    the cache "tinytorch-<version>": each as a page asks for it, and the rest in the background
//    once a page asks for that (backup.js's precache), so that after one visit every module opens,
//    its kernel starts and NumPy loads with the network off. The dashboard asks at once; a notebook
//    page holds the background downloads while its kernel starts or runs a cell (each hold lasts a
//    minute at most) and asks once the kernel has been idle for 3 s: on a first visit they made the
//    kernel 5 s slower to start on a two-core laptop.
//    Caches of other versions are deleted when this worker takes over.
//    Online too, the cache wins: a cached file is exactly this build's file, and it comes without
//    a round trip to the host (a workshop's wifi is slow). A new build still reaches learners:
//    the browser checks this worker and precache.js for changes at each page load, and a changed
//    precache.js (a new version) installs a new worker, which takes over at once (JupyterLite's
//    skipWaiting) with a new, empty cache. The page load that found it may still show the old
//    build; the next one shows the new one.
//    Pyodide and the wheels (api/pyodide/) come from the cache as well, which is what makes them
//    work offline; JupyterLite's own worker leaves everything under api/ to the network.
importScripts("./precache.js");  // self.PRECACHE = {version, files}

// In a function of its own: the scripts a service worker imports share one global scope, and
// JupyterLite's has a CACHE and a fromCache of its own.
(() => {
  const CACHE_PREFIX = "tinytorch-";
  const CACHE = CACHE_PREFIX + self.PRECACHE.version;
  const FILES = new Set(self.PRECACHE.files.map((file) => new URL(file, location).href));
  const FILL_AT_ONCE = 3;
  const HOLD_AT_MOST = 60_000;  // ms: a page that asked to wait may be gone without saying
  let filling = null;  // the background fill of the cache, while this worker runs
  let hold = null;     // while a notebook page starts its kernel: {until, release}

  // {type: "tinytorch:precache", when: "now" | "later"} from a page of the site.
  self.addEventListener("message", (event) => {
    if (event.data?.type !== "tinytorch:precache") return;
    if (event.data.when === "later") {
      if (!hold) {
        let release;
        const until = new Promise((resolve) => { release = resolve; });
        hold = { until, release };
        setTimeout(() => holdOver(hold), HOLD_AT_MOST);
      }
    } else {
      holdOver(hold);
    }
    filling ??= fill();
    event.waitUntil(filling);  // the browser keeps the worker running while the fill goes on
  });

  function holdOver(which) {
    if (which && which === hold) {
      hold = null;
      which.release();
    }
  }

  // Registered before JupyterLite's listener: a file of the site is answered here, and JupyterLite's
  // listener never sees it. Everything else (the drive, the heartbeat, files the site does not
  // have) is JupyterLite's, as before.
  self.addEventListener("fetch", (event) => {
    if (filling) event.waitUntil(filling);
    const url = siteFile(event.request);
    if (url === null) return;
    event.respondWith(fromCache(url, event));
    event.stopImmediatePropagation();
  });

  self.addEventListener("activate", (event) => {
    event.waitUntil(caches.keys().then((names) => Promise.all(
      names.filter((name) => name.startsWith(CACHE_PREFIX) && name !== CACHE).map((name) => caches.delete(name)))));
  });

  /** The URL of the site's file that `request` asks for (without its query: a static host ignores
   *  it; a folder means its index.html), or null if the request is not for one. */
  function siteFile(request) {
    if (request.method !== "GET") return null;
    const url = new URL(request.url);
    url.search = url.hash = "";
    if (url.pathname.endsWith("/")) url.pathname += "index.html";
    return FILES.has(url.href) ? url.href : null;
  }

  // A file not kept yet goes to the page as it arrives, and into the cache beside: the kernel's
  // Pyodide compiles while it downloads, its snapshot unpacks while it downloads.
  async function fromCache(url, event) {
    const cache = await caches.open(CACHE);
    const cached = await cache.match(url);
    if (cached) return cached;
    const response = await fetch(event.request);
    if (response.ok && !response.redirected) event.waitUntil(cache.put(url, response.clone()).catch(() => {}));  // else the fill gets it
    return response;
  }

  /** Put every file of the site that the cache lacks into it, pausing while a page holds it. If one
   *  fails (offline, the server gone), the next page that asks starts another round. */
  async function fill() {
    let complete = true;
    const cache = await caches.open(CACHE);
    const cached = new Set((await cache.keys()).map((request) => request.url));
    const todo = [...FILES].filter((url) => !cached.has(url));
    const worker = async () => {
      for (let url = todo.shift(); url !== undefined; url = todo.shift()) {
        while (hold) await hold.until;
        if (await cache.match(url)) continue;  // a page asked for it meanwhile
        try {
          const response = await fetch(url, { cache: "no-cache" });  // revalidated: never an older build's copy
          if (response.ok && !response.redirected) await cache.put(url, response);
          else complete = false;
        } catch (error) {
          complete = false;
        }
      }
    };
    await Promise.all(Array.from({ length: FILL_AT_ONCE }, worker));
    if (!complete) filling = null;
  }
})();

importScripts("./jupyterlite-service-worker.js");

const ISOLATION = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
  "Cross-Origin-Resource-Policy": "cross-origin",
};

const respondWith = FetchEvent.prototype.respondWith;
FetchEvent.prototype.respondWith = function (response) {
  return respondWith.call(this, Promise.resolve(response).then(isolated));
};

function isolated(response) {
  if (response.type === "opaqueredirect" || response.type === "opaque" || response.status === 0) return response;
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(ISOLATION)) headers.set(name, value);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}
