/* motives appendix engine: the exact posterior under a reader's edits.
 *
 * The same mathematics as motives.exact (and the same edits as motives.interactive.edited_posterior):
 * items mix a source's reliability as x*lambda + (1-x)*b (b the base rate, or the row mean);
 * a source whose items are all direct is integrated over its Gauss-Jacobi nodes on its own;
 * sources with items under propositions are integrated outside the whole product on a tensor grid;
 * propositions send log sum_s T[v][s] exp(message[s]) to their parent, bottom-up.
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
    const z = lse(logw);
    return logw.map(function (v) { return Math.exp(v - z); });
  }

  function posterior(data, edits) {
    edits = edits || {};
    const lens = edits.lens || data.default_lens;
    const E = data.engine[lens];
    if (!E) throw new Error("unknown lens " + lens);
    const K = data.hypotheses.length;
    const weights = edits.weights || {};
    const discount = edits.discount === undefined ? 1 : edits.discount;
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
      const T = props.map(function (p, i) {
        const rows = p.table.map(function (r) { return r.slice(); });
        const info = data.propositions.find(function (q) { return q.id === p.id; });
        const ed = tables[p.id] || {};
        Object.keys(ed).forEach(function (v) {
          const j = info.parent_values.indexOf(v);
          const r = ed[v];
          let s = 0;
          for (const x of r) s += x;
          rows[j] = r.map(function (x) { return x / s; });
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
        return acc;
      });
      const tops = grid.map(function (g) {
        const state = props.map(function (p, i) { return others[i].slice(); });
        const top = new Array(K).fill(g.logw);
        for (let i = props.length - 1; i >= 0; i--) {
          const S = props[i].states.length;
          for (const it of items[i]) {
            // every source with an item under a proposition is on the grid (see motives.interactive._sources)
            const row = it.src >= 0 ? mixed(it.row, it.base, g.x[it.src]) : it.row;
            for (let s = 0; s < S; s++) state[i][s] += Math.log(row[s]);
          }
          const up = T[i].map(function (logrow) {
            return lse(logrow.map(function (lt, s) { return lt + state[i][s]; }));
          });
          const parent = props[i].parent;
          if (parent < 0) {
            for (let h = 0; h < K; h++) top[h] += up[h];
          } else {
            for (let v = 0; v < up.length; v++) state[parent][v] += up[v];
          }
        }
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
      let s = 0;
      for (const p of prior) s += p;
      prior = prior.map(function (p) { return p / s; });
    }
    const post = normalise(prior.map(function (p, k) { return Math.log(p) + total[k]; }));
    const hyp = {};
    const fam = {};
    data.families.forEach(function (f) { fam[f.id] = 0; });
    data.hypotheses.forEach(function (h, k) { hyp[h.id] = post[k]; fam[h.family] += post[k]; });
    return { hypotheses: hyp, families: fam };
  }

  global.motivesEngine = { posterior: posterior, lse: lse };
})(typeof window !== "undefined" ? window : globalThis);
