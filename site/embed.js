// The MOOC embed: one module or milestone alone, sized for an iframe in a course page, telling the
// host page (window.parent) when the learner completes a module or passes a milestone.
//
// embed.html?module=01 (or ?milestone=04) checks the id against course.json and replaces itself
// with Jupyter Notebook's one-document page for that notebook, flagged `&embed=module:01`.
// notebook-page.js sees the flag and calls `embedded` below: no header or menus (nothing that leads
// to other notebooks), and the messages to the host, documented in README.md ("Embedding in a
// course page"):
//   to the host:   {type: "tinytorch:module-completed", module, title, passed, total, at}
//                  {type: "tinytorch:milestone-passed", milestone, title, metric, value, gate, at}
//                  {type: "tinytorch:status", embedded: {kind, id}, modules: {id: status}, milestones: {id: status}}
//                  (the answer to {type: "tinytorch:get-status"}, and sent once when the page is ready)
// They hold progress only (never code), so they go to any host origin.

import { openDB, readAll, usable, moduleStatuses, milestoneStatus } from "./progress.js";
import { SERVICE_WORKER } from "./backup.js";

const CHECK_EVERY = 1000;  // ms between reads of the progress records the grader writes

// The notebook of `kind` ("module" or "milestone") `id` in course.json, or an Error saying what is wrong.
export function embeddedNotebook(course, kind, id) {
  const items = kind === "module" ? course.modules : course.milestones;
  const info = items[id];
  const known = Object.keys(items).filter((key) => items[key].source).sort().join(", ");
  if (!info) return new Error(`There is no ${kind} "${id}" in this course: the ${kind}s are ${known}.`);
  const stem = info.source?.split("/").pop().replace(/\.py$/, "");
  const notebook = stem && (kind === "module" ? `${stem}.ipynb` : `milestone_${stem}.ipynb`);
  if (!notebook || !course.notebooks.includes(notebook)) return new Error(`${kind} ${id} (${info.title}) is not written yet.`);
  return notebook;
}

// embed.html: open the notebook that `?module=NN` or `?milestone=NN` names, or say what is wrong.
export async function openEmbedded() {
  const query = new URLSearchParams(location.search);
  const kind = ["module", "milestone"].find((key) => query.has(key));
  const say = (text) => {
    document.getElementById("embed-error").textContent = text;
    document.getElementById("embed-error").hidden = false;
  };
  if (!kind) return say('Say which notebook to show: embed.html?module=01 or embed.html?milestone=01.');
  const id = query.get(kind).padStart(2, "0");
  let course;
  try {
    const response = await fetch("course.json");
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    course = await response.json();
  } catch (error) {
    return say(`The course map (course.json) could not be loaded: ${error.message}.`);
  }
  const notebook = embeddedNotebook(course, kind, id);
  if (notebook instanceof Error) return say(notebook.message);
  // The site's service worker (service-worker.js) serves the kernel's files and makes the page
  // cross-origin isolated where it can be; the dashboard registers it too. An embed may be the
  // learner's first visit, so it is registered and running before the notebook page loads.
  try {
    await navigator.serviceWorker.register(SERVICE_WORKER);
    await navigator.serviceWorker.ready;
  } catch (error) {
    console.warn("TinyTorch: no service worker, the notebook may not be saved:", error);
  }
  location.replace(`notebooks/index.html?path=${encodeURIComponent(notebook)}&embed=${kind}:${id}`);
}

// The embedded notebook page (notebook-page.js calls it when the URL has `embed=kind:id`).
export async function embedded(flag) {
  const [kind, id] = flag.split(":");
  document.documentElement.classList.add("tinytorch-embed");
  const style = document.createElement("style");
  // Jupyter Notebook's header (its logo leads to the file browser) and menus (File > Open ...).
  style.textContent = "#top-panel-wrapper, #menu-panel-wrapper { display: none !important; }";
  document.head.append(style);

  const course = await (await fetch(new URL("course.json", import.meta.url))).json();  // the site root, beside this file
  const db = await openDB();
  const tell = (message) => window.parent.postMessage(message, "*");
  let seen = await records(db, course);
  const status = () => ({
    type: "tinytorch:status", embedded: { kind, id },
    modules: Object.fromEntries(moduleStatuses(course, seen)),
    milestones: Object.fromEntries(Object.entries(course.milestones).map(
      ([mid, milestone]) => [mid, milestoneStatus(milestone, seen.get(`milestone:${mid}`), moduleStatuses(course, seen))])),
  });
  addEventListener("message", ({ data, source }) => {
    if (data?.type === "tinytorch:get-status" && source === window.parent) tell(status());
  });
  tell(status());
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, CHECK_EVERY));
    const now = await records(db, course);
    for (const message of news(course, seen, now)) tell(message);
    seen = now;
  }
}

async function records(db, course) {
  return new Map(usable(await readAll(db), course).map((record) => [record.id, record]));
}

// The events between two readings of the records: modules newly completed, milestones newly passed.
function news(course, before, after) {
  const events = [];
  for (const [key, record] of after) {
    const old = before.get(key);
    if (record.kind === "module" && record.status === "completed" && old?.status !== "completed") {
      const module = key.slice("module:".length);
      events.push({ type: "tinytorch:module-completed", module, title: course.modules[module].title,
        passed: record.last_result.passed, total: record.last_result.total, at: record.first_completed_at });
    }
    if (record.kind === "milestone" && record.passed && !old?.passed) {
      const milestone = key.slice("milestone:".length);
      const { metric, value, gate } = record.result;
      events.push({ type: "tinytorch:milestone-passed", milestone, title: course.milestones[milestone].title,
        metric, value, gate, at: record.first_passed_at });
    }
  }
  return events;
}
