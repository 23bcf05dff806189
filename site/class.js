// The class report (class.html): an instructor drops many learners' progress files and sees a
// table of learners by module and milestone (sortable, downloadable as CSV) and the Torch
// Olympics leaderboard. Each file is checked with the dashboard's import rules (progress.js),
// then for forgery against this site's course.json: a module's total must be the module's real
// number of checks, a milestone's gate its real gate, a submission's figures must give its
// checksum and score (olympics.js). A file failing any check is flagged with why, not counted.
import { MAX_BYTES, parseExport } from "./progress.js";
import { beats, forged } from "./olympics.js";

const $ = (id) => document.getElementById(id);
let course = null;
const learners = new Map();  // name (the file's name without .json) -> Map id -> record
const flagged = [];          // {name, why}
let sortBy = { column: 0, ascending: true };

async function main() {
  try {
    const response = await fetch("course.json");
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    course = await response.json();
  } catch (error) {
    $("course-error").textContent = `The course map (course.json) could not be loaded: ${error.message}. Build the site with: python -m lite build`;
    $("course-error").hidden = false;
    return;
  }
  $("choose").addEventListener("click", () => $("files").click());
  $("files").addEventListener("change", async (event) => {
    await add([...event.target.files]);
    event.target.value = "";  // choosing the same files again fires "change" again
  });
  const drop = $("drop");
  drop.addEventListener("dragover", (event) => { event.preventDefault(); drop.dataset.over = ""; });
  drop.addEventListener("dragleave", () => delete drop.dataset.over);
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    delete drop.dataset.over;
    add([...event.dataTransfer.files]);
  });
  $("csv").addEventListener("click", downloadCSV);
  $("choose").disabled = false;
  render();
}

// Read and check each file; a good one joins the table under its name, a bad one is flagged.
async function add(files) {
  for (const file of [...files].sort((a, b) => a.name.localeCompare(b.name))) {
    const name = file.name.replace(/\.json$/i, "");
    try {
      if (learners.has(name)) throw new Error(`A file named ${file.name} is already in the table.`);
      const records = parseExport(await file.slice(0, MAX_BYTES + 1).arrayBuffer(), course);
      const forgery = await forgeryIn(records);
      if (forgery) throw new Error(forgery);
      learners.set(name, new Map(records.map((record) => [record.id, record])));
    } catch (error) {
      flagged.push({ name: file.name, why: error.message });
    }
  }
  render();
}

// What in these (well-formed) records cannot be true of this course, or "".
async function forgeryIn(records) {
  for (const r of records) {
    const id = r.id.slice(r.id.indexOf(":") + 1);
    if (r.kind === "module" && r.last_result && r.last_result.total !== course.checks[id]) {
      return `Module ${id}'s result claims ${r.last_result.total} checks, but the module has ${course.checks[id]}.`;
    }
    if (r.kind === "milestone" && r.result && r.result.gate !== course.milestones[id].gate) {
      return `Milestone ${id}'s result claims the gate ${r.result.gate}, but its gate is ${course.milestones[id].gate}.`;
    }
    if (r.kind === "submission") {
      const why = await forged(r, course);
      if (why) return `The ${course.events[id].title} submission is forged: ${why}.`;
    }
  }
  return "";
}

// ---- the progress table ------------------------------------------------------------------------

// The columns: a heading, each learner's cell text and the value it sorts by.
function columns() {
  const modules = course.tier.flatMap((tier) => tier.modules).filter((id) => course.modules[id].source);
  const milestones = Object.keys(course.milestones).filter((id) => course.milestones[id].source);
  const completed = (records) => modules.filter((id) => records.get(`module:${id}`)?.status === "completed").length;
  return [
    { title: "Learner", text: (name) => name, key: (name) => name },
    { title: "Modules completed", text: (name, records) => String(completed(records)), key: (name, records) => completed(records) },
    ...modules.map((id) => ({
      title: id, label: `module ${id} ${course.modules[id].title}`,
      text: (name, records) => moduleCell(records.get(`module:${id}`)),
      key: (name, records) => {
        const result = records.get(`module:${id}`)?.last_result;
        return result ? result.passed / result.total : -1;
      },
    })),
    ...milestones.map((id) => ({
      title: `M${id}`, label: `milestone ${id} ${course.milestones[id].title}`,
      text: (name, records) => milestoneCell(records.get(`milestone:${id}`)),
      key: (name, records) => records.get(`milestone:${id}`)?.result?.value ?? -Infinity,
    })),
  ];
}

