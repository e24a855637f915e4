/* motives what-if widget: the anywidget front end of motives.interactive.explore.Explorer.
 *
 * It computes with the appendix's own engine (engine.js, prepended to this module by explore.py, so the page
 * and the widget share one engine) on the arrays in the model's "data", under the edits in "edits" (the edit
 * set of motives.interactive, the same keys and meaning). Every control writes "edits" back to the model
 * (Python validates them and recomputes its own reference result); what this engine computed is written to
 * "computed" with the edits it was computed for. Values are kept and shown at full precision in the inputs;
 * the result table prints 4 significant digits and carries the full value in data-value and its tooltip.
 * Text from the case goes in through textContent only, never as HTML.
 */
const engine = globalThis.motivesEngine;

function h(tag, attrs, text) {
  const e = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([k, v]) => {
    if (k === "class") e.className = v;
    else e.setAttribute(k, v);
  });
  if (text !== undefined) e.textContent = text;
  return e;
}

function fmt(x) {
  if (x === 0) return "0";
  return Number(x.toPrecision(4)).toString();
}

function shown(x) {
  // what an input shows: 12 significant digits (0.45, not 0.44999999999999996); the state keeps the full value,
  // and a value the reader has not typed is never read back from an input
  return String(Number(Number(x).toPrecision(12)));
}

function clone(x) {
  return JSON.parse(JSON.stringify(x || {}));
}

function clean(e, data) {
  // drop what is the default, so "edits" lists only what the reader changed
  const out = {};
  Object.entries(e).forEach(([k, v]) => {
    if (v === undefined || v === null) return;
    if (typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 0) return;
    if (Array.isArray(v) && v.length === 0) return;
    out[k] = v;
  });
  if (out.discount === 1) delete out.discount;
  if (out.lens === undefined) out.lens = data.default_lens;
  return out;
}

function numberInput(value, min, max, cls, onChange) {
  const inp = h("input", { type: "number", step: "any", min: String(min), max: String(max), class: cls });
  inp.value = shown(value);
  inp.addEventListener("change", () => {
    const v = Number(inp.value);
    if (inp.value === "" || !Number.isFinite(v) || v < min || v > max) {
      inp.setCustomValidity("a number in [" + min + ", " + max + "]");
      inp.reportValidity();
      return;
    }
    inp.setCustomValidity("");
    onChange(v);
  });
  return inp;
}

