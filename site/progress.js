// Progress: where it is kept (IndexedDB), how a status is worked out, and how an export file is
// checked and merged. The grader keeps the same rules in grader/tito/progress.py; the files in
// tests/fixtures/progress/, each with the verdict both must give (expected.json), keep the two
// in step (tests/test_progress.py and e2e/test_dashboard.py).
//
// One record per module, milestone and the settings, in the database "tinytorch", store "progress":
//   {id: "module:01", kind: "module", status: "started"|"completed", attempts, last_result:
//    {passed, total, at}, first_completed_at, updated_at}
//   {id: "milestone:01", kind: "milestone", attempts, result: {metric, value, gate, seconds, at},
//    passed, first_passed_at, updated_at}
//   {id: "settings", kind: "settings", unlock_all, updated_at}
//   {id: "submission:latency_sprint", kind: "submission", attempts, description, figures: {module 20's
//    FIGURES}, qualifies, score, checksum, at, updated_at}  (the best Torch Olympics entry in an event)

import { filesProblem } from "./backup.js";
import { WHOLE } from "./olympics.js";

export const SCHEMA = "tinytorch-progress";
// 2: a full backup, with the learner's files (backup.js); 3: submission records (olympics.js). 1 and 2 still import.
export const VERSION = 3;
// Bounds, so a hostile file costs nothing: a whole course's progress is about 15 KB, its notebooks
// and package about 1 MB (backup.js bounds each file and their number).
export const MAX_BYTES = 50_000_000;
const MAX_DEPTH = 4;  // file > records > record > result (or figures)
const MAX_TEXT = 100;  // characters of a metric name or a submission's description
const MAX_COUNT = Number.MAX_SAFE_INTEGER;  // 2**53 - 1, the largest whole number held exactly
const FIELDS = {
  file: ["schema", "version", "exported_at", "records", "files"],
  file_v1: ["schema", "version", "exported_at", "records"],  // no files: progress records only
  module: ["id", "kind", "status", "attempts", "last_result", "first_completed_at", "updated_at"],
  milestone: ["id", "kind", "attempts", "result", "passed", "first_passed_at", "updated_at"],
  settings: ["id", "kind", "unlock_all", "updated_at"],
  submission: ["id", "kind", "attempts", "description", "figures", "qualifies", "score", "checksum", "at", "updated_at"],
  last_result: ["passed", "total", "at"],
  result: ["metric", "value", "gate", "seconds", "at"],
};

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
  const done = (r) => (r.kind === "module" && r.status === "completed") || (r.kind === "milestone" && r.passed === true)
    || (r.kind === "submission" && r.qualifies === true);
  if (done(stored) !== done(incoming)) return done(incoming);
  return later(incoming.updated_at, stored.updated_at);
}

// Is time a later than time b, to the microsecond, as Python compares them? (Date.parse keeps
// milliseconds only, so .1234 and .1239 would tie.) The whole seconds, offset applied, then the fraction.
function later(a, b) {
  const instant = (t) => [Date.parse(t.replace(/\.\d+/, "")), Number((/\.(\d+)/.exec(t)?.[1] ?? "").padEnd(6, "0"))];
  const [[secondsA, microsA], [secondsB, microsB]] = [instant(a), instant(b)];
  return secondsA !== secondsB ? secondsA > secondsB : microsA > microsB;
}

// ---- statuses shown on the dashboard -----------------------------------------------------------

