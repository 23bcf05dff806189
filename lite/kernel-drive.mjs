// Imported first by the early kernel worker (lite/kernel-worker.mjs), so that it sees each message
// before pyodide-kernel's worker does: the kernel mounts the drive (the notebook's folder, where
// tito writes the learner's package) even when JupyterLite said not to.
//
// JupyterLite tells its kernel to mount the drive only if its service worker manager has finished
// registering the service worker by the time it creates the kernel (`enabled`). On a first visit
// that registration starts over (JupyterLite unregisters the worker the dashboard registered and
// registers it again) and can finish after the kernel is created, the more so while this early
// worker downloads through the service worker: the kernel then ran without its drive, in /home/pyodide,
// and the files tito wrote never reached the browser's storage (a backup without the learner's
// package). The drive needs no more than a page and a worker the service worker controls, and
// this worker is only started in such a page (site/notebook-page.js).
addEventListener("message", ({ data }) => {
  if (data?.type === "APPLY" && data.path?.[0] === "initialize") {
    const options = data.argumentList?.[0]?.value;
    if (options && typeof options === "object") options.mountDrive = true;
  }
});
