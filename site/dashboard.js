// The landing page: the course map with each module's and milestone's status, and export /
// import of progress. The rules (statuses, checking, merging) live in progress.js.
import { SCHEMA, VERSION, MAX_BYTES, openDB, readAll, importRecords, winners, moduleStatuses, milestoneStatus,
  parseBackup, usable } from "./progress.js";
import { SERVICE_WORKER, drivePaths, openDrive, precache, readFiles, restoreFiles } from "./backup.js";
import { forged } from "./olympics.js";

const $ = (id) => document.getElementById(id);
let course = null;        // course.json, written by the site build from curriculum/course.toml
let db = null;            // the IndexedDB connection, or null when the browser refuses one
let records = new Map();  // id -> progress record: what the page shows and what Export saves
let drive = null;         // the paths in JupyterLite's drive (the learner's files), null when unreadable
let flagged = new Map();  // submission id -> why its figures do not give its checksum, qualification or score

async function main() {
  // The site's service worker (service-worker.js) makes the notebook pages cross-origin isolated,
  // which Interrupt needs, and keeps the site for offline use; registered here, it is in place
  // before the first notebook opens. Once a worker controls the page the browser keeps it up to
  // date by itself; registering again would fetch the script, an error in the console offline.
  if (navigator.serviceWorker && !navigator.serviceWorker.controller) {
    navigator.serviceWorker.register(SERVICE_WORKER).catch((error) => console.warn("no service worker:", error));
  }
  try {
    const response = await fetch("course.json");
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    course = await response.json();
  } catch (error) {
    notice("course-error", `The course map (course.json) could not be loaded: ${error.message}. `
      + "Build the site with: python -m lite build");
    return;
  }
  $("numpy-notice").hidden = course.numpy_bundled !== false;
  try {
    db = await openDB();
  } catch (error) {
    storageProblem("This browser will not let the page save your progress", error);
  }
  await refresh();
  $("export").addEventListener("click", exportProgress);
  $("import").addEventListener("click", () => $("import-file").click());
  $("import-file").addEventListener("change", importProgress);
  $("export").disabled = $("import").disabled = false;
  precache("now");  // the course map is drawn: keep the rest of the site for offline use
  // The grader writes progress from the notebook tabs; show it when the learner comes back.
  document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && refresh());
}

async function refresh() {
  if (db) {
    try {
      // Only records that pass the import rules: what Export writes, Import must take back.
      records = new Map(usable(await readAll(db), course).map((record) => [record.id, record]));
    } catch (error) {
      db = null;
      storageProblem("Your saved progress could not be read", error);
    }
  }
  drive = await withDrive(drivePaths).catch(() => null);
  flagged = await checkSubmissions();
  render();
}

// The Torch Olympics submissions that do not follow from their figures (olympics.js, as the class
// page checks them): a record edited in the browser's storage or in an imported file. Such a
// record is flagged on its card and its score is not shown as a personal best.
async function checkSubmissions() {
  const flags = new Map();
  for (const record of records.values()) {
    if (record.kind !== "submission") continue;
    const why = await forged(record, course)  // crypto.subtle: only on https, localhost and 127.0.0.1
      .catch((error) => `its checksum could not be checked in this browser (${error?.name}: ${error?.message})`);
    if (why) flags.set(record.id, why);
  }
  return flags;
}

function storageProblem(what, error) {
  const reason = `${error?.name ?? "Error"}: ${String(error?.message ?? error).replace(/\.$/, "")}`;
  notice("storage-notice", `${what} (${reason}). You can keep `
    + "working, but progress is not kept after this tab closes: use Export progress to save a copy.");
}

function notice(id, text) {
  $(id).textContent = text;
  $(id).hidden = false;
}

function say(text, kind = "ok") {
  $("message").textContent = text;
  $("message").dataset.kind = kind;
}

// ---- the course map ----------------------------------------------------------------------------

