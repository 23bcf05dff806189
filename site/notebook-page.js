// What the site adds to JupyterLite's notebook pages (lab/ and notebooks/; the site build puts a
// <script> for it in their index.html). It waits for JupyterLite's app (window.jupyterapp), then:
//
// 1. Nothing typed is lost. Each open notebook is saved into the browser's storage half a second
//    after an edit, as soon as one of its cells starts running, and when the page is hidden or
//    left (another page, a reload, a closed tab); JupyterLab's own autosave, every two minutes,
//    is turned off (lite/build.py) so that one saver is at work.
//    A save is asynchronous and may not finish before a page is left, so leaving also keeps an
//    unsaved notebook in localStorage, which is synchronous; the next notebook page puts that copy
//    back into the drive, if it is newer than the file, before JupyterLab opens anything.
// 2. Interrupt stops a running cell. The kernel (grader/tito/kernel.py) posts its interrupt buffer
//    from its web worker to this page; interrupting a busy kernel writes SIGINT (2) into it, and
//    Pyodide raises KeyboardInterrupt in the running cell. The kernel and everything defined in it
//    stay.

import { SERVICE_WORKER, openDrive, precache, readRecord, writeRecord } from "./backup.js";

// The page is cross-origin isolated (site/service-worker.js) for one reason: a SharedArrayBuffer
// for the kernel's interrupt buffer. JupyterLite's Pyodide kernel would also switch its drive to
// its SharedArrayBuffer path when it sees an isolated page; that path failed here (the kernel
// hung, or died with a JSON error at its start), so the kernel is told the page is not isolated
// and keeps the service-worker path every test has used. Set before the kernel exists.
Object.defineProperty(window, "crossOriginIsolated", { value: false });

const SAVE_AFTER_EDIT = 500;  // ms
const SIGINT = 2;

const buffers = new Map();  // a kernel connection's client id -> its kernel's interrupt buffer
// The kernel's worker is made by JupyterLite's code; listening to every worker this page makes is
// how the page hears from it. Other messages pass untouched to JupyterLite's own listeners.
function hearInterruptBuffer(worker) {
  worker.addEventListener("message", ({ data }) => {
    if (typeof data?.tinytorchInterrupt === "string" && data.buffer instanceof Int32Array) {
      buffers.set(data.tinytorchInterrupt, data.buffer);
    }
  });
}

// The kernel starts while the page loads: a page that opens a notebook starts the kernel's worker
// (api/pyodide/kernel-worker.mjs: pyodide-kernel's own worker, with Pyodide already starting) as
// soon as the service worker controls the page, and JupyterLite, when it makes its first kernel
// worker, gets that one. Not before: a worker started before the service worker took over would
// not reach the drive (its requests go through the service worker). On a first visit the page
// registers the service worker itself, at the URL JupyterLite registers it (backup.js), so that
// it takes over while JupyterLite's code is still loading.
const KERNEL_WORKER = /\/pyodide-kernel-extension\/static\/comlink\.worker\.[0-9a-f]+\.js$/;
const NativeWorker = window.Worker;
let earlyKernel = null;
let kernelAsked = false;  // JupyterLite made its kernel's worker: too late for an early one

function startKernelEarly() {
  if (!kernelAsked && !earlyKernel) {
    earlyKernel = new NativeWorker(new URL("api/pyodide/kernel-worker.mjs", import.meta.url), { type: "module" });
  }
}

const opensNotebook = new URLSearchParams(location.search).get("path")?.endsWith(".ipynb");
if (navigator.serviceWorker && opensNotebook) {
  if (navigator.serviceWorker.controller) {
    startKernelEarly();
  } else {
    navigator.serviceWorker.addEventListener("controllerchange", startKernelEarly, { once: true });
    navigator.serviceWorker.register(new URL(SERVICE_WORKER, import.meta.url))
      .catch((error) => console.warn("TinyTorch: no service worker:", error));
  }
}

window.Worker = class extends NativeWorker {
  constructor(url, options) {
    if (KERNEL_WORKER.test(new URL(url, location.href).pathname)) {
      kernelAsked = true;
      if (earlyKernel) {
        const worker = earlyKernel;
        earlyKernel = null;
        hearInterruptBuffer(worker);
        return worker;  // a constructor may return another object: JupyterLite's code gets the early worker
      }
    }
    super(url, options);
    hearInterruptBuffer(this);
  }
};

// The service worker keeps the whole site for offline use in the background (service-worker.js).
// A notebook page holds those downloads while its kernel starts or runs a cell, which they would
// slow down, and lets them go on once the kernel has been idle for a few seconds.
const PRECACHE_WHEN_IDLE_FOR = 3000;  // ms
let precacheTimer = null;
precache(opensNotebook ? "later" : "now");

function kernelStatus(status) {
  clearTimeout(precacheTimer);
  if (status === "idle") precacheTimer = setTimeout(() => precache("now"), PRECACHE_WHEN_IDLE_FOR);
  else if (status === "busy") precache("later");
}

