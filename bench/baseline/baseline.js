// Baseline for `cargo xtask bench`: the backend health table in plain JavaScript.
// It renders the same rows as LB Health's panel (instance, IP, state, reason with an
// info button) from the same health-result JSON, with a filter box and sortable
// columns, the way a careful hand-written page would: DOM built into a fragment and
// inserted once, one delegated listener, tooltips created on demand (not per row).
// `?page=N` shows N rows at a time with Previous/Next, as LB Health's panel pages its
// table; without it every row is in the table.
"use strict";

const PAGE = Math.max(0, parseInt(new URLSearchParams(location.search).get("page") || "0", 10) || 0);

// Portal texts of the reason codes (LB Health's catalog, src/health/catalog.rs).
const PORTAL = {
  Up_Probe_Success: "The backend instance is responding to health probe successfully.",
  Up_Probe_AllDownIsUp: "The backend instance is considered healthy due to enablement of NoHealthyBackendsBehavior.",
  Up_Probe_ApproachingUnhealthyThreshold: "Health probe is approaching an unhealthy threshold but backend instance remains healthy based on last response.",
  Up_Admin: "The backend instance is healthy due to Admin State set to Up.",
  Down_Probe_ApproachingHealthyThreshold: "Health probe is approaching a healthy threshold but backend instance remains unhealthy based on last response.",
  Down_Probe_HttpStatusCodeError: "A non-200 HTTP status code received; meaning there's an issue with the application listening on the port.",
  Down_Probe_HttpEndpointUnreachable: "HTTP endpoint unreachable; meaning either an NSG rule blocking port or unhealthy app listening on port.",
  Down_Probe_TcpProbeTimeout: "TCP probe timeout; meaning either unhealthy backend instance, blocked health probe port, or unhealthy app listening on port.",
  Down_Probe_NoHealthyBackend: "No healthy backend instances behind the regional load balancer.",
  Down_Admin: "The backend instance is unhealthy due to Admin State set to Down.",
  Down_Probe_HttpNoResponse: "Application isn't returning a response.",
  Up_Platform: "The backend instance is responding to the health probe successfully, but there may be an infrastructure related issue. The Azure service team is alerted and will resolve the issue.",
  Down_Platform: "The backend instance is unhealthy due to an infrastructure related issue. The Azure service team is alerted and will resolve the issue.",
};

function reasonText(code, state) {
  if (PORTAL[code]) return PORTAL[code];
  if (code === "NA") return "Not probed yet.";
  if (!code && !state) return "Health status not retrievable";
  if (!code) return "No reason given";
  return 'Unrecognised reason code "' + code + '"';
}

// As src/arm/id.rs instance_name: the VM scale set instance or the NIC without "-nic".
function instanceName(id, ip) {
  const segs = (id || "").split("/").filter(Boolean);
  const lower = segs.map((s) => s.toLowerCase());
  const nic = lower.indexOf("networkinterfaces");
  if (nic >= 0 && segs[nic + 1]) {
    const set = lower.indexOf("virtualmachinescalesets");
    const vm = lower.indexOf("virtualmachines");
    if (set >= 0 && vm >= 0 && segs[set + 1] && segs[vm + 1]) return segs[set + 1] + "_" + segs[vm + 1];
    const n = segs[nic + 1];
    return n.endsWith("-nic") && n.length > 4 ? n.slice(0, -4) : n;
  }
  const lb = lower.indexOf("loadbalancers");
  if (lb >= 0 && segs[lb + 1]) return segs[lb + 1];
  return ip || "Unknown instance";
}

function toRows(result) {
  return (result.loadBalancerBackendAddresses || []).map((b) => {
    const raw = b.state || "";
    const state = raw === "Up" || raw === "Down" ? raw : (b.reason || "").startsWith("Up_") ? "Up" : (b.reason || "").startsWith("Down_") ? "Down" : "Unknown";
    return { instance: instanceName(b.networkInterfaceIPConfigurationId, b.ipAddress), ip: b.ipAddress || "", state, reason: reasonText(b.reason || "", raw) };
  });
}

const ICON = { Up: "✔", Down: "✖", Unknown: "?" };
const COLUMNS = [["instance", "Backend instance"], ["ip", "IP address"], ["state", "State"], ["reason", "Reason"]];

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function rowElement(r) {
  const tr = document.createElement("tr");
  tr.appendChild(el("td", "", r.instance));
  tr.appendChild(el("td", "mono", r.ip || "—"));
  const st = el("td");
  const span = el("span", "state " + r.state.toLowerCase());
  const icon = el("span", "", ICON[r.state] + " ");
  icon.setAttribute("aria-hidden", "true");
  span.append(icon, r.state);
  st.appendChild(span);
  tr.appendChild(st);
  const reason = el("td", "reason");
  reason.appendChild(el("span", "", r.reason));
  const wrap = el("span", "tip-wrap");
  const info = el("button", "info");
  info.type = "button";
  info.setAttribute("aria-label", "Explain reason for " + r.instance);
  const i = el("span", "", "i");
  i.setAttribute("aria-hidden", "true");
  info.appendChild(i);
  wrap.appendChild(info);
  reason.appendChild(wrap);
  tr.appendChild(reason);
  return tr;
}

