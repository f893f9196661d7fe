// The localconnect dashboard: one Alpine.js component over the admin API (/_localconnect/...).
// Everything it shows comes from admin calls; everything it does is one admin call. Times are the service clock's,
// shown in UTC; the admin token, when the server needs one, stays in this tab's sessionStorage.
"use strict";

const API = "/_localconnect";
const DAY = 86400;
const TOKEN_KEY = "localconnect.admin_token";
const PAGE = 50;
const REQUESTS_KEPT = 500;
const VIEWS = ["overview", "window", "numbers", "eum", "requests", "actions"];
let chart = null;  // the uPlot of the release window: outside Alpine's reactive state, which would proxy it
let chartShape = "";  // what the chart was drawn from
const CAUSES = {
  ReleasePhoneNumber: "released (ReleasePhoneNumber)",
  DeleteInstance: "released with its instance (DeleteInstance)",
  FAILED: "claim or import ended FAILED",
};

class ApiError extends Error {
  constructor(status, code, message) {
    super(message || code || "HTTP " + status);
    this.status = status;
    this.code = code;
  }
}

function fmtTime(t) {
  if (t === null || t === undefined) return "—";
  return new Date(t * 1000).toISOString().slice(0, 16).replace("T", " ") + " UTC";
}

function fmtDuration(seconds) {
  const s = Math.abs(seconds);
  if (s < 90) return Math.round(s) + " seconds";
  if (s < 90 * 60) return Math.round(s / 60) + " minutes";
  if (s < 36 * 3600) return Math.round(s / 3600) + " hours";
  return Math.round(s / DAY) + " days";
}

function fmtCount(n) {
  // Thousands separators by hand: the first toLocaleString costs ~30 ms of Intl set-up on first paint.
  return n === undefined || n === null ? "0" : String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

function plural(n, one, many) {
  return fmtCount(n) + " " + (n === 1 ? one : many || one + "s");
}

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== "" && v !== null && v !== undefined) q.set(k, v);
  return q.toString();
}

let uplotLoading = null;

function loadUplot() {
  // The chart library is fetched when the release window is first shown: the other views never pay for it.
  if (window.uPlot) return Promise.resolve();
  if (!uplotLoading) {
    uplotLoading = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = document.body.dataset.uplot;
      script.onload = resolve;
      script.onerror = () => { uplotLoading = null; reject(new Error("the chart library did not load")); };
      document.head.appendChild(script);
    });
  }
  return uplotLoading;
}

function css(name) {
  return getComputedStyle(document.body).getPropertyValue(name).trim();
}