function moduleCell(record) {
  if (!record) return "";
  const result = record.last_result;
  const shown = record.status === "completed" ? "✓" : result ? `${result.passed}/${result.total}` : "started";
  return `${shown} (${record.attempts})`;
}

function milestoneCell(record) {
  if (!record?.result) return "";
  return `${record.passed ? "✓ " : ""}${record.result.value.toFixed(3)} (${record.attempts})`;
}

// The learners' rows, in the chosen order (ties by name).
function rows(cols) {
  const { column, ascending } = sortBy;
  const key = cols[column].key;
  return [...learners].sort(([a, ra], [b, rb]) => {
    const [x, y] = [key(a, ra), key(b, rb)];
    const order = typeof x === "string" ? x.localeCompare(y) : x - y;
    return (ascending ? order : -order) || a.localeCompare(b);
  }).map(([name, records]) => cols.map((col) => col.text(name, records)));
}

function render() {
  $("summary").textContent = `${learners.size + flagged.length} files read: ${learners.size} learners counted, `
    + `${flagged.length} flagged.`;
  $("flagged").replaceChildren(...flagged.map(({ name, why }) => el("li", {}, `${name}: ${why}`)));
  const cols = columns();
  const head = el("tr", {}, ...cols.map((col, i) => {
    const th = el("th", { scope: "col" }, el("button", { type: "button", "aria-label": `sort by ${col.label ?? col.title}` }, col.title));
    if (i === sortBy.column) th.setAttribute("aria-sort", sortBy.ascending ? "ascending" : "descending");
    th.firstChild.addEventListener("click", () => {
      sortBy = { column: i, ascending: i === sortBy.column ? !sortBy.ascending : true };
      render();
      $("progress").querySelectorAll("th button")[i].focus();  // the table is redrawn: keep the keyboard's place
    });
    return th;
  }));
  const body = rows(cols).map((cells) => el("tr", {}, el("th", { scope: "row" }, cells[0]), ...cells.slice(1).map((text) => el("td", {}, text))));
  $("progress").replaceChildren(el("thead", {}, head), el("tbody", {}, ...body));
  $("csv").disabled = learners.size === 0;
  renderLeaderboard();
}

// ---- the Torch Olympics leaderboard ------------------------------------------------------------

// Each learner's record per event is their best (tito keeps it so); the qualifying ones, best first.
function renderLeaderboard() {
  const head = el("tr", {}, ...["Event", "Rank", "Learner", "Score", "Model"].map((title) => el("th", { scope: "col" }, title)));
  const body = [];
  for (const [name, event] of Object.entries(course.events ?? {})) {
    const entries = [...learners].map(([learner, records]) => [learner, records.get(`submission:${name}`)])
      .filter(([, record]) => record?.qualifies)
      .sort(([a, x], [b, y]) => (beats(event, x.score, y.score) ? -1 : beats(event, y.score, x.score) ? 1 : a.localeCompare(b)));
    entries.forEach(([learner, record], i) => body.push(el("tr", {}, el("td", {}, event.title), el("td", {}, String(i + 1)),
      el("th", { scope: "row" }, learner), el("td", {}, String(record.score)), el("td", {}, record.description))));
  }
  $("leaderboard").replaceChildren(el("thead", {}, head), el("tbody", {}, ...body));
}

// ---- CSV ---------------------------------------------------------------------------------------

// The table as shown (same columns, same order), one learner a line.
function downloadCSV() {
  const cols = columns();
  const lines = [cols.map((col) => col.label ?? col.title), ...rows(cols)].map((cells) => cells.map(csvField).join(","));
  const blob = new Blob([lines.join("\r\n") + "\r\n"], { type: "text/csv" });
  const link = el("a", { href: URL.createObjectURL(blob), download: "tinytorch-class.csv" });
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
}

// A field quoted when it must be; one starting with = + - @ gets a ' so a spreadsheet never runs it.
function csvField(text) {
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);  // text goes in as text, never as HTML
  return node;
}

main();