// Module statuses, in course order: "coming soon" (no notebook yet), "started" / "completed"
// (from its record), "available", or "locked" while the module before it is not completed.
// The first module is always open; settings.unlock_all or the class's unlock_all opens every
// one. A module the class schedules (course.class.opens) is locked before its date and available
// from it, whatever is completed. `today`: "YYYY-MM-DD", this computer's date by default.
export function moduleStatuses(course, records, today = localDate(new Date())) {
  const unlockAll = records.get("settings")?.unlock_all === true || course.class?.unlock_all === true;
  const opens = course.class?.opens ?? {};
  const statuses = new Map();
  let previousDone = true;
  for (const id of course.tier.flatMap((tier) => tier.modules)) {
    const record = records.get(`module:${id}`);
    if (!course.modules[id].source) {
      statuses.set(id, "coming soon");
      continue;  // not written yet: it does not hold back the modules after it
    }
    if (record) statuses.set(id, record.status);
    else if (Object.hasOwn(opens, id)) statuses.set(id, today >= opens[id] ? "available" : "locked");
    else statuses.set(id, previousDone || unlockAll ? "available" : "locked");
    previousDone = statuses.get(id) === "completed";
  }
  return statuses;
}

// "YYYY-MM-DD" of a Date in this computer's time zone, as Python's date.today() gives it.
export const localDate = (d) => [d.getFullYear(), d.getMonth() + 1, d.getDate()].map((n, i) => String(n).padStart(i ? 2 : 4, "0")).join("-");

// A milestone is locked until every module it `requires` is completed; once run, its record
// says "passed" or "not passed".
export function milestoneStatus(milestone, record, modules) {
  if (!milestone.source) return "coming soon";
  if (record) return record.passed ? "passed" : "not passed";
  const ready = (milestone.requires ?? []).every((id) => modules.get(id) === "completed");
  return ready ? "available" : "locked";
}

// ---- checking an export file -------------------------------------------------------------------

// Returns the records of a valid export file (its bytes, an ArrayBuffer or Uint8Array, or its
// text), or throws an Error whose message tells the learner exactly what is wrong. `course` is
// course.json: ids must name its modules/milestones.
export function parseExport(input, course) {
  return parseBackup(input, course).records;
}

// The same for a full backup: {records, files} (files: [{path, text}], none in a version 1 file).
export function parseBackup(input, course) {
  const file = parseFile(input);
  const { records, bad } = sortRecords(file, course);
  if (bad.length) throw new Error(`${capital(bad[0].why)}.`);
  return { records, files: file.files ?? [] };
}

// The records worth keeping of what the page holds (IndexedDB may hold a record another version
// wrote): only these are shown and exported, so the page accepts every file it exports.
export function usable(records, course) {
  return records.filter((record) => !recordProblem(record, course));
}

function parseFile(input) {
  let text = input;
  if (typeof input !== "string") {
    if (input.byteLength > MAX_BYTES) throw new Error(`This file is over ${MAX_BYTES} bytes, too big for a progress file.`);
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(input);  // drops a byte order mark
    } catch {
      throw new Error("This file is not UTF-8 text, so it cannot be a progress export.");
    }
  }
  let file;
  try {
    file = JSON.parse(text);
  } catch (error) {
    throw new Error(`This file is not valid JSON (${excerpt(error.message)}), so it cannot be a progress export.`);
  }
  if (deeperThan(file, MAX_DEPTH)) {
    throw new Error(`This file is nested more than ${MAX_DEPTH} levels deep, so it cannot be a progress export.`);
  }
  return file;
}