document.addEventListener("alpine:init", () => {
  window.Alpine.data("dashboard", () => ({
    view: "overview",
    loaded: false,
    token: sessionStorage.getItem(TOKEN_KEY) || "",
    needToken: false,
    tokenReason: "",
    tokenInput: "",
    now: null, offset: 0, readAt: 0, tick: 0,
    partitions: [], partitionsTruncated: false, selected: "",
    message: { text: "", kind: "" },
    custom: { amount: "", unit: "86400" },
    win: null, tip: { show: false, x: 0, y: 0, lines: [] },
    instances: [], numbers: [], numbersLoaded: false, numberTokens: [null], numberPage: 0, numberNext: null,
    filters: { instance: "", status: "", type: "", country: "", prefix: "" },
    detail: null,
    eum: [], eumLoaded: false, eumStatus: "", eumTokens: [null], eumPage: 0, eumNext: null,
    requests: [], requestSeq: 0, requestsKept: 0, live: true, reqFilter: { text: "", kind: "", errors: false },
    faults: [],
    forms: { account: "", region: "", perInstance: "", instances: "", resetAccount: "",
             seed: { number: "", type: "LONG_CODE", status: "ACTIVE", country: "US", messageType: "TRANSACTIONAL" },
             fault: { operation: "connect:ImportPhoneNumber", error: "InternalServiceException", count: "1",
                      rate: "", account: "" } },
    busy: false,

    fmtTime, fmtCount,

    async start() {
      window.addEventListener("hashchange", () => this.route());
      window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => this.drawChart());
      window.addEventListener("resize", () => this.resizeChart());
      this.route(false);
      await this.refresh();
      setInterval(() => { this.tick++; }, 1000);
      setInterval(() => this.poll(), 4000);
    },

    // --- the admin API ------------------------------------------------------------------------------------
    async api(method, path, body) {
      const headers = { accept: "application/json" };
      if (body !== undefined) headers["content-type"] = "application/json";
      if (this.token) headers.authorization = "Bearer " + this.token;
      const response = await fetch(API + path, { method, headers, cache: "no-store",
                                                 body: body === undefined ? undefined : JSON.stringify(body) });
      let data = null;
      try { data = await response.json(); } catch (e) { data = null; }
      const error = (data && data.error) || {};
      if (response.status === 401 || response.status === 403) {
        this.needToken = true;
        this.tokenReason = error.message || "The admin API refused this page.";
      }
      if (!response.ok) throw new ApiError(response.status, error.code, error.message);
      this.needToken = false;
      return data;
    },

    say(text, kind) { this.message = { text, kind: kind || "ok" }; },

    fail(error) {
      this.say((error.code ? error.code + ": " : "") + error.message, "bad");
    },

    async act(description, method, path, body) {
      // One action: its answer shown, then everything on the page read again.
      try {
        const out = await this.api(method, path, body);
        this.say(description(out), "ok");
      } catch (error) {
        this.fail(error);
        return null;
      }
      await this.refresh();
      return true;
    },

    saveToken() {
      this.token = this.tokenInput;
      sessionStorage.setItem(TOKEN_KEY, this.token);
      this.tokenInput = "";
      this.refresh();
    },

    // --- routing and refreshing ---------------------------------------------------------------------------
    route(load = true) {
      // #view, or #view?account=…&region=… (a link to one account and Region's view).
      const [name, params] = location.hash.slice(1).split("?");
      this.view = VIEWS.includes(name) ? name : "overview";
      const q = new URLSearchParams(params || "");
      if (q.get("account") && q.get("region")) this.choose(q.get("account") + "/" + q.get("region"));
      if (load) this.loadView();
    },

    key(p) { return p.account + "/" + p.region; },

    link(view, p) { return "#" + view + "?" + query({ account: p.account, region: p.region }); },

    current() { return this.partitions.find((p) => this.key(p) === this.selected) || null; },

    where() {
      // From the choice itself, so a view can load before the list of partitions has arrived.
      if (!this.selected) return {};
      const [account, region] = this.selected.split("/");
      return { account, region };
    },

    choose(key) {
      if (key === this.selected) return false;
      this.selected = key;
      this.filters = { instance: "", status: "", type: "", country: "", prefix: "" };
      this.numberTokens = [null]; this.numberPage = 0; this.eumTokens = [null]; this.eumPage = 0;
      this.detail = null;
      return true;
    },

    selectPartition(key) {
      if (this.choose(key) && this.loaded) this.loadView();
    },

    picked(key) {
      // The picker's x-model has already set `selected`: start that account and Region's views afresh.
      this.selected = "";
      this.selectPartition(key);
    },

    async refresh() {
      const partitions = this.loadPartitions();
      const clock = this.loadClock();
      for (const p of [partitions, clock]) p.catch(() => {});  // reported once below, not as unhandled too
      try {
        if (!this.selected) await partitions;  // which account and Region to show comes from the list
        const chosen = this.selected;
        await Promise.all([partitions, clock, this.loadView()]);
        if (this.selected !== chosen) await this.loadView();  // the chosen one is gone: shown the first instead
      } catch (error) {
        if (!this.needToken) this.fail(error);
      }
      this.loaded = true;
    },

    async poll() {
      if (document.visibilityState !== "visible" || this.busy) return;
      this.busy = true;
      try {
        if (this.view === "requests") {
          if (this.live) await this.loadRequests();
        } else {
          await this.refresh();
        }
      } finally {
        this.busy = false;
      }
    },

    async loadClock() {
      const c = await this.api("GET", "/clock");
      this.now = c.now;
      this.offset = c.offset_seconds;
      this.readAt = Date.now();
    },

    async loadPartitions() {
      const out = await this.api("GET", "/state?" + query({ lists: "none", max_results: 1000 }));
      this.partitions = out.partitions;
      this.partitionsTruncated = Boolean(out.next_token);
      if (!this.current() && this.partitions.length) this.choose(this.key(this.partitions[0]));
    },

    async loadView() {
      try {
        if (this.view === "window") await this.loadWindow();
        else if (this.view === "numbers") await Promise.all([this.loadInstances(), this.loadNumbers(false)]);
        else if (this.view === "eum") await this.loadEum(false);
        else if (this.view === "requests") await this.loadRequests();
        else if (this.view === "actions") await this.loadFaults();
      } catch (error) {
        if (!this.needToken) this.fail(error);
      }
    },

    // --- the clock ------------------------------------------------------------------------------------------
    clockNow() {
      void this.tick;  // re-read every second
      return this.now === null ? null : this.now + (Date.now() - this.readAt) / 1000;
    },

    clockText() { return this.now === null ? "…" : fmtTime(this.clockNow()).replace(" UTC", ":" +
      String(Math.floor(this.clockNow() % 60)).padStart(2, "0") + " UTC"); },

    offsetText() {
      return "(" + fmtDuration(this.offset) + (this.offset > 0 ? " ahead of" : " behind") + " wall-clock time)";
    },

    liftTarget() {
      // The chosen account and Region's block (the first partition until another is chosen).
      const p = this.current();
      return p && p.release_window.blocked && p.release_window.lifts_at ? p : null;
    },

    liftButtonText() {
      const p = this.liftTarget();
      if (!p) return "";
      const which = this.partitions.length > 1 ? " of " + p.account + " " + p.region : "";
      return "To when the block" + which + " lifts (" + fmtTime(p.release_window.lifts_at) + ")";
    },

    advance(seconds, label) {
      return this.act((c) => "Clock advanced by " + label + ": now " + fmtTime(c.now) + ".", "POST", "/clock",
                      { advance_seconds: seconds });
    },

    async advanceToLift() {
      const p = this.liftTarget();
      if (!p) return;
      await this.loadClock();
      // The block lifts at lifts_at exactly (an event exactly a window old is out): land a millisecond after it.
      const seconds = Math.max(0, p.release_window.lifts_at - this.now + 0.001);
      await this.act((c) => "Clock moved to when the block lifts: now " + fmtTime(c.now) + ".", "POST", "/clock",
                     { advance_seconds: seconds });
    },

    advanceCustom() {
      const amount = Number(this.custom.amount);
      const unit = Number(this.custom.unit);
      if (!(amount >= 0)) { this.say("Give a number of zero or more to advance by.", "bad"); return null; }
      const names = { 60: "minutes", 3600: "hours", 86400: "days", 604800: "weeks" };
      return this.advance(amount * unit, amount + " " + names[unit]);
    },

    setOffset(seconds) {
      return this.act((c) => "Clock set back to wall-clock time: now " + fmtTime(c.now) + ".", "POST", "/clock",
                      { offset_seconds: seconds });
    },

    // --- the release window ------------------------------------------------------------------------------------
    windowSentence(w, quota) {
      if (w.allowance === 0) {
        return "The allowance is 0 (" + plural(quota, "number") + " per instance): every claim and import is refused until the quota is raised.";
      }
      if (w.blocked) {
        return "Why a claim is refused: " + plural(w.events_in_window, "release event") + " in the last " +
          w.window_days + " days reach the allowance of " + w.allowance + "." +
          (w.lifts_at === null ? " Time never lifts it." : " It lifts " + fmtTime(w.lifts_at) + ".");
      }
      return plural(w.allowance - w.events_in_window, "more release") + " allowed before claims and imports are blocked.";
    },

    async loadWindow() {
      const where = this.where();
      if (!where.account) { this.win = null; return; }
      const [win] = await Promise.all([this.api("GET", "/ui/api/window?" + query(where)), loadUplot()]);
      // Redraw only when what the chart shows has changed (the page re-reads every few seconds: a redraw would
      // drop the point being hovered); "now" moves the chart once a minute.
      const shape = JSON.stringify([win.account, win.region, win.allowance, win.blocked, win.lifts_at,
                                    win.events.map((e) => [e.phone_number_id, e.released_at]), Math.floor(win.now / 60)]);
      const redraw = shape !== chartShape || !document.querySelector("#window-chart canvas");
      chartShape = shape;
      this.win = win;
      if (redraw) this.$nextTick(() => this.drawChart());
    },

    windowHeadline() {
      const w = this.win;
      if (w.allowance === 0) {
        return "ClaimPhoneNumber and ImportPhoneNumber are refused: the allowance is 0, so no release is allowed.";
      }
      if (w.blocked) {
        return "ClaimPhoneNumber and ImportPhoneNumber are refused with LimitExceededException: " +
          plural(w.events_in_window, "release event") + " in the last " + w.window_days +
          " days reach the allowance of " + w.allowance + ".";
      }
      return "ClaimPhoneNumber and ImportPhoneNumber are allowed: " + w.events_in_window + " of " + w.allowance +
        " releases used in the last " + w.window_days + " days.";
    },

    liftSentence() {
      const w = this.win;
      if (!w.blocked) return "";
      if (w.lifts_at === null) {
        return "Time never lifts this block: raise phone_numbers_per_instance (Actions → Quotas) or record a support case.";
      }
      return "The block lifts " + fmtTime(w.lifts_at) + " (in " + fmtDuration(w.lifts_at - w.now) +
        "), when enough events have aged out; a support case lifts it at once.";
    },

    ruleSentence() {
      const w = this.win;
      return "Allowance = " + w.allowance_percent + " % of " + plural(w.phone_numbers_per_instance, "number") +
        " per instance = " + plural(w.allowance, "release event") + " per rolling " + w.window_days + " days.";
    },

    causeText(cause) { return CAUSES[cause] || cause; },

    slotText(i) {
      // The events leave the window oldest first; once fewer than the allowance remain, each one frees a slot.
      const w = this.win;
      const remaining = w.events_in_window - (i + 1);
      if (remaining >= w.allowance) return "still blocked after it leaves";
      if (remaining === w.allowance - 1 && w.blocked) return "lifts the block";
      return "frees a slot";
    },

    chartLabel() {
      const w = this.win;
      return "Chart of release events in the window: " + w.events_in_window + " events, allowance " + w.allowance +
        (w.blocked && w.lifts_at ? ", the block lifts " + fmtTime(w.lifts_at) : "") + ". The table below lists them.";
    },

    chartData() {
      const w = this.win;
      const span = w.window_days * DAY;
      const now = w.now;
      const events = w.events;
      const hidden = w.events_in_window - events.length;  // newer events not sent (over the chart's cap)
      const xs = new Set([now - span, now, now + span]);
      for (const e of events) { xs.add(e.released_at); xs.add(e.leaves_window_at); }
      if (w.lifts_at) xs.add(w.lifts_at);
      const x = [...xs].sort((a, b) => a - b);
      const inWindow = x.map((t) => {
        if (t < now) return events.filter((e) => e.released_at <= t).length;
        return events.filter((e) => e.leaves_window_at > t).length + hidden;
      });
      const released = x.map((t, i) => (events.some((e) => e.released_at === t) && t <= now ? inWindow[i] : null));
      const leaving = x.map((t, i) => (events.some((e) => e.leaves_window_at === t) ? inWindow[i] : null));
      return [x, inWindow, x.map(() => w.allowance), released, leaving];
    },

    drawChart() {
      const el = document.getElementById("window-chart");
      if (chart) { chart.destroy(); chart = null; }
      if (!el || !this.win || this.view !== "window" || !window.uPlot) return;
      const w = this.win;
      const data = this.chartData();
      const muted = css("--muted"), grid = css("--border");
      const eventsColor = css("--chart-events"), allowColor = css("--chart-allowance");
      const nowColor = css("--chart-now"), liftColor = css("--chart-lift");
      const marks = [[w.now, "now", nowColor]];
      if (w.blocked && w.lifts_at) marks.push([w.lifts_at, "block lifts " + fmtTime(w.lifts_at).slice(0, 10), liftColor]);
      const self = this;
      const axis = { stroke: muted, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } };
      const opts = {
        width: Math.max(280, el.clientWidth || 600),
        height: window.innerWidth < 600 ? 240 : 320,
        tzDate: (ts) => window.uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"),
        cursor: { drag: { x: false, y: false } },
        legend: { show: true, live: false },
        scales: { x: { time: true }, y: { range: (u, lo, hi) => [0, Math.max(hi, w.allowance) + 1] } },
        axes: [{ ...axis }, { ...axis, label: "events in the window", labelSize: 20, size: 50,
                                 values: (u, ticks) => ticks.map((t) => (Number.isInteger(t) ? t : "")) }],
        series: [
          {},
          { label: "Events in the window", stroke: eventsColor, width: 2, fill: eventsColor + "22",
            paths: window.uPlot.paths.stepped({ align: 1 }), points: { show: false } },
          { label: "Allowance (" + w.allowance + ")", stroke: allowColor, width: 2, dash: [6, 4],
            points: { show: false } },
          { label: "Released", stroke: eventsColor, paths: () => null,
            points: { show: true, size: 9, fill: eventsColor, stroke: eventsColor } },
          { label: "Leaves the window", stroke: liftColor, paths: () => null,
            points: { show: true, size: 9, fill: css("--bg"), stroke: liftColor, width: 2 } },
        ],
        hooks: {
          draw: [(u) => {
            const ctx = u.ctx;
            ctx.save();
            ctx.font = 12 * devicePixelRatio + "px system-ui, sans-serif";
            for (const [row, [t, label, color]] of marks.entries()) {
              const x = u.valToPos(t, "x", true);
              ctx.strokeStyle = color;
              ctx.fillStyle = color;
              ctx.lineWidth = 2 * devicePixelRatio;
              ctx.setLineDash([4 * devicePixelRatio, 4 * devicePixelRatio]);
              ctx.beginPath();
              ctx.moveTo(x, u.bbox.top);
              ctx.lineTo(x, u.bbox.top + u.bbox.height);
              ctx.stroke();
              const width = ctx.measureText(label).width;
              const left = x + width + 8 > u.bbox.left + u.bbox.width ? x - width - 4 * devicePixelRatio : x + 4 * devicePixelRatio;
              ctx.fillText(label, left, u.bbox.top + (14 + 16 * row) * devicePixelRatio);  // one row per mark
            }
            ctx.restore();
          }],
          setCursor: [(u) => self.hover(u)],
        },
      };
      chart = new window.uPlot(opts, data, el);
      el.uplot = chart;  // where the browser tests find a point to hover
    },

    resizeChart() {
      const el = document.getElementById("window-chart");
      if (chart && el) chart.setSize({ width: Math.max(280, el.clientWidth), height: chart.height });
    },

    hover(u) {
      const i = u.cursor.idx;
      if (i === null || i === undefined || u.cursor.left < 0) { this.tip.show = false; return; }
      const t = u.data[0][i];
      const lines = [];
      for (const e of this.win.events) {
        if (e.released_at === t && t <= this.win.now) {
          lines.push(e.phone_number + " — " + this.causeText(e.cause) + " " + fmtTime(e.released_at));
        }
        if (e.leaves_window_at === t) lines.push(e.phone_number + " leaves the window " + fmtTime(t));
      }
      if (!lines.length) { this.tip.show = false; return; }
      this.tip = { show: true, lines, x: Math.min(u.cursor.left + 16, u.over.clientWidth - 220),
                   y: u.cursor.top + 10 };
    },

    // --- instances and numbers -------------------------------------------------------------------------------
    async loadInstances() {
      const where = this.where();
      if (!where.account) { this.instances = []; return; }
      const out = await this.api("GET", "/state?" + query({ ...where, lists: "instances", max_results: 200 }));
      this.instances = out.partitions.length ? out.partitions[0].instances : [];
    },

    aliasOf(id) {
      const i = this.instances.find((x) => x.Id === id);
      return i ? i.InstanceAlias || id : id;
    },

    chooseInstance(id) {
      this.filters.instance = this.filters.instance === id ? "" : id;
      this.loadNumbers(true);
    },

    async loadNumbers(reset) {
      const where = this.where();
      if (!where.account) { this.numbers = []; return; }
      if (reset) { this.numberTokens = [null]; this.numberPage = 0; }
      const f = this.filters;
      const params = { ...where, lists: "phone_numbers", max_results: PAGE, instance: f.instance, status: f.status,
                       type: f.type, country: f.country.toUpperCase(), prefix: f.prefix,
                       next_token: this.numberTokens[this.numberPage] };
      try {
        const out = await this.api("GET", "/state?" + query(params));
        this.numbers = out.partitions.length ? out.partitions[0].phone_numbers : [];
        this.numberNext = out.next_token || null;
        this.numbersLoaded = true;
      } catch (error) {
        if (error.status === 400 && reset) { this.fail(error); return; }
        throw error;
      }
      if (this.detail) await this.openNumber(this.detail.PhoneNumber.PhoneNumberId, false);
    },

    pageNumbers(step) {
      if (step > 0 && this.numberNext) {
        this.numberTokens[this.numberPage + 1] = this.numberNext;
        this.numberPage += 1;
      } else if (step < 0 && this.numberPage > 0) {
        this.numberPage -= 1;
      }
      return this.loadNumbers(false);
    },

    numbersCaption() {
      const p = this.current();
      if (!p) return "";
      const c = p.counts.phone_numbers;
      return "(" + fmtCount(c.IN_PROGRESS + c.CLAIMED + c.FAILED) + " in this account and Region: " +
        fmtCount(c.CLAIMED) + " CLAIMED, " + fmtCount(c.IN_PROGRESS) + " IN_PROGRESS, " + fmtCount(c.FAILED) + " FAILED)";
    },

    async openNumber(id, focus = true) {
      try {
        this.detail = await this.api("GET", "/ui/api/number?" + query({ ...this.where(), id }));
      } catch (error) {
        if (error.status === 404) { this.detail = null; if (focus) this.fail(error); return; }
        throw error;
      }
      if (focus) this.$nextTick(() => { const h = document.getElementById("detail-title"); if (h) h.focus(); });
    },

    async showNumber(id) {
      location.hash = "numbers";
      await this.openNumber(id);
    },

    historyDetail(h) {
      let text = h.detail ? "— " + h.detail : "";
      if (h.instance_id) text += " (instance " + this.aliasOf(h.instance_id) + ")";
      if (h.leaves_window_at) text += "; leaves the window " + fmtTime(h.leaves_window_at);
      return text;
    },

    // --- End User Messaging ------------------------------------------------------------------------------------
    async loadEum(reset) {
      const where = this.where();
      if (!where.account) { this.eum = []; return; }
      if (reset) { this.eumTokens = [null]; this.eumPage = 0; }
      const out = await this.api("GET", "/state?" + query({ ...where, lists: "sms_voice_phone_numbers",
        max_results: PAGE, status: this.eumStatus, next_token: this.eumTokens[this.eumPage] }));
      this.eum = out.partitions.length ? out.partitions[0].sms_voice_phone_numbers : [];
      this.eumNext = out.next_token || null;
      this.eumLoaded = true;
    },

    pageEum(step) {
      if (step > 0 && this.eumNext) {
        this.eumTokens[this.eumPage + 1] = this.eumNext;
        this.eumPage += 1;
      } else if (step < 0 && this.eumPage > 0) {
        this.eumPage -= 1;
      }
      return this.loadEum(false);
    },

    // --- the request log ---------------------------------------------------------------------------------------
    async loadRequests() {
      const out = await this.api("GET", "/requests?" + query({ since: this.requestSeq, limit: REQUESTS_KEPT }));
      if (out.last_seq < this.requestSeq) this.requests = [];  // the server restarted: start again
      this.requests = this.requests.concat(out.requests).slice(-REQUESTS_KEPT);
      this.requestSeq = out.last_seq;
      this.requestsKept = out.kept;
    },

    shownRequests() {
      const f = this.reqFilter;
      const text = f.text.toLowerCase();
      return this.requests.filter((r) => (!f.kind || r.kind === f.kind) && (!f.errors || r.status >= 400) &&
        (!text || (r.service + ":" + r.operation + " " + (r.error || "")).toLowerCase().includes(text))).reverse();
    },

    wallTime(t) { return new Date(t * 1000).toLocaleTimeString("en-GB", { hour12: false }); },

    // --- actions -------------------------------------------------------------------------------------------------
    target() {
      // What the form says, else the account and Region chosen elsewhere on the page, else the server's defaults.
      const out = { ...this.where() };
      if (this.forms.account) out.account = this.forms.account.trim();
      if (this.forms.region) out.region = this.forms.region.trim();
      return out;
    },

    setQuotas() {
      const body = this.target();
      if (this.forms.perInstance !== "") body.phone_numbers_per_instance = Number(this.forms.perInstance);
      if (this.forms.instances !== "") body.instances_per_region = Number(this.forms.instances);
      return this.act((q) => "Quotas of " + q.account + " " + q.region + ": " + q.phone_numbers_per_instance +
        " numbers per instance, " + q.instances_per_region + " instances per Region.", "POST", "/quotas", body);
    },

    supportCase() {
      return this.act((r) => "Support case recorded for " + r.account + " " + r.region + ": " +
        r.release_events_cleared + " release events cleared.", "POST", "/support-case", this.target());
    },

    seed() {
      const s = this.forms.seed;
      const body = { ...this.target(), NumberType: s.type, Status: s.status, IsoCountryCode: s.country.toUpperCase(),
                     MessageType: s.messageType };
      if (s.number) body.PhoneNumber = s.number.trim();
      return this.act((n) => "Seeded " + n.NumberType + " " + n.PhoneNumber + " (" + n.Status + "), " +
        n.PhoneNumberArn + ".", "POST", "/seed/sms-voice/phone-numbers", body);
    },

    async loadFaults() { this.faults = (await this.api("GET", "/faults")).faults; },

    addFault() {
      const f = this.forms.fault;
      const body = { operation: f.operation.trim(), error: f.error };
      if (f.rate !== "") body.rate = Number(f.rate); else body.count = Number(f.count);
      if (f.account) body.account = f.account.trim();
      return this.act((out) => "Fault added: " + this.faultText(out) + ".", "POST", "/faults", body);
    },

    clearFaults() {
      return this.act((out) => "Faults cleared (" + out.cleared + ").", "DELETE", "/faults");
    },

    faultText(f) {
      const how = f.count !== undefined && f.count !== null ? "the next " + f.count + " calls" : Math.round(f.rate * 100) + " % of calls";
      return f.operation + " fails " + how + " with " + f.error + (f.account ? " for " + f.account : "") +
        (f.injected !== undefined ? " (" + f.injected + " injected)" : "");
    },

    resetState() {
      const account = this.forms.resetAccount.trim();
      return this.act((r) => (r.reset === "all" ? "Everything reset." : "Account " + r.reset + " reset."), "POST",
                      "/reset", account ? { account } : {});
    },
  }));
});
