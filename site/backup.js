// A full backup: the "files" section of a progress file (format version 2), the learner's
// notebooks and the tinytorch package tito wrote, next to the progress records:
//   "files": [{path: "00_welcome.ipynb", text: "<the notebook's JSON>"},
//             {path: "tinytorch/core/welcome.py", text: "<the module tito wrote>"}, ...]
// The rules for each file are grader/tito/backup.py's too; the fixtures in tests/fixtures/progress/
// (backup-*.json) keep the two in step. Importing never overwrites a different file: the imported
// one is kept beside it as "<name> (imported YYYY-MM-DD).<ext>".

// The site's service worker, registered at the very URL JupyterLite's notebook pages register it
// (service-worker.js with its enableCache option, false by default). Under another URL, opening a
// notebook replaced the worker while the kernel was starting, and the kernel could wait forever
// for the drive it reads through the worker.
export const SERVICE_WORKER = "service-worker.js?enableCache=false";

// Ask the site's service worker (service-worker.js) to keep every file of the site for offline
// use: "now", or "later": once a page says "now", or a minute on (a notebook page whose kernel is
// starting or running a cell).
export function precache(when) {
  navigator.serviceWorker?.ready
    .then((registration) => registration.active?.postMessage({ type: "tinytorch:precache", when }))
    .catch((error) => console.warn("TinyTorch: the site is not kept for offline use:", error));
}

export const MAX_FILES = 200;
export const MAX_FILE_BYTES = 10_000_000;  // a notebook with outputs is rarely over 1 MB
const FIELDS = ["path", "text"];
const PATH = /^(?:(?:[0-9]{2}|milestone)_[A-Za-z0-9_.() -]{1,100}\.ipynb|tinytorch\/(?:core\/)?[A-Za-z_][A-Za-z0-9_]{0,100}\.py)$/;
const WHAT = "one of your notebooks (NN_name.ipynb, milestone_NN_name.ipynb) or a file of your tinytorch package";
const HEADER = "`tito module complete";  // on the first line of every package file tito writes
// Made by tito from the files in tinytorch/core/ (it rewrites them when a module is completed or a
// milestone runs): one the drive has is kept, never doubled.
const DERIVED = ["tinytorch/__init__.py", "tinytorch/core/__init__.py"];

// What is wrong with a backup's "files" section, or "" when nothing is.
export function filesProblem(files) {
  if (!Array.isArray(files)) return 'this backup has no "files" list';
  if (files.length > MAX_FILES) return `this backup has ${files.length} files, more than the ${MAX_FILES} a backup can hold`;
  const seen = new Set();
  for (const [i, entry] of files.entries()) {
    let problem = fileProblem(entry, i + 1);
    if (!problem && seen.has(entry.path)) problem = `this backup's file ${show(entry.path)} appears twice`;
    if (problem) return problem;
    seen.add(entry.path);
  }
  return "";
}

// What is wrong with one file of a backup ({path, text}), or ""; in the order backup.py checks.
export function fileProblem(entry, number) {
  if (typeof entry !== "object" || entry === null || Array.isArray(entry)) return `this backup's file number ${number} is not an object`;
  const unknown = Object.keys(entry).filter((key) => !FIELDS.includes(key)).sort();
  if (unknown.length) return `this backup's file number ${number} has an unknown field ${show(unknown[0])}`;
  const missing = FIELDS.filter((key) => !Object.hasOwn(entry, key));
  if (missing.length) return `this backup's file number ${number} has no field ${show(missing[0])}`;
  const { path, text } = entry;
  if (typeof path !== "string") return `this backup's file number ${number} has a path that is not a string`;
  const name = `this backup's file ${show(path)}`;
  if (/^[/\\~]/.test(path) || path.split(/[/\\]/).includes("..") || path.includes(":")) return `${name} is outside your workspace`;
  if (!PATH.test(path)) return `${name} is not ${WHAT}`;
  if (typeof text !== "string") return `${name} has a text that is not a string`;
  if (!text.isWellFormed()) return `${name} is not valid Unicode text`;  // half a UTF-16 pair: no file can hold it
  if (new TextEncoder().encode(text).length > MAX_FILE_BYTES) return `${name} is over ${MAX_FILE_BYTES} bytes`;
  if (path.endsWith(".ipynb")) {
    let notebook = null;
    try {
      notebook = JSON.parse(text);
    } catch {
      // not JSON: not a notebook
    }
    if (typeof notebook !== "object" || notebook === null || !Array.isArray(notebook.cells)) {
      return `${name} is not a notebook (JSON with a "cells" list)`;
    }
  } else if (path !== "tinytorch/core/__init__.py" && !text.split("\n", 1)[0].includes(HEADER)) {
    return `${name} was not written by tito (its first line is not tito's header)`;
  }
  return "";
}

// "01_tensor.ipynb" -> "01_tensor (imported 2026-12-01).ipynb", then "... 2026-12-01 2)" and so on.
export function importedName(path, day, number = 1) {
  const dot = path.lastIndexOf(".");
  return `${path.slice(0, dot)} (imported ${day}${number > 1 ? ` ${number}` : ""})${path.slice(dot)}`;
}

// Do two texts of the file `path` hold the same thing? Notebooks are compared as JSON.
function same(path, a, b) {
  if (a === b) return true;
  if (!path.endsWith(".ipynb")) return false;
  try {
    return JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
  } catch {
    return false;
  }
}

const show = (x) => {
  const text = JSON.stringify(x);
  return text.length <= 40 ? text : `${text.slice(0, 40)}…`;
};

