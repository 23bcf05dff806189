// The kernel's Pyodide (its pyodideUrl, next to pyodide.mjs in api/pyodide/): Pyodide's own
// loadPyodide, started from the memory snapshot that the build made after the kernel's slow imports
// (lite/snapshot.py) when that snapshot fits this Pyodide, this lockfile and these packages. When it
// does not (another build, a damaged file, no snapshot at all) or Pyodide refuses it, the kernel
// starts the normal way: slower, never broken, nothing in the console but a warning.

import { loadPyodide as loadPlainPyodide, version } from "./pyodide.mjs";

export { version };

const MANIFEST = new URL("kernel-snapshot.json", import.meta.url);

// Started while the page loads (api/pyodide/kernel-worker.mjs, see site/notebook-page.js): the
// options it was started with, and the Pyodide on its way.
let prestarted = null;

// Start the kernel's Pyodide now, with the site's kernel settings (its jupyter-lite.json, URLs
// resolved against the site's root as JupyterLite resolves them), for the kernel to take later.
export function prestart() {
  const root = new URL("../../", import.meta.url);
  const options = fetch(new URL("jupyter-lite.json", root)).then((response) => response.json()).then((config) => {
    const settings = config["jupyter-config-data"].litePluginSettings["@jupyterlite/pyodide-kernel-extension:kernel"];
    const options = { ...settings.loadPyodideOptions, indexURL: new URL(".", import.meta.url).href };
    for (const [key, value] of Object.entries(options)) {
      if (key.endsWith("URL") && typeof value === "string") options[key] = new URL(value, root).href;
    }
    return options;
  });
  // A copy: Pyodide adds to the options it is given (HOME in env), and the kernel's must be compared with these.
  const pyodide = options.then((options) => startPyodide(structuredClone(options))).then(createKernel);
  pyodide.catch(() => {});  // the kernel, if it takes it, reports a failure; if it does not, a failure does not matter
  prestarted = { options, pyodide };
}

// pyodide-kernel creates its IPython kernel at `import pyodide_kernel` (1.5-3 s), which its worker
// runs once it has mounted the drive. The snapshot holds that kernel already (lite/snapshot.py); a
// start without it creates the kernel here, as early as it can: nothing in that import looks at the
// drive, and the worker's import finds it done. NumPy is imported here too, before a learner's
// first cell needs it: a snapshot cannot hold its native libraries, so its files come in the blob
// and its first import compiles their WebAssembly (about 1 s). Here, before the kernel is handed
// over, and not later in the background: a learner's Interrupt meant for a cell would stop that
// import instead. If either fails, the learner's own import says why.
async function createKernel(pyodide) {
  try {
    await pyodide.runPythonAsync("import pyodide_kernel");
    pyodide.tinytorchKernelCreated = true;
    if (pyodide.loadedPackages.numpy) await pyodide.runPythonAsync("import numpy");
  } catch (error) {
    console.warn("TinyTorch: the kernel was not created early:", error.message);
  }
  return pyodide;
}

// What the kernel asks Pyodide for, but the callbacks it gives: what a prestarted Pyodide must match.
const asked = ({ indexURL, lockFileURL, packages, env }) => JSON.stringify({ indexURL, lockFileURL, packages, env });

// How this kernel started, for the curious and the tests (`import js; js.tinytorchKernelStart`):
// early (before JupyterLite asked for it), its IPython kernel created here (createKernel), from the snapshot.
globalThis.tinytorchKernelStart = { early: false, created: false, snapshot: false };

// pyodide-kernel's worker calls this as Pyodide's loadPyodide.
export async function loadPyodide(options) {
  const early = prestarted;
  prestarted = null;  // once: a restarted kernel has a new worker anyway
  if (early && asked(await early.options.catch(() => ({}))) === asked(options)) {
    try {
      const pyodide = await early.pyodide;
      globalThis.tinytorchKernelStart.early = true;
      pyodide.setStdout({ batched: options.stdout });
      pyodide.setStderr({ batched: options.stderr });
      return created(pyodide);
    } catch (error) {
      console.warn("TinyTorch: the kernel's early start failed, starting again:", error);
    }
  }
  return created(await createKernel(await startPyodide(options)));
}

function created(pyodide) {
  globalThis.tinytorchKernelStart.created = pyodide.tinytorchKernelCreated === true;
  return pyodide;
}

async function startPyodide(options) {
  let manifest = null;
  try {
    manifest = await fittingManifest(options);
  } catch (error) {
    console.warn("TinyTorch: the kernel starts without its snapshot:", error.message);
  }
  if (manifest) {
    // The snapshot names the Pyodide functions that micropip keeps (lite/snapshot.py); each is
    // looked up in this Pyodide when called, which is after loadPyodide has returned it.
    let pyodide, trampoline;
    const named = ([where, key]) => (...args) => (where === "api" ? pyodide._api : pyodide)[key](...args);
    try {
      // Pyodide downloads and compiles its WebAssembly while the snapshot downloads into memory set
      // aside for it (Pyodide needs the snapshot's size at once, its bytes only once compiled).
      const memory = new Uint8Array(manifest.size);
      const filled = fillSnapshot(manifest, memory);
      filled.catch(() => {});  // its failure is loadPyodide's to report, below: not an unhandled rejection meanwhile
      // The wheels the snapshot imported from, and NumPy's, are installed as one blob of files
      // (lite/snapshot.py), written before Python starts; any other package loads as usual.
      const files = fetchChecked(manifest.files);
      files.catch(() => {});
      pyodide = await loadPlainPyodide({
        ...options, _loadSnapshot: memory, _snapshotDeserializer: named,
        packages: (options.packages || []).filter((name) => !manifest.files.packages.includes(name)),
        fsInit: async (FS) => {  // a failure is reported below, by createPyodideModule
          const blob = await files.catch(() => null);
          if (blob) writeFiles(FS, blob);
        },
        createPyodideModule: async (settings) => {
          const [module] = await Promise.all([createPyodideModule(settings), filled, files]);
          grown(module, memory);
          trampoline = trampolineSlot(module);
          return module;
        },
      });
      pyodide._module.HEAP32[trampoline.address / 4] = trampoline.value;
      // Installed from the blob, not by Pyodide: said here, or a cell's `import IPython` (the kernel
      // loads the packages a cell imports) would download and install IPython and its 13 wheels again.
      for (const name of manifest.files.names) pyodide.loadedPackages[name] = "default channel";
      // The snapshot's memory is the build's, random module and all: a fresh seed, as a normal start has.
      pyodide.runPython("import random\nrandom.seed()\ndel random");
      globalThis.tinytorchKernelStart.snapshot = true;
      return pyodide;
    } catch (error) {
      console.warn("TinyTorch: the kernel's snapshot did not load, starting without it:", error);
    }
  }
  return loadPlainPyodide(options);
}