function render() {
  const statuses = moduleStatuses(course, records);
  const sections = course.tier.map((tier) => section(tier.title,
    tier.modules.map((id) => moduleCard(id, course.modules[id], statuses.get(id)))));
  sections.push(section("Milestones", Object.entries(course.milestones).map(([id, milestone]) =>
    milestoneCard(id, milestone, statuses))));
  const bests = Object.entries(course.events ?? {}).filter(([name]) => records.has(`submission:${name}`));
  if (bests.length) {
    sections.push(section("Torch Olympics: your personal bests", bests.map(([name, event]) =>
      bestCard(event, records.get(`submission:${name}`), flagged.get(`submission:${name}`)))));
  }
  $("course").replaceChildren(...sections);
  showNext(statuses);
}

function section(title, cards) {
  const heading = el("h2", {}, title);
  heading.id = `tier-${title.toLowerCase().replace(/\W+/g, "-")}`;
  return el("section", { "aria-labelledby": heading.id }, heading, el("ol", { class: "cards" }, ...cards));
}

function moduleCard(id, module, status) {
  const record = records.get(`module:${id}`);
  const result = record?.last_result;
  const time = module.time ? `about ${module.time}` : "";  // course.toml's estimate
  const opens = status === "locked" && course.class?.opens?.[id] ? `opens on ${course.class.opens[id]}` : "";  // the class's schedule
  const detail = [opens, time, result ? `${result.passed} of ${result.total} checks passed` : ""].filter(Boolean).join(" · ");
  // Completed, but its code is not in the package (progress imported without it): the milestones need it.
  const noCode = status === "completed" && !hasCode(module) ? `its code is not in your tinytorch package: `
    + `open it and run %tito module complete ${id} again` : "";
  return card(id, module.title, `${id}_${module.name}.ipynb`, status, [detail, noCode].filter(Boolean).join(" · "));
}

function milestoneCard(id, milestone, statuses) {
  const record = records.get(`milestone:${id}`);
  const status = milestoneStatus(milestone, record, statuses);
  const result = record?.result;
  let detail = "";
  if (result) detail = `${result.metric} ${result.value.toFixed(3)} (pass mark ${result.gate})`;  // as the notebook shows it
  else if (status === "locked") detail = `needs modules ${milestone.requires.join(", ")}`;
  else if (status === "available" && milestone.requires.some((m) => !hasCode(course.modules[m]))) {
    // What %tito milestone run says too: it runs the package, whatever the records say.
    detail = `needs the code of modules ${milestone.requires.filter((m) => !hasCode(course.modules[m])).join(", ")} `
      + "in your tinytorch package";
  }
  return card(String(milestone.year), milestone.title, `milestone_${id}_${milestone.name}.ipynb`, status, detail);
}

// An event of module 20 and the learner's best submission in it (tito keeps the best; see
// tito/olympics.py), or, when the record does not follow from its figures, why it is not counted.
function bestCard(event, record, why) {
  if (why) return card("🏅", event.title, "", "flagged", `not counted: ${why}; run module 20 again to submit`);
  const figure = event.rank === "all_around" ? "score" : event.rank;
  const detail = `${figure} ${record.score.toPrecision(4)} · ${record.description} · ${record.attempts} submitted`;
  return card("🏅", event.title, "", record.qualifies ? "qualifies" : "does not qualify", detail);
}

// Is the module's code in the learner's package? Unknown (true) when the drive cannot be read.
const hasCode = (module) => !drive || drive.has(`tinytorch/core/${module.name}.py`);

// One module or milestone: its number, its title (a link to its notebook when it can be opened)
// and its status, in words and not only in colour.
function card(number, title, notebook, status, detail) {
  const open = status !== "locked" && status !== "coming soon" && course.notebooks.includes(notebook);
  const name = open ? el("a", { href: notebookURL(notebook) }, title) : el("span", {}, title);
  return el("li", { class: "card", "data-status": status },
    el("span", { class: "number" }, number), el("span", { class: "title" }, name),
    el("span", { class: "status" }, status), detail && el("span", { class: "detail" }, detail));
}

// Relative, so the site works under any subpath and inside an iframe. Jupyter Notebook's
// one-document page: one notebook and its kernel, whatever was opened before (JupyterLab would
// reopen every notebook of earlier visits and start a kernel for each).
const notebookURL = (notebook) => `notebooks/index.html?path=${encodeURIComponent(notebook)}`;