// ---- JupyterLite's drive -----------------------------------------------------------------------
// JupyterLite 0.8 keeps the learner's files in IndexedDB through localforage: the database
// "JupyterLite Storage - <the site's path>", object store "files", one record per path (the key):
// a contents model {name, path, type, format, mimetype, content, size, created, last_modified,
// writable}. A notebook is {type: "notebook", format: "json", content: the notebook}; a file the
// kernel wrote is {type: "file", format: "base64"}; a folder is {type: "directory"}.

const STORE = "files";

// `site`: the URL of the site's root (where index.html and lab/ are).
export function openDrive(site) {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(`JupyterLite Storage - ${new URL(site).pathname}`);
    // JupyterLite never ran in this browser: make its store as localforage does (version 1).
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => {
      request.result.onversionchange = () => request.result.close();  // JupyterLab adds its other stores
      resolve(request.result);
    };
    request.onerror = () => reject(request.error);
    request.onblocked = () => reject(new Error("JupyterLite's storage is blocked by another open tab"));
  });
}

// The paths the drive holds (files and folders).
export function drivePaths(db) {
  return new Promise((resolve, reject) => {
    const request = db.transaction(STORE).objectStore(STORE).getAllKeys();
    request.onsuccess = () => resolve(new Set(request.result));
    request.onerror = () => reject(request.error);
  });
}

// One path's record, or undefined; and writing one record back (site/notebook-page.js uses both).
export function readRecord(db, path) {
  return new Promise((resolve, reject) => {
    const request = db.transaction(STORE).objectStore(STORE).get(path);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

export function writeRecord(db, record) {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, "readwrite");
    tx.objectStore(STORE).put(record, record.path);
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

function allRecords(db) {
  return new Promise((resolve, reject) => {
    const request = db.transaction(STORE).objectStore(STORE).getAll();
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

// The drive's files worth a backup: {files: [{path, text}] in path order, skipped: [{path, why}]}.
export async function readFiles(db) {
  const files = [], skipped = [];
  const records = (await allRecords(db)).filter((r) => r.type !== "directory" && PATH.test(r.path));
  for (const record of records.sort((a, b) => (a.path < b.path ? -1 : 1))) {
    let text;
    try {
      text = textOf(record);
    } catch {
      skipped.push({ path: record.path, why: "it cannot be read as UTF-8 text" });
      continue;
    }
    const problem = fileProblem({ path: record.path, text }, files.length + 1);
    if (problem) skipped.push({ path: record.path, why: problem.replace(`this backup's file ${show(record.path)} `, "it ") });
    else files.push({ path: record.path, text });
  }
  for (const { path } of files.slice(MAX_FILES)) skipped.push({ path, why: `a backup holds at most ${MAX_FILES} files` });
  return { files: files.slice(0, MAX_FILES), skipped };
}

function textOf(record) {
  if (record.format === "json") return JSON.stringify(record.content, null, 1) + "\n";
  if (record.format === "base64") {
    const bytes = Uint8Array.from(atob(record.content ?? ""), (c) => c.charCodeAt(0));
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  }
  return String(record.content ?? "");
}

// Write a checked backup's files into the drive, in one transaction (all or nothing), never over
// a different file. Resolves to {written: [paths], keptBoth: [{path, kept}]}; a file already
// there as it is (or as an imported copy) is left alone.
export async function restoreFiles(db, files, day) {
  const stored = new Map((await allRecords(db)).map((r) => [r.path, r]));
  const now = new Date().toISOString();
  const writes = [], written = [], keptBoth = [];
  for (const { path, text } of files) {
    const target = place(stored, path, text, day);
    if (target === null) continue;
    for (const folder of folders(target).filter((folder) => !stored.has(folder))) {
      stored.set(folder, folderRecord(folder, now));
      writes.push(stored.get(folder));
    }
    const record = fileRecord(target, text, now);
    stored.set(target, record);
    writes.push(record);
    written.push(target);
    if (target !== path) keptBoth.push({ path, kept: target });
  }
  await new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, "readwrite");
    for (const record of writes) tx.objectStore(STORE).put(record, record.path);
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
  return { written, keptBoth };
}

// Where `text` goes: `path` when it is free, else the first free importedName; null when the
// file, or an imported copy of it, already holds this text, or it is DERIVED and there.
function place(stored, path, text, day) {
  if (DERIVED.includes(path) && stored.has(path)) return null;
  for (let number = 0; ; number++) {
    const target = number === 0 ? path : importedName(path, day, number);
    const record = stored.get(target);
    if (!record) return target;
    let there = null;
    try {
      there = record.type === "directory" ? null : textOf(record);
    } catch {
      // unreadable: a different file
    }
    if (there !== null && same(path, there, text)) return null;
  }
}

// "tinytorch/core/welcome.py" -> ["tinytorch", "tinytorch/core"]
const folders = (path) => path.split("/").slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join("/"));

function folderRecord(path, now) {
  return { name: path.split("/").pop(), path, last_modified: now, created: now, format: "json", mimetype: "",
    content: null, size: 0, writable: true, type: "directory" };
}

function fileRecord(path, text, now) {
  const bytes = new TextEncoder().encode(text);
  const base = { name: path.split("/").pop(), path, last_modified: now, created: now, size: bytes.length, writable: true };
  if (path.endsWith(".ipynb")) {
    return { ...base, format: "json", mimetype: "application/x-ipynb+json", content: JSON.parse(text), type: "notebook" };
  }
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return { ...base, format: "base64", mimetype: "text/x-python", content: btoa(binary), type: "file" };
}
