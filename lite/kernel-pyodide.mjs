// The kernel's Pyodide (its pyodideUrl, next to pyodide.mjs in api/pyodide/): Pyodide's own
// loadPyodide, started from the memory snapshot that the build made after the kernel's slow imports
// (lite/snapshot.py) when that snapshot fits this Pyodide, this lockfile and these packages. When it
// does not (another build, a damaged file, no snapshot at all) or Pyodide refuses it, the kernel
// starts the normal way: slower, never broken, nothing in the console but a warning.

import { loadPyodide as loadPlainPyodide, version } from "./pyodide.mjs";

export { version };

const MANIFEST = new URL("kernel-snapshot.json", import.meta.url);

export async function loadPyodide(options) {
  let manifest = null;
  try {
    manifest = await fittingManifest(options);
  } catch (error) {
    console.warn("TinyTorch: the kernel starts without its snapshot:", error.message);
  }
  if (manifest) {
    // The snapshot names the Pyodide functions that micropip keeps (lite/snapshot.py); each is
    // looked up in this Pyodide when called, which is after loadPyodide has returned it.
    let pyodide;
    const named = ([where, key]) => (...args) => (where === "api" ? pyodide._api : pyodide)[key](...args);
    try {
      // Pyodide downloads and compiles its WebAssembly while the snapshot downloads.
      const memory = snapshotMemory(manifest);
      memory.catch(() => {});  // its failure is loadPyodide's to report, below: not an unhandled rejection meanwhile
      pyodide = await loadPlainPyodide({
        ...options, _loadSnapshot: memory, _snapshotDeserializer: named,
        createPyodideModule: async (settings) => grown(await createPyodideModule(settings), await memory),
      });
      // The snapshot's memory is the build's, random module and all: a fresh seed, as a normal start has.
      pyodide.runPython("import random\nrandom.seed()\ndel random");
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

// The snapshot's manifest if it was made for this Pyodide, lockfile, environment and packages;
// null if the site has none.
async function fittingManifest(options) {
  const response = await fetch(MANIFEST);
  if (response.status === 404) return null;
  const manifest = await response.json();
  if (manifest.pyodide !== version) throw new Error(`it is for Pyodide ${manifest.pyodide}, this is ${version}`);
  const missing = manifest.packages.filter((name) => !(options.packages || []).includes(name));
  if (missing.length) throw new Error(`the kernel does not load ${missing.join(", ")}`);
  if (JSON.stringify(manifest.env) !== JSON.stringify(options.env || {})) throw new Error("it was made with other environment variables");
  const lockfile = await (await fetch(options.lockFileURL)).arrayBuffer();
  if (await sha256(lockfile) !== manifest.lockfile_sha256) throw new Error("it was made with another pyodide-lock.json");
  return manifest;
}

// The snapshot's memory, unpacked, if it is the one the manifest describes.
async function snapshotMemory(manifest) {
  const packed = await fetch(new URL(manifest.file, MANIFEST));
  if (!packed.ok) throw new Error(`${manifest.file}: ${packed.status}`);
  const memory = new Uint8Array(await new Response(packed.body.pipeThrough(new DecompressionStream("gzip"))).arrayBuffer());
  if (await sha256(memory) !== manifest.sha256) throw new Error(`${manifest.file} is damaged`);
  return memory;
}

async function sha256(bytes) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}