// The file's good records and its bad ones ({record, why}); a problem with the file itself throws.
function sortRecords(file, course) {
  if (!isObject(file) || file.schema !== SCHEMA) {
    throw new Error(`This is not a TinyTorch progress file: it has no "schema": "${SCHEMA}".`);
  }
  if (!isCount(file.version) || file.version < 1) {
    throw new Error(`This progress file has an unknown format version (${show(file.version)}).`);
  }
  if (file.version > VERSION) {
    throw new Error(`This progress file was made by a newer TinyTorch (format version ${file.version}, `
      + `this site reads version ${VERSION}); update the site to import it.`);
  }
  const problem = fieldsProblem(file, file.version > 1 ? "file" : "file_v1");
  if (problem) throw new Error(`This progress file ${problem}.`);
  if (!Array.isArray(file.records)) throw new Error('This progress file has no "records" list.');
  const filesWrong = file.version > 1 ? filesProblem(file.files) : "";
  if (filesWrong) throw new Error(`${capital(filesWrong)}.`);
  if (!isTime(file.exported_at)) {
    throw new Error(`This progress file's exported_at ${show(file.exported_at)} is not an ISO 8601 time.`);
  }
  const records = [], bad = [], seen = new Set();
  file.records.forEach((record, i) => {
    const name = isObject(record) && typeof record.id === "string" ? show(record.id) : `number ${i + 1}`;
    const problem = recordProblem(record, course) || (seen.has(record.id) ? "it appears twice" : "");
    if (problem) {
      bad.push({ record, why: `record ${name} looks edited or damaged: ${problem}` });
    } else {
      records.push(record);
      seen.add(record.id);
    }
  });
  return { records, bad };
}

// What is wrong with one record, or "" if nothing is; checked in the order progress.py checks.
function recordProblem(r, course) {
  if (!isObject(r)) return "it is not an object";
  if (!["module", "milestone", "settings", "submission"].includes(r.kind)) {
    return `kind ${show(r.kind)} is not module, milestone, settings or submission`;
  }
  const problem = fieldsProblem(r, r.kind);
  if (problem) return `it ${problem}`;
  if (!isTime(r.updated_at)) return `updated_at ${show(r.updated_at)} is not an ISO 8601 time`;
  if (r.kind === "settings") {
    if (r.id !== "settings") return 'a settings record must have the id "settings"';
    if (typeof r.unlock_all !== "boolean") return "unlock_all must be true or false";
    return "";
  }
  const known = { module: course.modules, milestone: course.milestones, submission: course.events ?? {} }[r.kind];
  const id = typeof r.id === "string" && r.id.startsWith(`${r.kind}:`) ? r.id.slice(r.kind.length + 1) : null;
  if (!Object.hasOwn(known, id)) {
    return `this course has no ${r.kind === "submission" ? "Torch Olympics event" : r.kind} with the id ${show(r.id)}`;
  }
  if (!isCount(r.attempts)) return `attempts ${show(r.attempts)} is not a whole number from 0 to ${MAX_COUNT}`;
  return { module: moduleProblem, milestone: milestoneProblem, submission: submissionProblem }[r.kind](r, course);
}

function moduleProblem(r) {
  if (r.status !== "started" && r.status !== "completed") return `status ${show(r.status)} is not "started" or "completed"`;
  if (r.first_completed_at !== null && !isTime(r.first_completed_at)) return "first_completed_at is not a time or null";
  const result = r.last_result;
  if (result !== null) {
    if (!isObject(result)) return "last_result is not an object or null";
    const problem = fieldsProblem(result, "last_result");
    if (problem) return `last_result ${problem}`;
    if (!isCount(result.passed) || !isCount(result.total)) return "last_result needs whole numbers passed and total";
    if (result.passed > result.total) return `last_result says ${result.passed} of ${result.total} checks passed`;
    if (!isTime(result.at)) return "last_result.at is not an ISO 8601 time";
  }
  if (r.status === "completed") {
    if (!result || result.passed !== result.total) {
      return `it is "completed" but its last result is ${result ? `${result.passed} of ${result.total}` : "missing"}`;
    }
    if (r.first_completed_at === null) return 'it is "completed" but has no first_completed_at';
  }
  return "";
}

