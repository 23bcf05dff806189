// The site's service worker: JupyterLite's own (jupyterlite-service-worker.js, which serves the
// kernel's reads of the drive), plus one thing: every response it hands a page carries the
// headers that make the page cross-origin isolated. Only an isolated page has SharedArrayBuffer,
// which Pyodide needs to stop a running cell (Interrupt, see site/notebook-page.js). Any static
// host works this way, with no headers of its own. The site never loads anything from another
// origin, so isolation costs nothing; Cross-Origin-Resource-Policy lets any page embed it.
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
