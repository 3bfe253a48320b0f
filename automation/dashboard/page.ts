/**
 * The dashboard page: one self-contained document (inline style and script, no external resource,
 * see the server's content security policy). It reads `/api/state`, then follows `/events`
 * (server-sent events) and redraws. Everything from the state is inserted as text, never as HTML.
 * Elements carry data-* attributes so a browser test can read what a person sees.
 */
export const DASHBOARD_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Contoso Shoes releases</title>
<style>
  body { font: 14px system-ui, sans-serif; margin: 1.5rem; color: #1b1b1b; background: #fafafa; }
  h1 { font-size: 1.3rem; margin: 0 0 .25rem; }
  h2 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; }
  .muted { color: #666; }
  section.env { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 1rem; margin-bottom: 1rem; }
  .phase { font-weight: 600; }
  .bar { display: flex; height: 22px; width: 100%; max-width: 640px; border-radius: 4px; overflow: hidden; border: 1px solid #ccc; margin: 2px 0 6px; }
  .bar span { display: flex; align-items: center; justify-content: center; color: #fff; font-size: 12px; white-space: nowrap; overflow: hidden; }
  .r0 { background: #2f6fb5; } .r1 { background: #2e9d5b; } .r2 { background: #b5762f; } .r3 { background: #8a4fb5; }
  table { border-collapse: collapse; margin-top: .5rem; }
  td, th { padding: 2px 10px 2px 0; text-align: left; vertical-align: top; }
  .Healthy { color: #1d7a3f; } .Degraded { color: #a86b00; } .Unhealthy, .unreachable { color: #b3261e; }
  ol.timeline { margin: .25rem 0; padding-left: 1.2rem; }
</style>
</head>
<body>
<h1>Contoso Shoes releases</h1>
<div class="muted">read-only view of <span id="updated">…</span> · <span id="connection">connecting</span></div>
<div id="environments"></div>
<script>
const el = (tag, attrs = {}, text) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = String(text);
  return e;
};
const colour = new Map();
const classOf = (release) => {
  if (!colour.has(release)) colour.set(release, "r" + (colour.size % 4));
  return colour.get(release);
};
function render(state) {
  document.getElementById("updated").textContent = new Date(state.at).toLocaleTimeString();
  const root = document.getElementById("environments");
  root.replaceChildren();
  for (const v of state.environments) {
    const s = el("section", { class: "env", "data-env": v.env, "data-phase": v.phase, "data-live": v.liveRelease ?? "" });
    s.append(el("h2", {}, v.env));
    const head = el("div");
    head.append(el("span", { class: "phase" }, v.phase));
    head.append(document.createTextNode(" · live release " + (v.liveRelease ?? "none")));
    if (v.release) head.append(document.createTextNode(" · release " + v.release + (v.greenPercent !== null ? " at " + v.greenPercent + "% on green" : "") + (v.startedAt ? " since " + new Date(v.startedAt).toLocaleTimeString() : "")));
    s.append(head);
    s.append(el("h3", {}, "Traffic split"));
    if (v.split.length === 0) s.append(el("div", { class: "muted" }, "no origins"));
    for (const region of v.split) {
      s.append(el("div", {}, region.region));
      const bar = el("div", { class: "bar split", "data-region": region.region });
      for (const share of region.shares) {
        if (share.percent <= 0) continue;
        const part = el("span", { class: classOf(share.release), style: "width:" + share.percent + "%", "data-release": share.release, "data-percent": share.percent, title: share.stamp }, share.release + " " + share.percent + "%");
        bar.append(part);
      }
      s.append(bar);
    }
    s.append(el("h3", {}, "Stamps"));
    const names = [...new Set(v.stamps.flatMap((st) => st.components.map((c) => c.name)))];
    const t = el("table");
    const hr = el("tr");
    for (const h of ["region", "release", "stamp", "serving", "gate", "health", ...names]) hr.append(el("th", {}, h));
    t.append(hr);
    for (const st of [...v.stamps].sort((a, b) => (a.region + a.release).localeCompare(b.region + b.release))) {
      const tr = el("tr", { "data-stamp": st.stack, "data-health": st.health });
      for (const c of [st.region, st.release, st.stack, st.serving ? "yes" : "no", st.gate]) tr.append(el("td", {}, c));
      tr.append(el("td", { class: st.health.replace(/\\s/g, "") }, st.health));
      for (const n of names) {
        const c = st.components.find((x) => x.name === n);
        tr.append(el("td", { class: c ? c.status : "", "data-component": n }, c ? c.status : "-"));
      }
      t.append(tr);
    }
    s.append(t);
    const entries = state.timeline.filter((e) => e.env === v.env);
    if (entries.length > 0) {
      s.append(el("h3", {}, "Timeline (as observed)"));
      const ol = el("ol", { class: "timeline" });
      for (const e of entries.slice(-12)) ol.append(el("li", {}, new Date(e.at).toLocaleTimeString() + " " + e.phase + (e.release ? " " + e.release : "") + (e.greenPercent !== null ? " " + e.greenPercent + "%" : "")));
      s.append(ol);
    }
    root.append(s);
  }
}
fetch("/api/state").then((r) => r.json()).then(render).catch(() => undefined);
const events = new EventSource("/events");
events.onopen = () => (document.getElementById("connection").textContent = "live");
events.onerror = () => (document.getElementById("connection").textContent = "reconnecting");
events.onmessage = (m) => render(JSON.parse(m.data));
</script>
</body>
</html>
`;