function milestoneProblem(r) {
  if (typeof r.passed !== "boolean") return "passed must be true or false";
  if (r.first_passed_at !== null && !isTime(r.first_passed_at)) return "first_passed_at is not a time or null";
  const result = r.result;
  if (result !== null) {
    if (!isObject(result)) return "result is not an object or null";
    const problem = fieldsProblem(result, "result");
    if (problem) return `result ${problem}`;
    if (typeof result.metric !== "string" || result.metric.length === 0 || result.metric.length > MAX_TEXT) {
      return `result.metric is not a name of 1 to ${MAX_TEXT} characters`;
    }
    for (const key of ["value", "gate", "seconds"]) {
      if (!Number.isFinite(result[key])) return `result.${key} is not a number`;
    }
    if (!isTime(result.at)) return "result.at is not an ISO 8601 time";
  }
  if (r.passed) {
    if (!result || result.value < result.gate) {
      return `it is "passed" but ${result ? `${excerpt(result.metric)} ${show(result.value)} is below the gate ${show(result.gate)}` : "has no result"}`;
    }
    if (r.first_passed_at === null) return 'it is "passed" but has no first_passed_at';
  }
  return "";
}

// Its form only: whether its figures give its checksum and score is olympics.js's forged().
function submissionProblem(r, course) {
  if (typeof r.description !== "string" || r.description.length === 0 || r.description.length > MAX_TEXT) {
    return `description is not a text of 1 to ${MAX_TEXT} characters`;
  }
  const figures = r.figures, names = [...course.figures].sort();
  if (!isObject(figures) || JSON.stringify(Object.keys(figures).sort()) !== JSON.stringify(names)) {
    return `figures must be exactly ${names.join(", ")}`;
  }
  for (const key of Object.keys(figures).sort()) {
    if (!Number.isFinite(figures[key]) || figures[key] < 0) return `figures.${key} is not a number from 0 up`;
  }
  for (const key of WHOLE) if (!isCount(figures[key])) return `figures.${key} is not a whole number`;
  if (typeof r.qualifies !== "boolean") return "qualifies must be true or false";
  if (!Number.isFinite(r.score)) return "score is not a number";
  if (typeof r.checksum !== "string" || !/^[0-9a-f]{64}$/.test(r.checksum)) return "checksum is not 64 hexadecimal digits";
  return isTime(r.at) ? "" : "at is not an ISO 8601 time";
}

// "has an unknown field ..." / "has no field ...", or "": x must have exactly FIELDS[kind].
function fieldsProblem(x, kind) {
  const unknown = Object.keys(x).filter((key) => !FIELDS[kind].includes(key)).sort();
  if (unknown.length) return `has an unknown field ${show(unknown[0])}`;
  const missing = FIELDS[kind].filter((key) => !Object.hasOwn(x, key));
  return missing.length ? `has no field ${show(missing[0])}` : "";
}

// Is x nested more than `levels` deep (an object or array is one level)? Never looks further.
function deeperThan(x, levels) {
  if (typeof x !== "object" || x === null) return false;
  if (levels === 0) return true;
  return Object.values(x).some((item) => deeperThan(item, levels - 1));
}

const isObject = (x) => typeof x === "object" && x !== null && !Array.isArray(x);
const isCount = (x) => Number.isSafeInteger(x) && x >= 0;
const capital = (text) => text[0].toUpperCase() + text.slice(1);
// A value as a message quotes it: JSON (numbers as JavaScript writes them), at most 40 characters.
const show = (x) => excerpt(typeof x === "number" ? String(x) : JSON.stringify(x) ?? String(x));
const excerpt = (text, size = 40) => (text.length <= size ? text : `${text.slice(0, size)}…`);

// A full date and time with a time zone, as both Python's isoformat() and JS's toISOString() write.
const ISO = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d{1,6})?(Z|[+-](\d\d):(\d\d))$/;
// Each field checked as Python's datetime does (Date.parse accepts Feb 30 and 24:00, and
// Date.UTC reads years 0-99 as 1900-1999): years 1-9999, a real day, an offset under 24 hours.
function isTime(x) {
  const m = typeof x === "string" ? ISO.exec(x) : null;
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const [offsetHours, offsetMinutes] = [m[9], m[10]].map((part) => Number(part ?? 0));
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= days && hour <= 23 && minute <= 59
    && second <= 59 && offsetHours <= 23 && offsetMinutes <= 59;
}