async function createPyodideModule(settings) {
  return (await import("./pyodide.asm.mjs")).default(settings);
}

// Pyodide's WebAssembly module with room for the snapshot's memory: the snapshot fills the memory
// Pyodide starts with, which is less than the snapshot's once the kernel's imports have grown it.
function grown(module, snapshot) {
  const start = new DataView(snapshot.buffer, snapshot.byteOffset).getUint32(4, true);  // its header's length
  if (module.HEAP8.length < snapshot.length - start && !module.growMemory(snapshot.length - start)) {
    throw new Error("no memory for the snapshot");
  }
  return module;
}

// Where Python keeps its call trampoline (set by Pyodide before the memory is restored) and its value.
function trampolineSlot(module) {
  const address = module.__PyRuntime + module.HEAP32[module.__PyEM_EMSCRIPTEN_TRAMPOLINE_OFFSET / 4];
  if (!Number.isInteger(address)) throw new Error("this Pyodide keeps Python's call trampoline elsewhere");
  return { address, value: module.HEAP32[address / 4] };
}

// The snapshot's manifest if it was made for this Pyodide, lockfile, environment and packages;
// null if the site has none.
async function fittingManifest(options) {
  const response = await fetch(MANIFEST);
  if (response.status === 404) return null;
  const manifest = await response.json();
  if (!Number.isInteger(manifest.size) || !Array.isArray(manifest.files?.names)) throw new Error("its manifest is from another build of the site");
  if (manifest.pyodide !== version) throw new Error(`it is for Pyodide ${manifest.pyodide}, this is ${version}`);
  const missing = manifest.packages.filter((name) => !(options.packages || []).includes(name));
  if (missing.length) throw new Error(`the kernel does not load ${missing.join(", ")}`);
  if (JSON.stringify(manifest.env) !== JSON.stringify(options.env || {})) throw new Error("it was made with other environment variables");
  const jspi = "Suspending" in WebAssembly || "Suspender" in WebAssembly;  // as Pyodide tells (lite/snapshot.py)
  if (manifest.jspi !== jspi) throw new Error(`it was made ${manifest.jspi ? "with" : "without"} WebAssembly stack switching, which this browser ${jspi ? "has" : "lacks"}`);
  const lockfile = await (await fetch(options.lockFileURL)).arrayBuffer();
  if (await sha256(lockfile) !== manifest.lockfile_sha256) throw new Error("it was made with another pyodide-lock.json");
  return manifest;
}

// Unpack the snapshot into `memory` (its size), and check that it is the one the manifest describes.
async function fillSnapshot(manifest, memory) {
  const packed = await fetch(new URL(manifest.file, MANIFEST));
  if (!packed.ok) throw new Error(`${manifest.file}: ${packed.status}`);
  const reader = packed.body.pipeThrough(new DecompressionStream("gzip")).getReader();
  let filled = 0;
  for (let chunk; !(chunk = await reader.read()).done; filled += chunk.value.length) {
    if (filled + chunk.value.length > memory.length) throw new Error(`${manifest.file} is damaged`);
    memory.set(chunk.value, filled);
  }
  if (filled !== memory.length || await sha256(memory) !== manifest.sha256) throw new Error(`${manifest.file} is damaged`);
}

// A file the manifest describes (file, size, sha256), checked, unpacked.
async function fetchChecked({ file, size, sha256: digest }) {
  const packed = await fetch(new URL(file, MANIFEST));
  if (!packed.ok) throw new Error(`${file}: ${packed.status}`);
  const bytes = new Uint8Array(await new Response(packed.body.pipeThrough(new DecompressionStream("gzip"))).arrayBuffer());
  if (bytes.length !== size || await sha256(bytes) !== digest) throw new Error(`${file} is damaged`);
  return bytes;
}

// Write the files of a blob made by lite/snapshot.py's installed_files into Pyodide's file system.
function writeFiles(FS, blob) {
  const length = new DataView(blob.buffer, blob.byteOffset).getUint32(0, true);
  const index = JSON.parse(new TextDecoder().decode(blob.subarray(4, 4 + length)));
  let offset = 4 + length;
  for (const [path, size] of index) {
    FS.mkdirTree(path.slice(0, path.lastIndexOf("/")));
    FS.writeFile(path, blob.subarray(offset, offset + size));
    offset += size;
  }
}

async function sha256(bytes) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}