// "Start with 00 Welcome" / "Continue with 03 Layers": the first open module not yet completed.
function showNext(statuses) {
  const id = [...statuses.keys()].find((id) => ["available", "started"].includes(statuses.get(id)));
  const module = course.modules[id];
  const notebook = module && `${id}_${module.name}.ipynb`;
  $("next").hidden = !module || !course.notebooks.includes(notebook);
  if ($("next").hidden) return;
  const verb = statuses.get(id) === "started" ? "Continue with" : "Start with";
  $("next").replaceChildren(el("a", { class: "button", href: notebookURL(notebook) }, `${verb} ${id} ${module.title}`));
}

function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children.filter(Boolean));  // text goes in as text, never as HTML
  return node;
}

// ---- export / import ---------------------------------------------------------------------------

// A full backup: the records, and the learner's notebooks and package from JupyterLite's drive.
async function exportProgress() {
  await refresh();  // include what the grader wrote since the page was drawn
  const { files, skipped, failure } = await withDrive(readFiles).catch((error) => ({ files: [], skipped: [], failure: error }));
  const file = {
    schema: SCHEMA, version: VERSION, exported_at: new Date().toISOString(),
    records: [...records.values()].sort((a, b) => a.id.localeCompare(b.id)), files,
  };
  const blob = new Blob([JSON.stringify(file, null, 2) + "\n"], { type: "application/json" });
  const link = el("a", { href: URL.createObjectURL(blob), download: `tinytorch-progress-${file.exported_at.slice(0, 10)}.json` });
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 60_000);  // some browsers read the blob after click() returns
  say(`Exported ${file.records.length} records`
    + (files.length ? ` and ${files.length} files (your notebooks and tinytorch package).` : ".")
    + skipped.map(({ path, why }) => ` ${path} is not in the file: ${why}.`).join("")
    + (failure ? ` Your notebooks could not be read (${failure.name}: ${failure.message}), so they are not in the file.` : ""),
  failure || skipped.length ? "error" : "ok");
}

// fn(db) on JupyterLite's drive, the database of the notebooks' site (this page's folder).
async function withDrive(fn, ...args) {
  const drive = await openDrive(new URL(".", location.href).href);
  try {
    return await fn(drive, ...args);
  } finally {
    drive.close();
  }
}

async function importProgress(event) {
  const file = event.target.files[0];
  event.target.value = "";  // so choosing the same file again fires "change" again
  if (!file) return;
  let incoming, files;
  try {
    ({ records: incoming, files } = parseBackup(await file.slice(0, MAX_BYTES + 1).arrayBuffer(), course));  // a bigger file is refused unread
  } catch (error) {
    say(`Not imported: ${error.message} Your progress is unchanged.`, "error");
    return;
  }
  let restored = "";  // the code first: a module is never shown completed without it
  if (files.length) {
    try {
      restored = filesSaid(files, await withDrive(restoreFiles, files, new Date().toISOString().slice(0, 10)));
    } catch (error) {
      say(`Not imported: your notebooks and package could not be saved in this browser (${error?.name}: ${error?.message}). `
        + "Your progress is unchanged.", "error");
      return;
    }
  }
  let kept;
  if (db) {
    try {
      kept = await importRecords(db, incoming);
    } catch (error) {
      const full = error?.name === "QuotaExceededError";
      say(`Not imported: ${full ? "the browser's storage is full" : "the browser could not save it"} `
        + `(${error?.name}: ${error?.message}). Your progress records are unchanged; Export progress still works.`
        + (restored && " Your notebooks and package were restored."), "error");
      return;
    }
  } else {
    const replacing = winners(records, incoming);  // in this tab only: the browser keeps nothing
    for (const record of replacing) records.set(record.id, record);
    kept = incoming.length - replacing.length;
  }
  await refresh();
  say(`Imported ${incoming.length - kept} of ${incoming.length} records`
    + (kept ? ` (${kept} kept as they were: yours are newer or completed).` : ".") + restored);
}

// What a restore did, in words: " Restored 4 of 4 files ..." and each file kept in two versions.
function filesSaid(files, { written, keptBoth }) {
  const here = files.length - written.length;
  return ` Restored ${written.length - keptBoth.length} of ${files.length} files (your notebooks and tinytorch package)`
    + (here ? `; ${here} were here already.` : ".")
    + keptBoth.map(({ path, kept }) => ` You have another version of ${path}: yours is kept, and the imported one is "${kept}".`).join("");
}

main();