let source = null; // the JSON text, fetched once
let rows = [];
let view = { query: "", key: null, dir: 1, page: 0 };
let tbody = null;
let heads = [];
let showing = null;
let pager = null;

function renderBody() {
  const q = view.query.trim().toLowerCase();
  let shown = q ? rows.filter((r) => (r.instance + " " + r.ip + " " + r.state + " " + r.reason).toLowerCase().includes(q)) : rows.slice();
  if (view.key) {
    const k = view.key, d = view.dir;
    shown.sort((a, b) => (a[k] < b[k] ? -d : a[k] > b[k] ? d : 0));
  }
  const pages = PAGE ? Math.max(1, Math.ceil(shown.length / PAGE)) : 1;
  view.page = Math.min(view.page, pages - 1);
  const first = PAGE ? view.page * PAGE : 0;
  const visible = PAGE ? shown.slice(first, first + PAGE) : shown;
  const frag = document.createDocumentFragment();
  for (const r of visible) frag.appendChild(rowElement(r));
  tbody.replaceChildren(frag);
  showing.textContent = shown.length === 0 ? "No backend matches the filter."
    : "Showing " + (first + 1) + "–" + (first + visible.length) + " of " + shown.length + (shown.length < rows.length ? " (filtered from " + rows.length + ")" : "");
  pager.hidden = pages < 2;
  pager.querySelector("span").textContent = "Page " + (view.page + 1) + " of " + pages;
  pager.children[0].disabled = view.page === 0;
  pager.children[2].disabled = view.page + 1 >= pages;
  heads.forEach(([key, th]) => th.setAttribute("aria-sort", key === view.key ? (view.dir > 0 ? "ascending" : "descending") : "none"));
}

function openPanel() {
  const result = JSON.parse(source);
  rows = toRows(result);
  view = { query: "", key: null, dir: 1, page: 0 };
  const up = rows.filter((r) => r.state === "Up").length;
  const down = rows.filter((r) => r.state === "Down").length;

  const dialog = el("dialog", "panel");
  dialog.setAttribute("aria-labelledby", "panel-title");
  const head = el("div", "panel-head");
  const h2 = el("h2", "", "Load balancing rule health status");
  h2.id = "panel-title";
  const close = el("button", "", "Close");
  close.type = "button";
  close.addEventListener("click", () => dialog.close());
  const toolbar = el("div", "toolbar");
  toolbar.appendChild(close);
  head.append(h2, toolbar);
  dialog.appendChild(head);
  dialog.appendChild(el("p", "rule-name", "Rule rule-scale"));

  const counts = el("div", "counts");
  counts.setAttribute("role", "group");
  counts.setAttribute("aria-label", "Backend health summary");
  counts.append(el("span", "count up", up + " Up"), el("span", "count down", down + " Down"));
  if (rows.length - up - down > 0) counts.append(el("span", "count unknown", rows.length - up - down + " Unknown"));
  dialog.appendChild(counts);

  const filter = el("input");
  filter.type = "search";
  filter.setAttribute("aria-label", "Filter backends");
  filter.autocomplete = "off";
  filter.addEventListener("input", () => { view.query = filter.value; view.page = 0; renderBody(); });
  const p = el("p", "filter");
  p.appendChild(filter);
  dialog.appendChild(p);
  showing = el("p", "muted");
  showing.setAttribute("role", "status");
  dialog.appendChild(showing);

  const wrap = el("div", "table-wrap");
  const table = el("table", "grid health");
  table.appendChild(el("caption", "sr-only", "Backend instances"));
  const thead = el("thead");
  const hr = el("tr");
  heads = COLUMNS.map(([key, label]) => {
    const th = el("th");
    th.scope = "col";
    const b = el("button", "linklike", label);
    b.type = "button";
    b.dataset.key = key;
    th.appendChild(b);
    hr.appendChild(th);
    return [key, th];
  });
  thead.appendChild(hr);
  thead.addEventListener("click", (ev) => {
    const b = ev.target.closest("button");
    if (!b) return;
    view.dir = view.key === b.dataset.key ? -view.dir : 1;
    view.key = b.dataset.key;
    view.page = 0;
    renderBody();
  });
  table.appendChild(thead);
  tbody = el("tbody");
  table.appendChild(tbody);
  wrap.appendChild(table);
  dialog.appendChild(wrap);
  pager = el("nav", "pager");
  pager.setAttribute("aria-label", "Pages");
  const prev = el("button", "", "Previous page");
  const next = el("button", "", "Next page");
  prev.type = next.type = "button";
  prev.addEventListener("click", () => { view.page--; renderBody(); });
  next.addEventListener("click", () => { view.page++; renderBody(); });
  pager.append(prev, el("span"), next);
  dialog.appendChild(pager);
  dialog.addEventListener("close", () => dialog.remove());

  renderBody();
  document.body.appendChild(dialog);
  dialog.showModal();
}

fetch("health.json")
  .then((r) => (r.ok ? r.text() : Promise.reject(new Error("HTTP " + r.status))))
  .then((text) => {
    source = text;
    document.getElementById("status").textContent = "health.json: " + text.length + " bytes";
    const open = document.getElementById("open");
    open.disabled = false;
    open.addEventListener("click", openPanel);
  })
  .catch((e) => { document.getElementById("status").textContent = "Cannot load health.json: " + e.message; });
