// truce web: the dashboard. Plain JavaScript, served by truce itself, no
// framework and no build step. Every string that comes from an article
// (titles, evidence, places, outlets) reaches the page as text
// (textContent, setAttribute of plain attributes), never as HTML, and a
// link to an article's own URL is made only for http and https.
'use strict';

(function () {
  const FILTERS = ['conflict', 'party', 'from', 'to'];
  const PAGE = 20;
  const PALETTE = ['#4e79a7', '#e8762b', '#d1434b', '#3f8f3a', '#9b5d92', '#2c9c95',
    '#b8901e', '#8a6449', '#d9608a', '#2f4b7c', '#6b8e23', '#5a5a9e'];
  const SVGNS = 'http://www.w3.org/2000/svg';

  const state = {
    filters: {},
    cursor: null,
    claims: new Map(), // claim id -> claim, for the article view's highlight
    pending: new Map(), // incident id -> timer
    refreshTimer: null,
    colors: new Map(),
    events: null,
  };

  const $ = (id) => document.getElementById(id);

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function svg(tag, attrs) {
    const e = document.createElementNS(SVGNS, tag);
    for (const k of Object.keys(attrs)) e.setAttribute(k, String(attrs[k]));
    return e;
  }

  function color(party) {
    if (!party || party === 'none') return '#8b949e';
    if (!state.colors.has(party)) {
      let h = 0;
      for (const ch of party) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
      let c = PALETTE[h % PALETTE.length];
      // Distinct colours for the parties on screen while the palette lasts.
      const used = new Set(state.colors.values());
      for (let i = 1; used.has(c) && i < PALETTE.length; i++) c = PALETTE[(h + i) % PALETTE.length];
      state.colors.set(party, c);
    }
    return state.colors.get(party);
  }

  function chip(party) {
    const c = el('span', 'chip', party && party !== 'none' ? party : 'nobody');
    c.style.backgroundColor = color(party);
    return c;
  }

  // --- the API --------------------------------------------------------------

  async function api(path) {
    const r = await fetch(path, { credentials: 'same-origin' });
    if (r.status === 401) {
      askToken();
      throw new Error('this server wants a token');
    }
    const body = await r.json();
    if (!r.ok) throw new Error(body.error || ('HTTP ' + r.status));
    return body;
  }

  // A server started with --token-file wants the token; the dashboard keeps
  // it in a same-site cookie, which EventSource sends too.
  function askToken() {
    if (sessionStorage.getItem('truce-asked')) return;
    sessionStorage.setItem('truce-asked', '1');
    const t = (window.prompt('This truce web server wants its access token:') || '').trim();
    // A token is printable ASCII without spaces, ';' or ',' (what truce web
    // accepts), so it goes into the cookie as it is.
    if (/^[\x21-\x2b\x2d-\x3a\x3c-\x7e]+$/.test(t)) {
      document.cookie = 'truce_token=' + t +
        '; path=/; SameSite=Strict' + (location.protocol === 'https:' ? '; Secure' : '');
      sessionStorage.removeItem('truce-asked');
      location.reload();
    }
  }

  function params(extra) {
    const p = new URLSearchParams();
    for (const k of FILTERS) if (state.filters[k]) p.set(k, state.filters[k]);
    for (const k of Object.keys(extra || {})) if (extra[k] !== null && extra[k] !== undefined) p.set(k, extra[k]);
    return p.toString();
  }

  // --- filters, kept in the URL ---------------------------------------------

  function readFilters() {
    const p = new URLSearchParams(location.search);
    const f = {};
    for (const k of FILTERS) f[k] = p.get(k) || '';
    return f;
  }

  function showFilters() {
    for (const k of FILTERS) {
      const input = $('f-' + k);
      if (input.tagName === 'SELECT' && state.filters[k] &&
          ![...input.options].some((o) => o.value === state.filters[k])) {
        input.append(new Option(state.filters[k], state.filters[k]));
      }
      input.value = state.filters[k];
    }
  }

  function applyFilters(f) {
    state.filters = f;
    const q = params();
    history.pushState(null, '', q ? '?' + q : location.pathname);
    showFilters();
    reload();
  }

  function fillSelect(select, values) {
    const keep = select.value;
    for (const v of values) {
      if (![...select.options].some((o) => o.value === v)) select.append(new Option(v, v));
    }
    select.value = keep;
  }

  function matches(inc) {
    const f = state.filters;
    if (f.conflict && inc.conflict !== f.conflict) return false;
    if (f.party && !(inc.parties || []).includes(f.party)) return false;
    if (f.from && !(inc.date_last && inc.date_last >= f.from)) return false;
    if (f.to && !(inc.date_first && inc.date_first <= f.to)) return false;
    return true;
  }

  // --- stats and timelines ---------------------------------------------------

  async function loadStats() {
    const s = await api('/api/stats');
    $('stats').textContent = s.articles + ' articles · ' + s.claims + ' claims · ' +
      s.incidents + ' incidents · event ' + s.last_event_seq;
    return s;
  }

  // Days, or weeks or months when the conflict's claims span years, so that
  // bars stay wide enough to see and to click.
  function binsOf(days) {
    const toDay = (d) => Math.floor(Date.parse(d + 'T00:00:00Z') / 86400000);
    const first = toDay(days[0].date);
    const span = toDay(days[days.length - 1].date) - first + 1;
    const size = span <= 120 ? 1 : span <= 900 ? 7 : 30;
    const bins = new Map();
    for (const d of days) {
      const i = Math.floor((toDay(d.date) - first) / size);
      if (!bins.has(i)) bins.set(i, { from: d.date, to: d.date, accused: {} });
      const b = bins.get(i);
      b.to = d.date;
      for (const [p, n] of Object.entries(d.accused)) b.accused[p] = (b.accused[p] || 0) + n;
    }
    return { bins, count: Math.ceil(span / size), size };
  }

  function drawTimeline(conflict) {
    const box = el('div', 'timeline');
    const { bins, count, size } = binsOf(conflict.days);
    const unit = size === 1 ? 'day' : size === 7 ? 'week' : 'month';
    box.append(el('h3', null, conflict.conflict + ': claims per ' + unit + ', by accused party'));
    const W = 1000, H = 130, top = 8, bottom = 20, left = 34;
    let max = 1;
    for (const b of bins.values()) {
      max = Math.max(max, Object.values(b.accused).reduce((x, y) => x + y, 0));
    }
    const g = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img' });
    const title = svg('title', {});
    title.textContent = conflict.conflict + ': claims per ' + unit;
    g.append(title);
    const plotW = W - left - 4, plotH = H - top - bottom;
    const step = plotW / Math.max(1, count);
    const bw = Math.max(3, step - 2);
    const parties = new Set();
    for (const [i, b] of bins) {
      const x = left + i * step;
      let y = top + plotH;
      const tip = [];
      let last = null;
      for (const party of Object.keys(b.accused).sort()) {
        const n = b.accused[party];
        parties.add(party);
        const h = (n / max) * plotH;
        y -= h;
        last = svg('rect', { class: 'bar', x: x.toFixed(1), y: y.toFixed(1), width: bw.toFixed(1),
          height: Math.max(1, h).toFixed(1), fill: color(party) });
        last.addEventListener('click', () => applyFilters(Object.assign({}, state.filters,
          { conflict: conflict.conflict, from: b.from, to: b.to })));
        g.append(last);
        tip.push((party === 'none' ? 'nobody' : party) + ' ' + n);
      }
      const t = svg('title', {});
      t.textContent = (b.from === b.to ? b.from : b.from + ' to ' + b.to) + ': ' + tip.join(', ');
      last.append(t);
    }
    g.append(svg('line', { class: 'axis', x1: left, y1: top + plotH, x2: W, y2: top + plotH }));
    const lab = (x, y, text, anchor) => {
      const t = svg('text', { class: 'label', x: x, y: y, 'text-anchor': anchor || 'start' });
      t.textContent = text;
      g.append(t);
    };
    const days = conflict.days;
    lab(left, H - 5, days[0].date);
    if (days.length > 1) lab(W - 2, H - 5, days[days.length - 1].date, 'end');
    lab(left - 5, top + 9, String(max), 'end');
    lab(left - 5, top + plotH, '0', 'end');
    box.append(g);
    const legend = el('div', 'legend');
    for (const p of [...parties].sort()) {
      const item = el('span');
      const sw = el('span', 'swatch');
      sw.style.backgroundColor = color(p);
      item.append(sw, document.createTextNode(p === 'none' ? 'nobody accused' : p + ' accused'));
      legend.append(item);
    }
    box.append(legend);
    return box;
  }

  async function loadTimeline() {
    const t = await api('/api/timeline?' + params());
    fillSelect($('f-conflict'), t.conflicts.map((c) => c.conflict));
    fillSelect($('f-party'), t.parties.filter((p) => p !== 'none').sort());
    const box = $('timelines');
    box.replaceChildren(...t.conflicts.filter((c) => c.days.length > 0).map(drawTimeline));
  }

  // --- incidents ---------------------------------------------------------------

  function range(name, r) {
    if (!r) return null;
    return name + ' ' + (r[0] === r[1] ? r[0] : r[0] + '–' + r[1]);
  }

  function figuresTable(inc) {
    const t = el('table', 'figures');
    const head = el('tr');
    for (const h of ['Outlet', 'Claimant', 'Killed', 'Wounded']) head.append(el('th', null, h));
    t.append(head);
    for (const f of inc.figures || []) {
      const tr = el('tr');
      tr.append(el('td', null, f.source || 'unknown outlet'), el('td', null, f.claimant || ''),
        el('td', 'n', f.killed === null ? '–' : f.killed), el('td', 'n', f.wounded === null ? '–' : f.wounded));
      t.append(tr);
    }
    return t;
  }

  function claimItem(c) {
    state.claims.set(c.id, c);
    const li = el('li');
    li.id = 'claim-' + c.id;
    const pair = el('span', 'pair');
    pair.append(chip(c.claimant), document.createTextNode('→ '), chip(c.accused));
    const bits = [c.event_date || 'date unknown', c.location || 'place unknown'];
    if (c.killed !== null) bits.push('killed ' + c.killed);
    if (c.wounded !== null) bits.push('wounded ' + c.wounded);
    bits.push(c.source || 'unknown outlet');
    li.append(pair, el('span', 'claim-meta', bits.join(' · ')));
    if (c.evidence) li.append(el('blockquote', 'evidence', c.evidence));
    const a = el('a', null, 'article #' + c.article_seq);
    a.href = '#article=' + encodeURIComponent(c.article_seq) + '&claim=' + encodeURIComponent(c.id);
    li.append(a);
    return li;
  }

  function incidentCard(detail) {
    const inc = detail.incident;
    const card = el('article', 'incident');
    card.id = 'incident-' + inc.id;
    card.dataset.id = String(inc.id);
    const head = el('header');
    head.append(el('span', 'iid', '#' + inc.id), el('span', 'conflict', inc.conflict || 'no conflict'),
      el('span', 'dates', inc.date_first === inc.date_last ? (inc.date_first || 'date unknown')
        : inc.date_first + ' – ' + inc.date_last),
      el('span', 'places', (inc.places || []).length ? inc.places.join(', ') : 'place unknown'));
    card.append(head);
    const meta = el('div', 'meta');
    for (const p of inc.parties || []) meta.append(chip(p));
    meta.append(document.createTextNode(' ' + (inc.sources || []).length + ' source(s) · '));
    const figs = [range('killed', inc.killed), range('wounded', inc.wounded)].filter(Boolean);
    meta.append(el('span', 'range', figs.length ? figs.join(', ') : 'no figures'));
    card.append(meta);
    if ((inc.figures || []).length) card.append(figuresTable(inc));
    const list = el('ol', 'claims');
    for (const c of detail.claims) list.append(claimItem(c));
    card.append(list);
    return card;
  }

  // Puts a card where the newest-first order wants it.
  function place(card, fresh) {
    const box = $('incidents');
    const id = Number(card.dataset.id);
    const old = document.getElementById(card.id);
    if (old) {
      old.replaceWith(card);
    } else {
      let before = null;
      for (const c of box.children) {
        if (Number(c.dataset.id) < id) { before = c; break; }
      }
      box.insertBefore(card, before);
    }
    if (fresh) card.classList.add('fresh');
    $('empty').hidden = box.children.length > 0;
  }

  async function loadIncidents(cursor) {
    const page = await api('/api/incidents?' + params({ limit: PAGE, cursor: cursor }));
    const details = await Promise.all(page.incidents.map((i) => api('/api/incidents/' + i.id)));
    for (const d of details) place(incidentCard(d), false);
    state.cursor = page.next_cursor;
    $('more').hidden = page.next_cursor === null;
    $('empty').hidden = $('incidents').children.length > 0;
  }

  async function refreshIncident(id) {
    state.pending.delete(id);
    try {
      const d = await api('/api/incidents/' + id);
      const old = document.getElementById('incident-' + id);
      if (!matches(d.incident)) {
        if (old) old.remove();
        return;
      }
      // An incident older than the page shown stays off it until asked for.
      if (!old && state.cursor !== null && id <= state.cursor) return;
      place(incidentCard(d), true);
    } catch (e) {
      showError(e);
    }
  }

  // --- live updates ------------------------------------------------------------

  function scheduleRefresh() {
    if (state.refreshTimer) return;
    state.refreshTimer = setTimeout(() => {
      state.refreshTimer = null;
      loadStats().catch(showError);
      loadTimeline().catch(showError);
    }, 1000);
  }

  function onEvent(msg) {
    let ev;
    try { ev = JSON.parse(msg.data); } catch (e) { return; }
    const id = ev.incident ? ev.incident.id : (ev.claim ? ev.claim.incident : null);
    if (id !== null && id !== undefined && !state.pending.has(id)) {
      state.pending.set(id, setTimeout(() => refreshIncident(id), 250));
    }
    scheduleRefresh();
  }

  function listen(since) {
    if (state.events) state.events.close();
    // EventSource reconnects by itself and sends Last-Event-ID, so a
    // dropped connection resumes after the last event it handled.
    const es = new EventSource('/api/events?since=' + encodeURIComponent(since));
    es.onopen = () => { $('status').textContent = 'live'; $('status').className = 'status live'; };
    es.onerror = () => { $('status').textContent = 'reconnecting'; $('status').className = 'status down'; };
    es.onmessage = onEvent;
    state.events = es;
  }

  // --- the stored article ------------------------------------------------------

  function bodyWithEvidence(body, claim) {
    const pre = el('pre', 'body');
    const bytes = new TextEncoder().encode(body);
    const dec = new TextDecoder();
    if (claim && claim.evidence_end > claim.evidence_start && claim.evidence_end <= bytes.length) {
      const mark = el('mark', null, dec.decode(bytes.slice(claim.evidence_start, claim.evidence_end)));
      pre.append(document.createTextNode(dec.decode(bytes.slice(0, claim.evidence_start))), mark,
        document.createTextNode(dec.decode(bytes.slice(claim.evidence_end))));
      setTimeout(() => mark.scrollIntoView({ block: 'center' }), 0);
    } else {
      pre.textContent = body;
    }
    return pre;
  }

  async function showArticle() {
    const m = /^#article=(\d+)(?:&claim=(\d+))?$/.exec(location.hash);
    const overlay = $('article');
    if (!m) { overlay.hidden = true; return; }
    const box = $('article-body');
    box.replaceChildren(el('p', null, 'loading article ' + m[1] + '…'));
    overlay.hidden = false;
    try {
      const rec = await api('/api/articles/' + m[1]);
      const a = rec.article || {};
      const meta = el('p', 'meta', [a.source || 'unknown outlet', a.published || 'no date',
        'received ' + rec.received, 'article #' + rec.seq].join(' · '));
      const url = el('p', 'meta');
      if (a.url && /^https?:\/\//i.test(a.url)) {
        const link = el('a', null, a.url);
        link.href = a.url;
        link.rel = 'noopener noreferrer';
        link.target = '_blank';
        url.append(link);
      } else if (a.url) {
        url.textContent = a.url; // not http(s): shown, never followed
      }
      box.replaceChildren(el('h2', null, a.title || '(no title)'), meta, url,
        bodyWithEvidence(a.body || '', m[2] ? state.claims.get(Number(m[2])) : null));
    } catch (e) {
      box.replaceChildren(el('p', 'error', String(e.message || e)));
    }
  }

  // --- start -----------------------------------------------------------------------

  function showError(e) {
    $('status').textContent = String(e.message || e);
    $('status').className = 'status down';
  }

  async function reload() {
    $('incidents').replaceChildren();
    state.cursor = null;
    try {
      const s = await loadStats();
      listen(s.last_event_seq);
      await Promise.all([loadIncidents(null), loadTimeline()]);
      document.body.dataset.ready = '1';
    } catch (e) {
      showError(e);
    }
  }

  function start() {
    state.filters = readFilters();
    showFilters();
    $('filters').addEventListener('submit', (e) => {
      e.preventDefault();
      const f = {};
      for (const k of FILTERS) f[k] = $('f-' + k).value;
      applyFilters(f);
    });
    $('f-clear').addEventListener('click', () => applyFilters({ conflict: '', party: '', from: '', to: '' }));
    $('more').addEventListener('click', () => loadIncidents(state.cursor).catch(showError));
    $('article-close').addEventListener('click', () => history.pushState(null, '', location.pathname + location.search) || showArticle());
    window.addEventListener('hashchange', showArticle);
    window.addEventListener('popstate', () => { state.filters = readFilters(); showFilters(); reload(); showArticle(); });
    reload();
    showArticle();
  }

  document.addEventListener('DOMContentLoaded', start);
})();
