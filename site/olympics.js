// The Torch Olympics (module 20) in the browser: a submission record's checksum, qualification
// and score recomputed from its figures, as grader/tito/olympics.py does. The rules (EVENTS,
// FIGURES) come from course.json, which the build reads from module 20's curriculum file; the
// test vectors in tests/fixtures/olympics-checksums.json keep the two checksums in step.

export const WHOLE = ["bytes", "baseline_bytes"];  // figures that are whole numbers; every other one is a float
const TOLERANCE = 1e-12;  // how far a score may be from the one its figures give (module 20's check_submission)

// SHA-256 (hex) of the figures as Python's json.dumps(figures, sort_keys=True) writes them.
export async function checksum(figures) {
  const text = `{${Object.keys(figures).sort().map((key) =>
    `${JSON.stringify(key)}: ${WHOLE.includes(key) ? String(figures[key]) : pyFloat(figures[key])}`).join(", ")}}`;
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

// A float as Python's repr writes it: the shortest digits that read back the same (as JavaScript
// picks them), in fixed notation with at least ".0" from 1e-4 up to 1e16, else as 1.5e-05 / 1e+16.
export function pyFloat(x) {
  if (Object.is(x, -0)) return "-0.0";
  const [mantissa, power] = x.toExponential().split("e");
  const sign = x < 0 ? "-" : "", digits = mantissa.replace(/[-.]/g, ""), e = Number(power);
  if (e < -4 || e >= 16) {
    return `${sign}${digits[0]}${digits.length > 1 ? `.${digits.slice(1)}` : ""}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  }
  if (e < 0) return `${sign}0.${"0".repeat(-e - 1)}${digits}`;
  return `${sign}${digits.slice(0, e + 1).padEnd(e + 1, "0")}.${digits.slice(e + 1) || "0"}`;
}

export function qualifies(event, figures) {
  return Object.entries(event.floor).every(([key, value]) => figures[key] >= value)
    && Object.entries(event.ceiling).every(([key, value]) => figures[key] <= value);
}

// The figure the event ranks by; the All-Around's formula is module 20's.
export function score(name, event, figures) {
  if (name === "all_around") {
    return figures.accuracy * (figures.baseline_bytes / figures.bytes) ** 0.25 * (figures.baseline_latency_s / figures.latency_s) ** 0.25;
  }
  return figures[event.rank];
}

// Why a well-formed submission record (progress.js checked its form) does not follow from its
// figures, or "": in the order tito.olympics.forged checks.
export async function forged(record, course) {
  const name = record.id.slice("submission:".length), event = course.events[name];
  if (await checksum(record.figures) !== record.checksum) return "its figures do not match their checksum";
  if (record.qualifies !== qualifies(event, record.figures)) return "its qualification does not follow from its figures";
  const expected = score(name, event, record.figures);
  if (!Number.isFinite(expected)) return "its figures cannot be scored (a zero)";
  if (!(Math.abs(record.score - expected) <= TOLERANCE * Math.max(1, Math.abs(expected)))) return "its score does not follow from its figures";
  return "";
}

// Is score a better than b in this event?
export const beats = (event, a, b) => (event.best === "min" ? a < b : a > b);
