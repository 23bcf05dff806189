// Progress: where it is kept (IndexedDB), how a status is worked out, and how an export file is
// checked and merged. The grader keeps the same rules in grader/tito/progress.py.
//
// One record per module, milestone and the settings, in the database "tinytorch", store "progress":
//   {id: "module:01", kind: "module", status: "started"|"completed", attempts, last_result:
//    {passed, total, at}, first_completed_at, updated_at}
//   {id: "milestone:01", kind: "milestone", attempts, result: {metric, value, gate, seconds, at},
//    passed, first_passed_at, updated_at}
//   {id: "settings", kind: "settings", unlock_all, updated_at}

export const SCHEMA = "tinytorch-progress";
export const VERSION = 1;

// ---- IndexedDB ---------------------------------------------------------------------------------

// Opening without a version number creates the database at version 1 when it is absent (the
// kernel does the same), and opens whatever version is there otherwise.
export function openDB() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open("tinytorch");
    request.onupgradeneeded = () => request.result.createObjectStore("progress", { keyPath: "id" });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
    request.onblocked = () => reject(new Error("the database is blocked by another open tab"));
  });
}

export function readAll(db) {
  return new Promise((resolve, reject) => {
    const request = db.transaction("progress").objectStore("progress").getAll();
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

// Merge `incoming` into the database in one readwrite transaction: the records are read and
// written inside it, so a grader writing at the same moment cannot be overwritten by stale data.
// Resolves to the number of incoming records that were kept out because the stored one wins.
export function importRecords(db, incoming) {
  return new Promise((resolve, reject) => {
    const tx = db.transaction("progress", "readwrite");
    const store = tx.objectStore("progress");
    let kept = 0;
    store.getAll().onsuccess = (event) => {
      const replacing = winners(new Map(event.target.result.map((r) => [r.id, r])), incoming);
      for (const record of replacing) store.put(record);
      kept = incoming.length - replacing.length;
    };
    tx.oncomplete = () => resolve(kept);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

// ---- merge rule --------------------------------------------------------------------------------

// The incoming records that replace the stored ones (`stored`: a Map id -> record).
export function winners(stored, incoming) {
  return incoming.filter((record) => newer(record, stored.get(record.id)));
}

// Does `incoming` replace `stored`? A completed module or a passed milestone is never
// downgraded, whatever the dates say (an achievement is the one thing a learner must never
// lose); otherwise the record with the later updated_at wins, and on a tie the stored one stays.
export function newer(incoming, stored) {
  if (!stored) return true;
  const done = (r) => (r.kind === "module" && r.status === "completed") || (r.kind === "milestone" && r.passed === true);
  if (done(stored) !== done(incoming)) return done(incoming);
  return Date.parse(incoming.updated_at) > Date.parse(stored.updated_at);
}

// ---- statuses shown on the dashboard -----------------------------------------------------------

// Module statuses, in course order: "coming soon" (no notebook yet), "started" / "completed"
// (from its record), "available", or "locked" while the module before it is not completed.
// The first module is always open; settings.unlock_all opens every one.
export function moduleStatuses(course, records) {
  const unlockAll = records.get("settings")?.unlock_all === true;
  const statuses = new Map();
  let previousDone = true;
  for (const id of course.tier.flatMap((tier) => tier.modules)) {
    const record = records.get(`module:${id}`);
    if (!course.modules[id].source) statuses.set(id, "coming soon");
    else if (record) statuses.set(id, record.status);
    else statuses.set(id, previousDone || unlockAll ? "available" : "locked");
    previousDone = statuses.get(id) === "completed";
  }
  return statuses;
}

// A milestone is locked until every module it `requires` is completed; once run, its record
// says "passed" or "not passed".
export function milestoneStatus(milestone, record, modules) {
  if (!milestone.source) return "coming soon";
  if (record) return record.passed ? "passed" : "not passed";
  const ready = (milestone.requires ?? []).every((id) => modules.get(id) === "completed");
  return ready ? "available" : "locked";
}

// ---- checking an export file -------------------------------------------------------------------

// Returns the records of a valid export file, or throws an Error whose message tells the
// learner exactly what is wrong. `course` is course.json: ids must name its modules/milestones.
export function parseExport(text, course) {
  let file;
  try {
    file = JSON.parse(text);
  } catch (error) {
    throw new Error(`This file is not valid JSON (${error.message}), so it cannot be a progress export.`);
  }
  if (!isObject(file) || file.schema !== SCHEMA) {
    throw new Error(`This is not a TinyTorch progress file: it has no "schema": "${SCHEMA}".`);
  }
  if (!Number.isInteger(file.version) || file.version < 1) {
    throw new Error(`This progress file has an unknown format version (${JSON.stringify(file.version)}).`);
  }
  if (file.version > VERSION) {
    throw new Error(`This progress file was made by a newer TinyTorch (format version ${file.version}, `
      + `this site reads version ${VERSION}); update the site to import it.`);
  }
  if (!Array.isArray(file.records)) throw new Error('This progress file has no "records" list.');
  const seen = new Set();
  file.records.forEach((record, i) => {
    const problem = recordProblem(record, course);
    const name = isObject(record) && typeof record.id === "string" ? `"${record.id}"` : `number ${i + 1}`;
    if (problem) throw new Error(`Record ${name} looks edited or damaged: ${problem}.`);
    if (seen.has(record.id)) throw new Error(`Record ${name} looks edited or damaged: it appears twice.`);
    seen.add(record.id);
  });
  return file.records;
}

// What is wrong with one record, or "" if nothing is.
function recordProblem(r, course) {
  if (!isObject(r)) return "it is not an object";
  if (!isTime(r.updated_at)) return `updated_at ${JSON.stringify(r.updated_at)} is not an ISO 8601 time`;
  if (r.kind === "settings") {
    if (r.id !== "settings") return 'a settings record must have the id "settings"';
    if (typeof r.unlock_all !== "boolean") return "unlock_all must be true or false";
    return "";
  }
  if (r.kind !== "module" && r.kind !== "milestone") return `kind ${JSON.stringify(r.kind)} is not module, milestone or settings`;
  const known = r.kind === "module" ? course.modules : course.milestones;
  const id = typeof r.id === "string" && r.id.startsWith(`${r.kind}:`) ? r.id.slice(r.kind.length + 1) : null;
  if (!Object.hasOwn(known, id)) return `this course has no ${r.kind} with the id ${JSON.stringify(r.id)}`;
  if (!isCount(r.attempts)) return `attempts ${JSON.stringify(r.attempts)} is not a whole number >= 0`;
  return r.kind === "module" ? moduleProblem(r) : milestoneProblem(r);
}

function moduleProblem(r) {
  if (r.status !== "started" && r.status !== "completed") return `status ${JSON.stringify(r.status)} is not "started" or "completed"`;
  if (r.first_completed_at != null && !isTime(r.first_completed_at)) return "first_completed_at is not a time or null";
  const result = r.last_result;
  if (result !== null && result !== undefined) {
    if (!isObject(result) || !isCount(result.passed) || !isCount(result.total)) return "last_result needs whole numbers passed and total";
    if (result.passed > result.total) return `last_result says ${result.passed} of ${result.total} checks passed`;
    if (!isTime(result.at)) return "last_result.at is not an ISO 8601 time";
  }
  if (r.status === "completed") {
    if (!result || result.passed !== result.total) {
      return `it is "completed" but its last result is ${result ? `${result.passed} of ${result.total}` : "missing"}`;
    }
    if (r.first_completed_at == null) return 'it is "completed" but has no first_completed_at';
  }
  return "";
}

function milestoneProblem(r) {
  if (typeof r.passed !== "boolean") return "passed must be true or false";
  if (r.first_passed_at != null && !isTime(r.first_passed_at)) return "first_passed_at is not a time or null";
  const result = r.result;
  if (result !== null && result !== undefined) {
    if (!isObject(result) || typeof result.metric !== "string") return "result needs a metric name";
    for (const key of ["value", "gate", "seconds"]) {
      if (!Number.isFinite(result[key])) return `result.${key} is not a number`;
    }
    if (!isTime(result.at)) return "result.at is not an ISO 8601 time";
  }
  if (r.passed) {
    if (!result || result.value < result.gate) {
      return `it is "passed" but ${result ? `${result.metric} ${result.value} is below the gate ${result.gate}` : "has no result"}`;
    }
    if (r.first_passed_at == null) return 'it is "passed" but has no first_passed_at';
  }
  return "";
}

const isObject = (x) => typeof x === "object" && x !== null && !Array.isArray(x);
const isCount = (x) => Number.isInteger(x) && x >= 0;
// A full date and time with a time zone, as both Python's isoformat() and JS's toISOString() write.
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?(Z|[+-]\d\d:\d\d)$/;
// Date.parse accepts impossible dates (Feb 30, 24:00) that Python rejects: check each field.
function isTime(x) {
  if (typeof x !== "string" || !ISO.test(x)) return false;
  const [year, month, day, hour, minute, second] = x.slice(0, 19).split(/[-T:]/).map(Number);
  const t = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  return t.getUTCFullYear() === year && t.getUTCMonth() === month - 1 && t.getUTCDate() === day &&
    t.getUTCHours() === hour && t.getUTCMinutes() === minute && t.getUTCSeconds() === second;
}
