/* motives appendix engine: the exact posterior under a reader's edits.
 *
 * The same mathematics as motives.exact (and the same edits as motives.interactive.edited_posterior):
 * items mix a source's reliability as x*lambda + (1-x)*b (b the base rate, or the row mean);
 * a source whose items are all direct is integrated over its Gauss-Jacobi nodes on its own;
 * sources with items under propositions are integrated outside the whole product on a tensor grid;
 * the network of facts (each fact's table times what its own items say, items of several parents) is summed
 * out by variable elimination along the plan Python computed once (the same order as motives.exact), each
 * step a broadcast sum on the union of its factors' variables and a log-sum-exp over the one summed out.
 */
(function (global) {
  "use strict";

  function lse(a) {
    let m = -Infinity;
    for (const v of a) if (v > m) m = v;
    if (!isFinite(m)) m = 0;
    let s = 0;
    for (const v of a) s += Math.exp(v - m);
    return m + Math.log(s);
  }

  function proportions(w) {
    // divided by the largest first, then by the sum (motives.numeric.proportions): weights of 1e308 each would
    // overflow their sum and read as 0
    let top = 0;
    for (const x of w) if (x > top) top = x;
    const v = w.map(function (x) { return top > 0 ? x / top : NaN; });
    let s = 0;
    for (const x of v) s += x;
    return v.map(function (x) { return x / s; });
  }

  function temper(row, g) {
    // lambda ** g, computed as exp(g log lambda); a zero stays zero (a logical exclusion, not a weight)
    return row.map(function (l) { return l > 0 ? Math.exp(g * Math.log(l)) : 0; });
  }

  function temperLog(row, g) {
    return row.map(function (v) { return v === null ? -Infinity : g * v; });
  }

  function rowMean(row) {
    let s = 0;
    for (const v of row) s += v;
    return s / row.length;
  }

  function mixed(row, base, x) {
    const b = base === null ? rowMean(row) : base;
    return row.map(function (l) { return x * l + (1 - x) * b; });
  }

  function normalise(logw) {
    // the largest subtracted and the exponentials divided by their sum, never exp(v - lse(logw)): where the
    // log weights are large (-5e15) lse is rounded to the spacing of floats there and equal weights would not sum to 1
    let m = -Infinity;
    for (const v of logw) if (v > m) m = v;
    if (!isFinite(m)) return logw.map(function () { return NaN; });
    const w = logw.map(function (v) { return Math.exp(v - m); });
    let s = 0;
    for (const v of w) s += v;
    return w.map(function (v) { return v / s; });
  }

  /* Variable elimination by the plan Python made (motives.exact.contract.plan_elimination), in log space.
   * factors: log-factors, flat in row-major order of plan.scopes (variable 0 the hypotheses, i + 1 fact i).
   * Each step adds its inputs on the union of their variables and takes log-sum-exp over the last one, the
   * variable summed out; its result fills the next slot. Returns log of what is left, per hypothesis. */
  function contract(plan, factors) {
    const card = plan.card;
    const scopes = plan.scopes.slice();
    const f = factors.slice();
    if (f.length !== scopes.length) throw new Error("the plan has " + scopes.length + " factors, got " + f.length);
    for (const st of plan.steps) {
      const union = st.union;
      const n = union.length;
      const dims = union.map(function (v) { return card[v]; });
      const last = dims[n - 1];
      let size = 1;
      for (const d of dims) size *= d;
      const outSize = size / last;
      const ins = st.inputs.map(function (slot, k) {
        const strides = new Array(n).fill(0);
        const sp = st.spec[k];
        let s = 1;
        for (let j = sp.length - 1; j >= 0; j--) { strides[sp[j]] = s; s *= card[scopes[slot][j]]; }
        if (s !== f[slot].length) throw new Error("factor " + slot + " has " + f[slot].length + " cells, not " + s);
        return { data: f[slot], strides: strides, lastStride: strides[n - 1] };
      });
      const out = new Float64Array(outSize);
      const buf = new Float64Array(last);
      const idx = new Array(n).fill(0);
      const base = new Array(ins.length).fill(0);
      for (let o = 0; o < outSize; o++) {
        for (let t = 0; t < last; t++) {
          let a = 0;
          for (let k = 0; k < ins.length; k++) a += ins[k].data[base[k] + t * ins[k].lastStride];
          buf[t] = a;
        }
        out[o] = lse(buf);
        for (let j = n - 2; j >= 0; j--) {  // the next cell of the result (row-major)
          idx[j]++;
          for (let k = 0; k < ins.length; k++) base[k] += ins[k].strides[j];
          if (idx[j] < dims[j]) break;
          for (let k = 0; k < ins.length; k++) base[k] -= ins[k].strides[j] * dims[j];
          idx[j] = 0;
        }
      }
      f.push(out);
      scopes.push(union.slice(0, n - 1));
    }
    const K = card[0];
    const total = new Array(K).fill(0);
    plan.final.forEach(function (slot, i) {
      const sc = plan.final_scopes[i];
      for (let h = 0; h < K; h++) total[h] += sc.length ? f[slot][h] : f[slot][0];
    });
    return total;
  }

  function posterior(data, edits) {
    edits = edits || {};
    const refused = checkEdits(data, edits);
    if (refused) throw new Error(refused);
    const lens = edits.lens || data.default_lens;
    const E = data.engine[lens];
    if (!E) throw new Error("unknown lens " + lens);
    const K = data.hypotheses.length;
    const weights = edits.weights || {};
    const discount = edits.discount == null ? 1 : edits.discount;
    const drop = new Set(edits.drop || []);
    const gamma = function (id) { return (weights[id] === undefined ? 1 : weights[id]) * discount; };
    const rel = edits.reliability || {};
    const sources = data.sources.map(function (s) {
      if (rel[s.key] !== undefined) return { nodes: [rel[s.key]], logw: [0], structured: s.structured };
      return { nodes: s.nodes, logw: s.weights.map(Math.log), structured: s.structured };
    });
    const total = new Array(K).fill(0);

    // direct likelihood items: face value, or grouped by a source of their own, or left for the grid
    const groups = {};
    const gridDirect = [];
    E.direct.items.forEach(function (id, i) {
      if (drop.has(id)) return;
      const row = temper(E.direct.lam[i], gamma(id));
      const s = E.direct.src[i];
      const item = { row: row, base: E.direct.base[i], src: s };
      if (s < 0) {
        for (let h = 0; h < K; h++) total[h] += Math.log(row[h]);
      } else if (sources[s].structured) {
        gridDirect.push(item);
      } else {
        (groups[s] = groups[s] || []).push(item);
      }
    });
    Object.keys(groups).forEach(function (s) {
      const src = sources[s];
      const per = src.nodes.map(function (x, q) {
        const acc = new Array(K).fill(src.logw[q]);
        for (const it of groups[s]) {
          const m = mixed(it.row, it.base, x);
          for (let h = 0; h < K; h++) acc[h] += Math.log(m[h]);
        }
        return acc;
      });
      for (let h = 0; h < K; h++) total[h] += lse(per.map(function (a) { return a[h]; }));
    });
    E.other.items.forEach(function (id, i) {
      if (drop.has(id)) return;
      const ll = temperLog(E.other.ll[i], gamma(id));
      for (let h = 0; h < K; h++) total[h] += ll[h];
    });

    // the structure, on the grid of the sources whose items sit under propositions
    const props = E.props;
    if (props.length || gridDirect.length) {
      const gridSources = [];
      sources.forEach(function (s, k) { if (s.structured) gridSources.push(k); });
      let grid = [{ x: {}, logw: 0 }];
      for (const k of gridSources) {
        const next = [];
        for (const g of grid) {
          sources[k].nodes.forEach(function (x, q) {
            const xs = Object.assign({}, g.x);
            xs[k] = x;
            next.push({ x: xs, logw: g.logw + sources[k].logw[q] });
          });
        }
        grid = next;
      }
      const tables = edits.tables || {};
      const T = props.map(function (p) {
        const rows = p.table.map(function (r) { return r.slice(); });
        const info = data.propositions.find(function (q) { return q.id === p.id; });
        const ed = tables[p.id] || {};
        Object.keys(ed).forEach(function (v) {
          const j = info.parent_values.indexOf(v);
          rows[j] = proportions(ed[v]);
        });
        return rows.map(function (r) { return r.map(Math.log); });
      });
      const items = props.map(function (p) {
        const out = [];
        p.items.forEach(function (id, i) {
          if (!drop.has(id)) out.push({ row: temper(p.lam[i], gamma(id)), base: p.base[i], src: p.src[i] });
        });
        return out;
      });
      const others = props.map(function (p) {
        const S = p.states.length;
        const acc = new Array(S).fill(0);
        p.other_items.forEach(function (id, i) {
          if (drop.has(id)) return;
          const ll = temperLog(p.other_ll[i], gamma(id));
          for (let s = 0; s < S; s++) acc[s] += ll[s];
        });
        if (p.observed >= 0) for (let s = 0; s < S; s++) if (s !== p.observed) acc[s] = -Infinity;
        return acc;
      });
      const joint = (E.joint || []).map(function (j) {
        return drop.has(j.id) ? null : { row: temper(j.lam, gamma(j.id)), base: j.base, src: j.src };
      });
      const plan = E.plan;
      const tops = grid.map(function (g) {
        // the initial factors (log space, flat in row-major order of their scope): each fact's table plus
        // what its own items say, then each item of several parents (a dropped one is the constant 1)
        const factors = props.map(function (p, i) {
          const S = p.states.length;
          const msg = others[i].slice();
          for (const it of items[i]) {
            // every source with an item under a proposition is on the grid (see motives.interactive.source_data)
            const row = it.src >= 0 ? mixed(it.row, it.base, g.x[it.src]) : it.row;
            for (let s = 0; s < S; s++) msg[s] += Math.log(row[s]);
          }
          const f = new Float64Array(T[i].length * S);
          T[i].forEach(function (logrow, v) { for (let s = 0; s < S; s++) f[v * S + s] = logrow[s] + msg[s]; });
          return f;
        });
        joint.forEach(function (j, n) {
          const V = E.joint[n].lam.length;
          const f = new Float64Array(V);
          if (j !== null) {
            const row = j.src >= 0 ? mixed(j.row, j.base, g.x[j.src]) : j.row;
            for (let v = 0; v < V; v++) f[v] = Math.log(row[v]);
          }
          factors.push(f);
        });
        const top = new Array(K).fill(g.logw);
        const c = plan ? contract(plan, factors) : new Array(K).fill(0);
        for (let h = 0; h < K; h++) top[h] += c[h];
        for (const it of gridDirect) {
          const m = mixed(it.row, it.base, g.x[it.src]);
          for (let h = 0; h < K; h++) top[h] += Math.log(m[h]);
        }
        return top;
      });
      for (let h = 0; h < K; h++) total[h] += lse(tops.map(function (t) { return t[h]; }));
    }

    // prior, posterior, families
    let prior = data.prior.slice();
    if (edits.prior) {
      prior = data.hypotheses.map(function (h, k) {
        return edits.prior[h.id] === undefined ? prior[k] : edits.prior[h.id];
      });
      prior = proportions(prior);
    }
    const post = normalise(prior.map(function (p, k) { return Math.log(p) + total[k]; }));
    const hyp = {};
    const fam = {};
    data.families.forEach(function (f) { fam[f.id] = 0; });
    data.hypotheses.forEach(function (h, k) { hyp[h.id] = post[k]; fam[h.family] += post[k]; });
    return { hypotheses: hyp, families: fam };
  }

  // ------------------------------------------------------------------ the edits' rules
  // The rules of motives.interactive.check_edits, in the same order and with the same messages: null for a valid
  // edit set, else the message of the first rule it breaks. A link's edits pass here before the page uses them.
  const EDIT_KEYS = ["lens", "prior", "weights", "drop", "discount", "reliability", "tables"];
  function isNum(v) { return typeof v === "number" && isFinite(v); }
  function isMap(v) { return v !== null && typeof v === "object" && !Array.isArray(v); }
  function shown(v) { return typeof v === "string" ? "'" + v + "'" : JSON.stringify(v); }
  function checkEdits(data, edits) {
    if (edits === null || edits === undefined) return null;
    if (!isMap(edits)) return "the edits must be a mapping of edit -> value";
    const has = function (k) { return Object.prototype.hasOwnProperty.call(edits, k) && edits[k] !== null; };
    const unknown = Object.keys(edits).filter(function (k) { return EDIT_KEYS.indexOf(k) < 0; }).sort();
    if (unknown.length) {
      return "unknown edit(s) [" + unknown.map(function (k) { return "'" + k + "'"; }).join(", ") + "]; valid: " +
        EDIT_KEYS.join(", ");
    }
    if (has("lens") && (typeof edits.lens !== "string" || data.lens_ids.indexOf(edits.lens) < 0)) {
      return "lens: no lens " + shown(edits.lens) + "; valid: " + data.lens_ids.join(", ");
    }
    if (has("lens") && !data.engine[edits.lens]) {
      return "lens: '" + edits.lens + "' is not on this page; it shows " +
        data.lenses.map(function (l) { return l.id; }).join(", ");
    }
    for (const key of ["prior", "weights", "reliability", "tables"]) {
      if (has(key) && !isMap(edits[key])) return key + " must be a mapping";
    }
    if (has("drop") && !Array.isArray(edits.drop)) return "drop must be a list of item ids";
    const hyps = data.hypotheses.map(function (h) { return h.id; });
    const items = new Set(data.items.map(function (e) { return e.id; }));
    const sources = new Set(data.sources.map(function (s) { return s.key; }));
    const props = {};
    data.propositions.forEach(function (p) { props[p.id] = p; });
    const prior = has("prior") ? edits.prior : {};
    for (const h of Object.keys(prior)) {
      const v = prior[h];
      if (hyps.indexOf(h) < 0 || !isNum(v) || v < 0) {
        return "prior: '" + h + "' must be a hypothesis with a non-negative weight";
      }
    }
    if (Object.keys(prior).length && !hyps.some(function (h, k) {
      return (prior[h] === undefined ? data.prior[k] : prior[h]) > 0;
    })) return "prior: the weights must not all be 0";
    const weights = has("weights") ? edits.weights : {};
    for (const e of Object.keys(weights)) {
      const v = weights[e];
      if (!items.has(e) || !isNum(v) || !(v >= 0 && v <= 2)) {
        return "weights: '" + e + "' must be an item with a factor in [0, 2]";
      }
    }
    for (const e of (has("drop") ? edits.drop : [])) {
      if (typeof e !== "string" || !items.has(e)) return "drop: no item " + shown(e);
    }
    if (has("discount") && !(isNum(edits.discount) && edits.discount >= 0 && edits.discount <= 1)) {
      return "discount must be a number in [0, 1]";
    }
    const rel = has("reliability") ? edits.reliability : {};
    for (const s of Object.keys(rel)) {
      const v = rel[s];
      if (!sources.has(s) || !isNum(v) || !(v >= 0 && v <= 1)) {
        return "reliability: '" + s + "' must be a declared source with a value in [0, 1]";
      }
    }
    const tables = has("tables") ? edits.tables : {};
    for (const p of Object.keys(tables)) {
      const rows = tables[p];
      if (!Object.prototype.hasOwnProperty.call(props, p) || !isMap(rows)) return "tables: no proposition '" + p + "'";
      const n = props[p].states.length;
      for (const v of Object.keys(rows)) {
        const row = rows[v];
        const ok = props[p].parent_values.indexOf(v) >= 0 && Array.isArray(row) && row.length === n &&
          row.every(function (x) { return isNum(x) && x >= 0; }) &&
          row.reduce(function (a, b) { return a + b; }, 0) > 0;
        if (!ok) return "tables: '" + p + "' row '" + v + "' must give " + n + " non-negative numbers, not all 0";
      }
    }
    return null;
  }

  // ------------------------------------------------------------------ a lens switch
  // The one rule of motives.interactive.switch_lens, for the page and the widget alike: switching to another lens
  // drops the table edits (a table row is a value of the lens it was set under; the tables then show the new
  // lens's own values) and keeps the rest (prior, weights, dropped items, discount and reliabilities belong to no
  // lens); choosing the lens already shown changes nothing. Returns a new edit set; the edits given are not changed.
  function switchLens(data, edits, lens) {
    const out = JSON.parse(JSON.stringify(edits || {}));
    const current = out.lens === undefined || out.lens === null ? data.default_lens : out.lens;
    if (lens !== current) delete out.tables;
    out.lens = lens;
    return out;
  }

  global.motivesEngine = { posterior: posterior, checkEdits: checkEdits, switchLens: switchLens, contract: contract,
                           lse: lse };
})(typeof window !== "undefined" ? window : globalThis);
