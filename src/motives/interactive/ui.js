/* motives appendix page: controls, display, and edits kept in the URL fragment. User text is set with
 * textContent only, never parsed as HTML. */
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("motives-data").textContent);
  const engine = window.motivesEngine;
  let edits = {};

  function el(tag, attrs, text) {
    const e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  function fmt(p) {
    if (p === 0) return "0";
    if (p < 0.001) return p.toExponential(1);
    if (p > 0.999 && p < 1) return "1 − " + (1 - p).toExponential(1);
    return (100 * p).toFixed(1) + "%";
  }
  // A probability at full precision, as a number field holds it and a reader reads it: the shortest text that
  // gives the same double back; below 0.001 in scientific notation (1e-6, never 0 or 0.000001).
  function num(x) {
    if (x === 0 || !isFinite(x)) return String(x);
    return Math.abs(x) < 1e-3 ? x.toExponential() : String(x);
  }
  // The log-odds scale of a probability slider: fine steps near 0 and 1 (0.999 and 0.9999 are far apart).
  const LOGIT_MAX = 14;
  function logit(p) {
    const t = Math.log(p / (1 - p));
    return Math.max(-LOGIT_MAX, Math.min(LOGIT_MAX, t));
  }
  function expit(t) {
    if (t <= -LOGIT_MAX) return 0;
    if (t >= LOGIT_MAX) return 1;
    return 1 / (1 + Math.exp(-t));
  }
  const hyp = data.hypotheses;
  const lensOf = function () { return edits.lens || data.default_lens; };

  // ------------------------------------------------------------------ edits <-> URL fragment
  function clean(e) {
    const out = {};
    Object.keys(e).forEach(function (k) {
      const v = e[k];
      if (v === undefined || v === null) return;
      if (typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 0) return;
      if (Array.isArray(v) && v.length === 0) return;
      out[k] = v;
    });
    if (out.lens === data.default_lens) delete out.lens;
    if (out.discount === 1) delete out.discount;
    return out;
  }
  function save() {
    edits = clean(edits);
    const frag = Object.keys(edits).length ? "#" + encodeURIComponent(JSON.stringify(edits)) : "";
    history.replaceState(null, "", location.pathname + location.search + frag);
  }
  // A link's edits are used only if they pass the rules Python's check_edits applies (engine.checkEdits):
  // otherwise the page says why, in a box at the top, and shows the author's numbers (a shared link cannot
  // make the page show what the case does not say).
  function load() {
    edits = {};
    refuse(null);
    if (location.hash.length > 1) {
      let e;
      try {
        e = JSON.parse(decodeURIComponent(location.hash.slice(1)));
      } catch (err) {
        refuse("its edits could not be read (" + err.message + ")");
        return;
      }
      const why = engine.checkEdits(data, e);
      if (why) refuse(why); else edits = e || {};
    }
  }
  function refuse(why) {
    const box = document.getElementById("refused");
    if (!why) { box.hidden = true; box.textContent = ""; return; }
    box.textContent = "";
    box.appendChild(el("strong", null, "This link's edits were refused: "));
    box.appendChild(document.createTextNode(why + ". The page shows the author's numbers."));
    box.hidden = false;
  }
  function status(msg) { document.getElementById("status").textContent = msg; }
  function tableRows(e) {
    return Object.keys(e.tables || {}).reduce(function (n, p) { return n + Object.keys(e.tables[p]).length; }, 0);
  }
  function setEdit(path, key, value) {
    if (!path) { edits[key] = value; } else {
      edits[path] = edits[path] || {};
      if (value === undefined) delete edits[path][key]; else edits[path][key] = value;
    }
    save();
    update();
  }

  // ------------------------------------------------------------------ building the page
  function build() {
    document.getElementById("title").textContent = data.case.title;
    document.getElementById("description").textContent = data.case.description || "";
    const lens = document.getElementById("lens");
    data.lenses.forEach(function (l) { lens.appendChild(el("option", { value: l.id }, l.name)); });
    lens.addEventListener("change", function () {
      // the rule of engine.switchLens (the widget's too): table edits go, the other edits stay
      const rows = tableRows(edits);
      edits = engine.switchLens(data, edits, lens.value);
      save();
      syncControls();
      update();
      status(rows ? "Lens switched: your " + rows + " edited table row" + (rows === 1 ? " was" : "s were") +
        " dropped (table values belong to the lens they were set under); the tables show this lens's values." : "");
    });
    const disc = document.getElementById("discount");
    disc.addEventListener("input", function () { setEdit(null, "discount", parseFloat(disc.value)); });
    document.getElementById("reset").addEventListener("click", function () {
      edits = {}; save(); refuse(null); syncControls(); update(); status("All edits cleared.");
    });
    document.getElementById("copy").addEventListener("click", function () {
      const url = location.href;
      if (navigator.clipboard) navigator.clipboard.writeText(url).then(function () { status("Link copied."); },
        function () { status("Copy this address: " + url); });
      else status("Copy this address: " + url);
    });
    const prior = document.getElementById("prior");
    hyp.forEach(function (h, k) {
      const id = "prior-" + k;
      const lab = el("label", { for: id }, h.label + " ");
      const inp = el("input", { type: "number", id: id, min: "0", step: "any", "data-h": h.id });
      inp.value = num(data.prior[k]);
      inp.addEventListener("change", function () {
        const v = parseFloat(inp.value);
        if (!(v >= 0)) { status("A prior weight must be a number ≥ 0."); return; }
        setEdit("prior", h.id, v);
      });
      lab.appendChild(inp);
      prior.appendChild(lab);
    });
    prior.appendChild(el("p", { class: "muted" }, "Relative weights: they are normalised to sum to 1."));
    buildTree();
    buildSources();
    rebuildLensParts();
  }

  const parentsOf = function (x) { return x.parents || [x.bears_on || "hypotheses"]; };
  const titleOf = function (id) {
    if (id === "hypotheses") return "the hypotheses";
    const p = data.propositions.find(function (q) { return q.id === id; });
    return p ? p.title : id;
  };
  const isTree = function () {
    return data.propositions.concat(data.items).every(function (x) { return parentsOf(x).length === 1; });
  };

  function buildTree() {
    const tree = document.getElementById("tree");
    if (!data.propositions.length) { document.getElementById("structure-section").hidden = true; return; }
    if (document.querySelector(".structure svg")) return;  // the figure is there
    const ul = el("ul", { class: "tree" });
    if (!isTree()) {
      // a network: each fact with what it depends on, then the items (parents before children)
      const line = function (x, what) {
        const ps = parentsOf(x);
        return what + (ps.length ? " ← " + ps.map(titleOf).join("; ") : " (a root fact: nothing in the case causes it)");
      };
      data.propositions.forEach(function (p) {
        ul.appendChild(el("li", null, line(p, p.title + " [" + p.states.join(" / ") + "]" +
          (p.observed ? " — observed: " + p.observed : ""))));
      });
      data.items.forEach(function (i) { ul.appendChild(el("li", null, line(i, "Item: " + i.title))); });
      tree.appendChild(ul);
      return;
    }
    const root = el("li", null, "Hypotheses: " + hyp.map(function (h) { return h.label; }).join(", "));
    const sub = el("ul", { class: "tree" });
    function add(parentId, list) {
      data.propositions.filter(function (p) { return parentsOf(p)[0] === parentId; }).forEach(function (p) {
        const li = el("li", null, p.title + " [" + p.states.join(" / ") + "]" + (p.observed ? " — observed: " + p.observed : ""));
        const inner = el("ul", { class: "tree" });
        add(p.id, inner);
        data.items.filter(function (i) { return parentsOf(i)[0] === p.id; }).forEach(function (i) {
          inner.appendChild(el("li", null, i.title));
        });
        li.appendChild(inner);
        list.appendChild(li);
      });
    }
    add("hypotheses", sub);
    root.appendChild(sub);
    ul.appendChild(root);
    tree.appendChild(ul);
  }

  function buildSources() {
    const outer = document.getElementById("sources");
    const used = data.sources.filter(function (s) { return s.items > 0; });
    if (!used.length) { document.getElementById("sources-section").hidden = true; return; }
    const box = el("details");
    box.appendChild(el("summary", null, used.length + " reporting source(s) with a judged reliability: open to set one"));
    outer.appendChild(box);
    used.forEach(function (s) {
      const k = data.sources.indexOf(s);
      const id = "rel-" + k;
      const own = s.concentration === null ? "reliability " + num(s.mean) : "reliability about " + num(s.mean) +
        " (uncertain, concentration " + num(s.concentration) + ")";
      const wrap = el("div");
      wrap.appendChild(el("h3", null, s.key));
      wrap.appendChild(el("p", { class: "muted" }, (s.description ? s.description + " — " : "") + "as judged: " + own +
        "; " + s.items + " item(s)."));
      // the number is the judgement, at full precision; the slider only moves it (on the log-odds scale)
      const field = el("input", { type: "number", id: id, min: "0", max: "1", step: "any", "data-source": s.key,
                                  "aria-label": "Reliability of " + s.key });
      field.value = num(s.mean);
      const slider = el("input", { type: "range", id: id + "-slider", min: String(-LOGIT_MAX), max: String(LOGIT_MAX),
                                   step: "0.01", "data-source-slider": s.key,
                                   "aria-label": "Reliability of " + s.key + " on the log-odds scale" });
      slider.value = String(logit(s.mean));
      const chk = el("input", { type: "checkbox", id: id + "-on", "data-source-on": s.key });
      const chkl = el("label", { for: id + "-on" }, " use my value");
      const set = function (v) {  // v: the number in the field (exactly as typed or as the slider set it)
        if (chk.checked && !(v === s.mean && s.concentration !== null)) setEdit("reliability", s.key, v);
        else setEdit("reliability", s.key, undefined);
        if (chk.checked && v === s.mean && s.concentration !== null) {
          status("Your value for " + s.key + " is the judged mean: the judged uncertainty is kept until you change it.");
        }
      };
      slider.addEventListener("input", function () {
        const v = expit(parseFloat(slider.value));
        field.value = num(v);
        chk.checked = true;
        set(v);
      });
      field.addEventListener("change", function () {
        const v = parseFloat(field.value);
        if (!(v >= 0 && v <= 1)) { status("A reliability must be a number from 0 to 1."); return; }
        slider.value = String(logit(v));
        chk.checked = true;
        set(v);
      });
      chk.addEventListener("change", function () { set(parseFloat(field.value)); });
      const lab = el("label", { for: id }, "Your value: ");
      wrap.appendChild(lab);
      wrap.appendChild(field);
      wrap.appendChild(slider);
      wrap.appendChild(chk);
      wrap.appendChild(chkl);
      wrap.appendChild(el("p", { class: "muted" }, "The slider is on the log-odds scale: each step near 0 or 1 " +
        "is a small change in the probability (0.99, 0.999 and 0.9999 are far apart on it)."));
      box.appendChild(wrap);
    });
  }

  function propRows(p) {
    const E = data.engine[lensOf()];
    return E.props.find(function (q) { return q.id === p.id; }).table;
  }

  let tablesBuilt = 0;
  function rebuildLensParts() {
    const L = data.lenses.find(function (l) { return l.id === lensOf(); });
    document.getElementById("lens-desc").textContent = L ? L.description : "";
    // proposition tables
    const built = ++tablesBuilt;
    const box = document.getElementById("props");
    box.textContent = "";
    if (!data.propositions.length) document.getElementById("props-section").hidden = true;
    data.propositions.forEach(function (p, pi) {
      const wrap = el("div");
      wrap.appendChild(el("h3", null, p.title));
      if (p.quote) wrap.appendChild(el("blockquote", null, p.quote));
      cite(wrap, p);
      const r = p.rationale[lensOf()];
      if (r) { const d = el("details"); d.appendChild(el("summary", null, "Rationale (" + lensOf() + ")"));
        d.appendChild(el("p", null, r)); wrap.appendChild(d); }
      const ps = parentsOf(p);
      if (!ps.length) wrap.appendChild(el("p", { class: "muted" }, "A root fact: nothing in the case causes it; " +
        "its one row is its prior."));
      if (p.observed) wrap.appendChild(el("p", { class: "muted" }, "Observed: " + p.observed + " (a hard finding)."));
      const t = el("table", { class: "tbl" });
      const given = ps.map(function (b) { return b === "hypotheses" ? "hypothesis" : b; }).join(", ");
      const cap = el("caption", { class: "sr" }, (ps.length ? "P(state | " + given + ")" : "P(state), its prior") + " for " + p.id);
      t.appendChild(cap);
      const head = el("tr");
      const ifs = ps.length === 0 ? "" : ps.length === 1 && ps[0] === "hypotheses" ? "if" : "if " + given + (ps.length > 1 ? " are" : " is");
      head.appendChild(el("th", { scope: "col" }, ifs));
      p.states.forEach(function (s) { head.appendChild(el("th", { scope: "col" }, "P(" + s + ")")); });
      t.appendChild(head);
      const rows = propRows(p);
      const ed = (edits.tables || {})[p.id] || {};
      p.parent_values.forEach(function (v, vi) {
        const tr = el("tr");
        const name = p.parent_labels ? p.parent_labels[vi] : v;
        tr.appendChild(el("th", { scope: "row" }, name));
        const row = ed[v] || rows[vi];
        p.states.forEach(function (s, si) {
          const td = el("td");
          const id = "t-" + pi + "-" + vi + "-" + si;
          const inp = el("input", { type: "number", id: id, min: "0", max: "1", step: "any",
                                    "aria-label": "P(" + s + " | " + name + ") in " + p.id,
                                    "data-prop": p.id, "data-parent": v, "data-state": s });
          inp.value = num(+row[si]);
          inp.addEventListener("change", function () {
            // a field of tables since rebuilt (a lens switch while it had focus) fires "change" as it goes: its
            // value belongs to the tables that were, not to the edits now
            if (built !== tablesBuilt) return;
            const vals = Array.prototype.map.call(tr.querySelectorAll("input"), function (x) { return parseFloat(x.value); });
            if (vals.some(function (x) { return !(x >= 0); })) { status("Table entries must be numbers ≥ 0."); return; }
            if (p.states.length === 2 && si === 0) { vals[1] = Math.max(0, 1 - vals[0]); tr.querySelectorAll("input")[1].value = num(vals[1]); }
            if (p.states.length === 2 && si === 1) { vals[0] = Math.max(0, 1 - vals[1]); tr.querySelectorAll("input")[0].value = num(vals[0]); }
            edits.tables = edits.tables || {};
            edits.tables[p.id] = edits.tables[p.id] || {};
            edits.tables[p.id][v] = vals;
            save(); update();
          });
          td.appendChild(inp);
          tr.appendChild(td);
        });
        t.appendChild(tr);
      });
      wrap.appendChild(t);
      wrap.appendChild(el("p", { class: "muted" }, "Rows are normalised to sum to 1."));
      box.appendChild(wrap);
    });
    buildLedger();
  }

  function cite(wrap, x) {
    const bits = [];
    if (x.footnotes && x.footnotes.length) bits.push("fn. " + x.footnotes.join(", "));
    (x.sources || []).forEach(function (s) { bits.push(s.text); });
    if (bits.length) wrap.appendChild(el("p", { class: "muted" }, "Source: " + bits.join("; ")));
  }

  function buildLedger() {
    const t = document.getElementById("ledger");
    t.textContent = "";
    const woe = data.woe[lensOf()] || {};
    document.getElementById("woe-target").textContent = data.target.label;
    document.getElementById("woe-missing").hidden = !woe.__unavailable__;
    const head = el("tr");
    ["Item", "Quote and source", "Weight (dB)", "Factor on its weight", "Include"].forEach(function (h, i) {
      head.appendChild(el("th", { scope: "col", class: i === 1 ? "q" : "" }, h));
    });
    t.appendChild(head);
    const key = function (i) { return parentsOf(i).join("\u0000"); };
    const groups = [["hypotheses", "Items that bear on the hypotheses directly"]].concat(
      data.propositions.map(function (p) { return [p.id, "Under: " + p.title]; }));
    data.items.forEach(function (i) {  // items of several parents: one group per set of parents
      const k = key(i);
      if (parentsOf(i).length > 1 && !groups.some(function (g) { return g[0] === k; })) {
        groups.push([k, "Under: " + parentsOf(i).map(titleOf).join(" and ")]);
      }
    });
    groups.forEach(function (g) {
      const items = data.items.filter(function (i) { return key(i) === g[0]; });
      if (!items.length) return;
      const gr = el("tr", { class: "group" });
      gr.appendChild(el("th", { colspan: "5", scope: "colgroup" }, g[1]));
      t.appendChild(gr);
      items.forEach(function (it, n) {
        const tr = el("tr", { "data-item": it.id });
        const c1 = el("td");
        c1.appendChild(el("strong", null, it.title));
        c1.appendChild(el("div", { class: "muted" }, it.id + (it.date ? " · " + it.date : "") + " · " + it.kind));
        const r = it.rationale[lensOf()];
        if (r) { const d = el("details"); d.appendChild(el("summary", null, "Rationale")); d.appendChild(el("p", null, r)); c1.appendChild(d); }
        tr.appendChild(c1);
        const c2 = el("td", { class: "q" });
        if (it.quote) c2.appendChild(el("blockquote", null, it.quote));
        cite(c2, it);
        tr.appendChild(c2);
        const w = woe[it.id];
        tr.appendChild(el("td", { class: "num" }, w === undefined || w === null ? "—" : (w >= 0 ? "+" : "") + w.toFixed(1)));
        const c4 = el("td");
        const id = "w-" + it.id;
        const out = el("output", { for: id });
        const inp = el("input", { type: "range", id: id, min: "0", max: "2", step: "0.05",
                                  "aria-label": "Factor on the weight of " + it.title, "data-weight": it.id });
        const cur = (edits.weights || {})[it.id];
        inp.value = String(cur === undefined ? 1 : cur);
        out.textContent = "×" + (+inp.value).toFixed(2);
        inp.addEventListener("input", function () {
          out.textContent = "×" + (+inp.value).toFixed(2);
          setEdit("weights", it.id, parseFloat(inp.value) === 1 ? undefined : parseFloat(inp.value));
        });
        c4.appendChild(inp);
        c4.appendChild(out);
        tr.appendChild(c4);
        const c5 = el("td");
        const chk = el("input", { type: "checkbox", "aria-label": "Include " + it.title, "data-include": it.id });
        chk.checked = (edits.drop || []).indexOf(it.id) < 0;
        chk.addEventListener("change", function () {
          const d = new Set(edits.drop || []);
          if (chk.checked) d.delete(it.id); else d.add(it.id);
          edits.drop = Array.from(d);
          save(); update();
        });
        c5.appendChild(chk);
        tr.appendChild(c5);
        t.appendChild(tr);
      });
    });
  }

  function syncControls() {
    document.getElementById("lens").value = lensOf();
    const d = edits.discount == null ? 1 : edits.discount;
    document.getElementById("discount").value = String(d);
    document.getElementById("discount-out").textContent = (+d).toFixed(2);
    document.querySelectorAll("input[data-h]").forEach(function (inp) {
      const k = hyp.findIndex(function (h) { return h.id === inp.getAttribute("data-h"); });
      const v = (edits.prior || {})[inp.getAttribute("data-h")];
      inp.value = v === undefined ? num(data.prior[k]) : num(v);
    });
    document.querySelectorAll("input[data-source]").forEach(function (inp) {
      const key = inp.getAttribute("data-source");
      const v = (edits.reliability || {})[key];
      const s = data.sources.find(function (x) { return x.key === key; });
      const x = v === undefined ? s.mean : v;
      inp.value = num(x);
      const sl = document.querySelector("input[data-source-slider='" + CSS.escape(key) + "']");
      if (sl) sl.value = String(logit(x));
      document.querySelector("input[data-source-on='" + CSS.escape(key) + "']").checked = v !== undefined;
    });
    rebuildLensParts();
  }

  // ------------------------------------------------------------------ the credences
  const baseCache = {};
  function update() {
    let res;
    const base = baseCache[lensOf()] || (baseCache[lensOf()] = engine.posterior(data, { lens: lensOf() }));
    try { res = engine.posterior(data, edits); } catch (err) { status("Could not compute: " + err.message); return; }
    if (!hyp.every(function (h) { return isFinite(res.hypotheses[h.id]); })) {
      status("These edits leave every hypothesis with probability 0 (no credences to show): undo the last edit, " +
        "or reset.");
      return;
    }
    document.getElementById("discount-out").textContent = (+(edits.discount == null ? 1 : edits.discount)).toFixed(2);
    const t = document.getElementById("credences");
    t.textContent = "";
    function row(label, p, p0, cls) {
      const tr = el("tr");
      tr.appendChild(el("td", { class: "name" }, label));
      const td = el("td", { class: "barcell" });
      const bar = el("div", { class: "bar " + cls, role: "img", "aria-label": label + ": " + fmt(p), title: num(p) });
      bar.style.width = (100 * p).toFixed(2) + "%";
      td.appendChild(bar);
      const b0 = el("div", { class: "bar base", "aria-hidden": "true" });
      b0.style.width = (100 * p0).toFixed(2) + "%";
      td.appendChild(b0);
      tr.appendChild(td);
      tr.appendChild(el("td", { class: "num", "data-credence": label }, fmt(p)));
      return tr;
    }
    hyp.forEach(function (h) { t.appendChild(row(h.label, res.hypotheses[h.id], base.hypotheses[h.id], "hyp")); });
    const withFamilies = data.families.length < hyp.length;  // each family one hypothesis: no family rows
    if (withFamilies) {
      data.families.forEach(function (f) { t.appendChild(row(f.label, res.families[f.id], base.families[f.id], "family")); });
    }
    document.getElementById("cred-note").textContent = (withFamilies ? "Dark bars: hypotheses; hatched bars: " +
      "families. " : "") + "The thin grey bar is the case's own answer under this lens, before your edits.";
    const tp = data.target.hypotheses.reduce(function (a, h) { return a + res.hypotheses[h]; }, 0);
    const tp0 = data.target.hypotheses.reduce(function (a, h) { return a + base.hypotheses[h]; }, 0);
    const tl = document.getElementById("target-line");
    // the credence shown is the one with the reader's edits; the case's own is named beside it when they differ
    tl.textContent = "Target" + (data.target.from_spec ? " (the analysis spec's)" : " (the leading " + data.target.level +
      " before your edits, as in the report)") + ": " + data.target.label + ", credence " + fmt(tp) +
      (fmt(tp) === fmt(tp0) ? "" : " with your edits (" + fmt(tp0) + " before them)") + ".";
    tl.setAttribute("data-target", data.target.name);
    tl.title = "P(" + data.target.label + ") = " + num(tp);
    // every number field wide enough to show its value whole (0.3333333333333333 is not cut to 0.3333)
    document.querySelectorAll("input[type=number]").forEach(function (inp) {
      inp.style.width = Math.max(7, inp.value.length + 3) + "ch";
    });
    window.motives.last = res;
  }

  // ------------------------------------------------------------------ the reader's lens file
  // The same file as motives.interactive.lens_file_from_edits (see motives.lensfile for the format).
  function readerLensId(name) {
    const slug = (name || "").toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "").slice(0, 40)
      .replace(/^_+|_+$/g, "");
    const base = slug ? "reader_" + slug : "reader";
    let id = base;
    for (let n = 2; data.lens_ids.indexOf(id) >= 0; n++) id = base + "_" + n;
    return id;
  }
  function lensFile(name) {
    const lens = lensOf();
    const E = data.engine[lens];
    const w = edits.weights || {};
    const d = edits.discount == null ? 1 : edits.discount;
    const drop = new Set(edits.drop || []);
    const g = function (id) { return (w[id] === undefined ? 1 : w[id]) * d; };
    const changed = {};
    const rows = [];
    const cannotDrop = [];
    E.direct.items.forEach(function (id, i) { rows.push([id, E.direct.lam[i], E.direct.base[i]]); });
    E.props.forEach(function (p) { p.items.forEach(function (id, i) { rows.push([id, p.lam[i], p.base[i]]); }); });
    (E.joint || []).forEach(function (j) { rows.push([j.id, j.lam, j.base]); });
    rows.forEach(function (r) {
      const id = r[0];
      let row;
      if (drop.has(id)) {
        // says nothing, also through its source: x * b + (1 - x) * b = b for every reliability x
        const it = data.items.find(function (x) { return x.id === id; });
        if (r[2] === 0 && it.reported_by) { cannotDrop.push(id); return; }
        row = r[1].map(function () { return r[2] === null ? 1 : r[2]; });
      } else if (g(id) !== 1) row = r[1].map(function (l) { return l > 0 ? Math.exp(g(id) * Math.log(l)) : 0; });
      else return;
      const keys = data.items.find(function (x) { return x.id === id; }).parent_values;
      const v = {};
      keys.forEach(function (k, i) { v[k] = row[i]; });
      changed[id] = { values: v };
    });
    const tables = edits.tables || {};
    Object.keys(tables).forEach(function (pid) {
      const info = data.propositions.find(function (q) { return q.id === pid; });
      const p = E.props.find(function (q) { return q.id === pid; });
      const t = {};
      info.parent_values.forEach(function (k, vi) {
        const r = tables[pid][k] || p.table[vi];
        let s = 0;
        for (const x of r) s += x;
        const row = {};
        p.states.forEach(function (st, si) { row[st] = r[si] / s; });
        t[k] = row;
      });
      changed[pid] = { values: t };
    });
    const other = E.other.items.slice();
    E.props.forEach(function (p) { p.other_items.forEach(function (id) { other.push(id); }); });
    const cj = {};  // the reader's prior and reliabilities: the case's judgements, applied by add-lens
    if (edits.prior && Object.keys(edits.prior).length) cj.prior = Object.assign({}, edits.prior);
    if (edits.reliability && Object.keys(edits.reliability).length) cj.reliability = Object.assign({}, edits.reliability);
    const na = {};
    const ow = {};
    other.forEach(function (id) { if (!drop.has(id) && g(id) !== 1) ow[id] = g(id); });
    if (Object.keys(ow).length) na.weights = ow;
    const od = other.filter(function (id) { return drop.has(id); }).concat(cannotDrop);
    if (od.length) na.drop = od;
    const ids = data.propositions.map(function (p) { return p.id; }).concat(data.items.map(function (i) { return i.id; }));
    const L = { id: readerLensId(name) };
    if (name) L.name = name;
    return { motives: "lens file", case: data.case.name, based_on: lens, lens: L, changed: changed,
             unchanged: ids.filter(function (i) { return !Object.prototype.hasOwnProperty.call(changed, i); }),
             case_judgements: cj, not_applied: na };
  }
  // YAML in block style; every key and string double-quoted (JSON's escapes are YAML's), numbers at full
  // precision (the shortest text that reads back as the same double).
  function toYaml(x, pad) {
    pad = pad || "";
    const scalar = function (v) { return typeof v === "number" ? String(v) : JSON.stringify(v); };
    if (Array.isArray(x)) {
      if (!x.length) return " []";
      return x.map(function (v) { return "\n" + pad + "- " + scalar(v); }).join("");
    }
    if (x !== null && typeof x === "object") {
      const keys = Object.keys(x);
      if (!keys.length) return " {}";
      return keys.map(function (k) {
        const v = x[k];
        const nested = v !== null && typeof v === "object";
        return "\n" + pad + JSON.stringify(k) + ":" + (nested ? toYaml(v, pad + "  ") : " " + scalar(v));
      }).join("");
    }
    return " " + scalar(x);
  }
  function lensYaml(name) {
    const lf = lensFile(name);
    return "# A reader's judgements on the case '" + data.case.name + "', from its interactive appendix.\n" +
      "# Add them to the case as a new lens: motives add-lens CASE_FOLDER " + lf.lens.id + ".yaml\n" +
      "# changed: every judgement changed here (whole tables); unchanged: the judgements of lens based_on, as\n" +
      "# they are; case_judgements: your prior and source reliabilities, which belong to the case (add-lens\n" +
      "# applies them to the new case folder: every lens of it, and a pool of them, is analysed under them);\n" +
      "# not_applied: edits no lens can hold (recorded, not applied)." +
      toYaml(lf, "") + "\n";
  }
  document.getElementById("download").addEventListener("click", function () {
    const name = document.getElementById("reader-name").value.trim();
    const text = lensYaml(name);
    const a = el("a", { download: readerLensId(name) + ".yaml" });
    a.href = URL.createObjectURL(new Blob([text], { type: "application/yaml" }));
    document.body.appendChild(a);
    a.click();
    a.remove();
    status("Downloaded " + a.download + ": send it to the author, who adds it with motives add-lens.");
  });

  window.motives = {
    lensFile: lensFile,
    lensYaml: lensYaml,
    posterior: function (e) { return engine.posterior(data, e || {}); },
    edits: function () { return JSON.parse(JSON.stringify(edits)); },
    data: data,
    last: null,
  };
  load();
  build();
  syncControls();
  update();
  window.addEventListener("hashchange", function () { load(); syncControls(); update(); });
})();