function render({ model, el }) {
  const data = model.get("data");
  const root = h("div", { class: "motives-explorer" });
  el.appendChild(root);
  let edits = clean(clone(model.get("edits")), data);

  const lensOf = () => edits.lens || data.default_lens;
  const propIndex = (pid) => data.engine[lensOf()].props.findIndex((p) => p.id === pid);

  function commit(next) {
    edits = clean(next, data);
    model.set("edits", edits);
    model.save_changes();
    refresh();
  }
  function setKey(key, id, value) {
    const next = clone(edits);
    next[key] = Object.assign({}, next[key] || {});
    if (value === undefined) delete next[key][id];
    else next[key][id] = value;
    commit(next);
  }

  // ------------------------------------------------------------------ controls
  const head = h("div", { class: "mx-head" });
  root.appendChild(head);
  const lensSel = h("select", { class: "mx-lens", "aria-label": "lens" });
  data.lenses.forEach((l) => lensSel.appendChild(h("option", { value: l.id }, l.name)));
  lensSel.addEventListener("change", () => {
    // the rule of engine.switchLens (the appendix page's too): the table edits go (the tables now show the new
    // lens's own values); the prior, weights, dropped items, reliabilities and discount stay
    const rows = Object.values(edits.tables || {}).reduce((n, r) => n + Object.keys(r).length, 0);
    commit(engine.switchLens(data, edits, lensSel.value));
    note.textContent = rows ? "Lens switched: " + rows + " edited table row" + (rows === 1 ? " was" : "s were") +
      " dropped (table values belong to the lens they were set under)." : "";
  });
  const lensLabel = h("label", {}, "Lens ");
  lensLabel.appendChild(lensSel);
  head.appendChild(lensLabel);
  const discount = numberInput(edits.discount === undefined ? 1 : edits.discount, 0, 1, "mx-discount", (v) => {
    const next = clone(edits);
    next.discount = v;
    commit(next);
  });
  const dLabel = h("label", {}, " Discount on all evidence ");
  dLabel.appendChild(discount);
  head.appendChild(dLabel);
  const reset = h("button", { type: "button", class: "mx-reset" }, "Reset");
  reset.addEventListener("click", () => { note.textContent = ""; commit({ lens: lensOf() }); });
  head.appendChild(reset);

  const body = h("div", { class: "mx-body" });
  root.appendChild(body);
  const left = h("div", { class: "mx-col" });
  const right = h("div", { class: "mx-col" });
  body.appendChild(left);
  body.appendChild(right);

  // prior: relative weights, shown at full precision
  left.appendChild(h("h4", {}, "Prior (relative weights)"));
  const priorTable = h("table", { class: "mx-prior" });
  left.appendChild(priorTable);
  const priorInputs = {};
  data.hypotheses.forEach((hy, k) => {
    const tr = h("tr");
    tr.appendChild(h("td", {}, hy.label));
    const td = h("td");
    const inp = numberInput(data.prior[k], 0, 1e9, "mx-prior-input", (v) => setKey("prior", hy.id, v));
    inp.dataset.id = hy.id;
    priorInputs[hy.id] = inp;
    td.appendChild(inp);
    tr.appendChild(td);
    priorTable.appendChild(tr);
  });

  // the result
  right.appendChild(h("h4", {}, "Credence"));
  const resTable = h("table", { class: "mx-result" });
  right.appendChild(resTable);
  const resCells = {};
  data.hypotheses.forEach((hy) => {
    const tr = h("tr");
    tr.appendChild(h("td", {}, hy.label));
    const barTd = h("td", { class: "mx-bar-cell" });
    const bar = h("div", { class: "mx-bar" });
    barTd.appendChild(bar);
    tr.appendChild(barTd);
    const val = h("td", { class: "mx-value", "data-level": "hypothesis", "data-id": hy.id });
    tr.appendChild(val);
    resTable.appendChild(tr);
    resCells["h:" + hy.id] = { bar: bar, val: val };
  });
  if (data.families.length < data.hypotheses.length) {
    right.appendChild(h("h4", {}, "Families"));
    const famTable = h("table", { class: "mx-result" });
    right.appendChild(famTable);
    data.families.forEach((f) => {
      const tr = h("tr");
      tr.appendChild(h("td", {}, f.label));
      const val = h("td", { class: "mx-value", "data-level": "family", "data-id": f.id });
      tr.appendChild(val);
      famTable.appendChild(tr);
      resCells["f:" + f.id] = { val: val };
    });
  }
  const status = h("div", { class: "mx-status", role: "status" });
  right.appendChild(status);
  const note = h("div", { class: "mx-note", role: "status" });
  right.appendChild(note);

  // item weights
  const itemsBox = h("details", { class: "mx-items" });
  itemsBox.appendChild(h("summary", {}, "Item weights (0 = ignore, 1 = as judged, 2 = double)"));
  root.appendChild(itemsBox);
  const weightInputs = {};
  const itemTable = h("table");
  itemsBox.appendChild(itemTable);
  data.items.forEach((it) => {
    const tr = h("tr");
    tr.appendChild(h("td", {}, it.title));
    const td = h("td");
    const inp = numberInput(1, 0, 2, "mx-weight", (v) => setKey("weights", it.id, v === 1 ? undefined : v));
    inp.dataset.id = it.id;
    weightInputs[it.id] = inp;
    td.appendChild(inp);
    tr.appendChild(td);
    itemTable.appendChild(tr);
  });

  // source reliabilities
  const relInputs = {};
  const rated = data.sources.filter((s) => s.items > 0);
  if (rated.length) {
    const box = h("details", { class: "mx-sources" });
    box.appendChild(h("summary", {}, "Source reliability (empty = the case's judgement)"));
    root.appendChild(box);
    const t = h("table");
    box.appendChild(t);
    rated.forEach((s) => {
      const tr = h("tr");
      tr.appendChild(h("td", {}, s.key + " (judged " + fmt(s.mean) + ")"));
      const td = h("td");
      const inp = h("input", { type: "number", step: "any", min: "0", max: "1", class: "mx-reliability" });
      inp.dataset.id = s.key;
      inp.addEventListener("change", () => {
        if (inp.value === "") return setKey("reliability", s.key, undefined);
        const v = Number(inp.value);
        if (!Number.isFinite(v) || v < 0 || v > 1) return;
        setKey("reliability", s.key, v);
      });
      relInputs[s.key] = inp;
      td.appendChild(inp);
      tr.appendChild(td);
      t.appendChild(tr);
    });
  }

  // proposition tables: every row, every state, under the current lens (or as the reader set it)
  const tableInputs = {};
  if (data.propositions.length) {
    const box = h("details", { class: "mx-tables" });
    box.appendChild(h("summary", {}, "Proposition tables (rows are normalised)"));
    root.appendChild(box);
    data.propositions.forEach((p) => {
      box.appendChild(h("div", { class: "mx-prop-title" }, p.title + " (" + p.id + ")"));
      const t = h("table");
      const hr = h("tr");
      hr.appendChild(h("th", {}, "given"));
      p.states.forEach((s) => hr.appendChild(h("th", {}, s)));
      t.appendChild(hr);
      p.parent_values.forEach((v, j) => {
        const tr = h("tr");
        tr.appendChild(h("td", {}, p.parent_labels[j]));
        p.states.forEach((s, si) => {
          const td = h("td");
          const inp = numberInput(0, 0, 1, "mx-cell", (x) => {
            let row = currentRow(p.id, j).slice();
            row[si] = x;
            if (row.length === 2) row[1 - si] = 1 - x;  // a two-state row: the other state is the rest
            const next = clone(edits);
            next.tables = Object.assign({}, next.tables || {});
            next.tables[p.id] = Object.assign({}, next.tables[p.id] || {});
            next.tables[p.id][v] = row;
            commit(next);
          });
          inp.dataset.prop = p.id;
          inp.dataset.row = v;
          inp.dataset.state = s;
          tableInputs[p.id + "|" + v + "|" + si] = inp;
          td.appendChild(inp);
          tr.appendChild(td);
        });
        t.appendChild(tr);
      });
      box.appendChild(t);
    });
  }

  function currentRow(pid, j) {
    const p = data.propositions.find((q) => q.id === pid);
    const ed = ((edits.tables || {})[pid] || {})[p.parent_values[j]];
    if (ed) return ed;
    const i = propIndex(pid);
    return i < 0 ? p.states.map(() => 0) : data.engine[lensOf()].props[i].table[j];
  }

  // ------------------------------------------------------------------ state -> controls -> result
  function refresh() {
    lensSel.value = lensOf();
    discount.value = shown(edits.discount === undefined ? 1 : edits.discount);
    data.hypotheses.forEach((hy, k) => {
      const p = (edits.prior || {})[hy.id];
      priorInputs[hy.id].value = shown(p === undefined ? data.prior[k] : p);
    });
    data.items.forEach((it) => {
      const w = (edits.weights || {})[it.id];
      weightInputs[it.id].value = shown(w === undefined ? 1 : w);
    });
    Object.entries(relInputs).forEach(([key, inp]) => {
      const r = (edits.reliability || {})[key];
      inp.value = r === undefined ? "" : shown(r);
    });
    data.propositions.forEach((p) => {
      p.parent_values.forEach((v, j) => {
        const row = currentRow(p.id, j);
        p.states.forEach((s, si) => { tableInputs[p.id + "|" + v + "|" + si].value = shown(row[si]); });
      });
    });
    let res;
    try {
      res = engine.posterior(data, edits);
    } catch (err) {
      status.textContent = "Cannot compute: " + err.message;
      return;
    }
    status.textContent = "";
    data.hypotheses.forEach((hy) => {
      const x = res.hypotheses[hy.id];
      const c = resCells["h:" + hy.id];
      c.val.textContent = fmt(x);
      c.val.dataset.value = String(x);
      c.val.title = String(x);
      c.bar.style.width = (100 * x).toFixed(2) + "%";
    });
    data.families.forEach((f) => {
      const c = resCells["f:" + f.id];
      if (!c) return;
      c.val.textContent = fmt(res.families[f.id]);
      c.val.dataset.value = String(res.families[f.id]);
      c.val.title = String(res.families[f.id]);
    });
    root.dataset.computedFor = JSON.stringify(edits);
    model.set("computed", { edits: edits, hypotheses: res.hypotheses, families: res.families });
    model.save_changes();
  }

  const onEdits = () => {
    const next = clean(clone(model.get("edits")), data);
    if (JSON.stringify(next) === JSON.stringify(edits)) return;  // our own commit, already shown
    edits = next;
    refresh();
  };
  model.on("change:edits", onEdits);
  refresh();
  return () => model.off("change:edits", onEdits);
}

export default { render };