function interruptible(kernel) {
  const prototype = Object.getPrototypeOf(kernel);
  if (prototype.tinytorchInterrupt) return;
  const interrupt = prototype.interrupt;
  prototype.tinytorchInterrupt = true;
  prototype.interrupt = function () {
    const buffer = buffers.get(this.clientId);
    if (buffer && this.status === "busy") Atomics.store(buffer, 0, SIGINT);
    return interrupt.call(this);
  };
}

const UNSAVED = "tinytorch-unsaved:";  // localStorage key prefix, then the notebook's path
const watched = new WeakSet();
const timers = new WeakMap();

// One save at a time per notebook: two at once made JupyterLab think the file had changed on
// disk behind its back (the second save still knew the time before the first) and ask the
// learner whether to overwrite it. A save asked for meanwhile runs when the first is done.
const saving = new WeakSet();
const again = new WeakSet();

function save(widget) {
  clearTimeout(timers.get(widget));
  const context = widget.context;
  if (!context || context.isDisposed || !context.isReady) return;
  if (saving.has(widget)) {
    again.add(widget);
    return;
  }
  if (!context.model.dirty) return;
  saving.add(widget);
  context.save()
    .catch((error) => console.warn(`TinyTorch: ${context.path} could not be saved now:`, error))
    .finally(() => {
      saving.delete(widget);
      if (again.delete(widget)) save(widget);
    });
}

// Leaving: the notebook as it is now, synchronously, in case its save does not finish.
function keepUnsaved(widget) {
  const context = widget.context;
  if (!context?.isReady || !context.model.dirty) return;
  try {
    localStorage.setItem(UNSAVED + context.path, JSON.stringify({ at: Date.now(), notebook: context.model.toJSON() }));
  } catch (error) {
    console.warn(`TinyTorch: ${context.path} could not be kept for later:`, error);
  }
}

// Opening: the copies kept when pages were last left go back into the drive (JupyterLite's
// storage, see backup.js) where they are newer than the file, before JupyterLab reads it.
async function restoreUnsaved() {
  const keys = Object.keys(localStorage).filter((key) => key.startsWith(UNSAVED));
  if (!keys.length) return;
  const db = await openDrive(new URL("..", location.href).href);
  try {
    for (const key of keys) {
      const { at, notebook } = JSON.parse(localStorage.getItem(key));
      const stored = await readRecord(db, key.slice(UNSAVED.length));
      if (stored?.type === "notebook" && at > Date.parse(stored.last_modified)) {
        await writeRecord(db, { ...stored, content: notebook, last_modified: new Date(at).toISOString() });
      }
      localStorage.removeItem(key);
    }
  } finally {
    db.close();
  }
}

function watch(widget) {
  const context = widget.context;
  if (!context || watched.has(widget) || !widget.sessionContext) return;  // notebooks only
  watched.add(widget);
  context.saveState.connect((_, state) => state === "completed" && localStorage.removeItem(UNSAVED + context.path));
  context.ready.then(() => {
    context.model.contentChanged.connect(() => {
      clearTimeout(timers.get(widget));
      timers.set(widget, setTimeout(() => save(widget), SAVE_AFTER_EDIT));
    });
  });
  widget.sessionContext.iopubMessage.connect((_, message) => {
    if (message.header.msg_type === "execute_input") save(widget);
  });
  widget.sessionContext.statusChanged.connect((_, status) => kernelStatus(status));
  const kernelFound = () => widget.sessionContext.session?.kernel && interruptible(widget.sessionContext.session.kernel);
  widget.sessionContext.kernelChanged.connect(kernelFound);
  kernelFound();
}

function notebooks(app) {
  return [...app.shell.widgets("main")].filter((widget) => widget.context && widget.sessionContext);
}

async function main() {
  while (!window.jupyterapp) await new Promise((resolve) => setTimeout(resolve, 50));
  const app = window.jupyterapp;
  await app.restored;
  const update = () => notebooks(app).forEach(watch);
  app.shell.layoutModified?.connect(update);
  app.shell.currentChanged?.connect(update);
  update();
  const saveAll = () => notebooks(app).forEach((widget) => { keepUnsaved(widget); save(widget); });
  addEventListener("pagehide", saveAll);
  document.addEventListener("visibilitychange", () => document.visibilityState === "hidden" && saveAll());
}

// Embedded in a course page (embed.html?module=NN opens this page with `embed=module:NN`): the page
// trimmed for an iframe, and progress messages to the host page (embed.js).
const embed = new URLSearchParams(location.search).get("embed");
if (embed) import("./embed.js").then(({ embedded }) => embedded(embed)).catch((error) => console.warn("TinyTorch: embed:", error));

restoreUnsaved().catch((error) => console.warn("TinyTorch: unsaved notebooks could not be put back:", error));
main();
