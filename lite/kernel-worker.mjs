// The kernel's web worker, started by site/notebook-page.js while the notebook page loads:
// JupyterLite's own kernel worker (pyodide-kernel's comlink worker, imported first so that it
// listens before the kernel's first message), and Pyodide already starting, which the kernel takes
// when it asks for it (lite/kernel-pyodide.mjs). The build fills in the worker's URL.
import "./kernel-drive.mjs";
import "%(kernel_worker)s";
import { prestart } from "./kernel-pyodide.mjs";

prestart();
