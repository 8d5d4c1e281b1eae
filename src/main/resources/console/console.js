// SuiteSync operator console: one Alpine.js component over the admin API (/admin/**) and the bridge's
// operations API (/bridge/**). No back end of its own; the browser's HTTP Basic login (the admin user)
// authenticates every call, as it does the page. docs/console.md describes the views.
'use strict';

// the console is served at <prefix>/console/: the APIs live beside it (a reverse proxy may add a prefix)
const BASE = location.pathname.replace(/\/console(\/.*)?$/, '');
const REFRESH_MS = 2000;
const CHART_POINTS = 90;

/** Calls the API; a refusal or failure throws an Error carrying the API's own message. */
async function api(method, path, body) {
  const headers = {Accept: 'application/json'};
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  // built on location.origin: never carries user info from the page's URL into a request
  const url = new URL(BASE + path, location.origin);
  const response = await fetch(url, {method, headers, credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body)});
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch (notJson) {
    json = null;
  }
  if (!response.ok) {
    const message = json && json.message ? json.message : text || response.statusText;
    const error = new Error(method + ' ' + path + ' answered ' + response.status + ': ' + message);
    error.status = response.status;
    throw error;
  }
  return json;
}

function query(params) {
  const q = new URLSearchParams();
  Object.entries(params).forEach(([k, v]) => {
    if (v !== null && v !== undefined && v !== '') {
      q.set(k, v);
    }
  });
  const s = q.toString();
  return s ? '?' + s : '';
}

function enc(segment) {
  return encodeURIComponent(segment);
}

function chart(element, label, color) {
  const opts = {
    width: 320, height: 120, legend: {show: false}, cursor: {show: false},
    scales: {x: {time: true}},
    axes: [{size: 24, font: '10px sans-serif'}, {size: 40, font: '10px sans-serif'}],
    series: [{}, {label, stroke: color, width: 1.5, fill: color + '22'}],
  };
  return new uPlot(opts, [[], []], element);
}

document.addEventListener('alpine:init', () => {
  Alpine.data('consoleApp', () => ({
    view: 'tenants',
    hubRuns: true,
    bridgeRuns: false,
    signedIn: false,
    error: '',
    notice: '',
    tenants: {search: '', offset: 0, limit: 50, total: 0, applications: [], rows: []},
    jobs: [],
    sync: {tenantId: '', appCode: '', sinceDate: '', credits: true, organizations: true, assignments: true,
      counts: null, total: 0},
    relay: {last: {throughput: 0, pending: 0, lagSeconds: 0, errorRate: 0}, lagging: [], deadLetters: []},
    bridge: {stats: {}, failed: [], log: [], webhooks: []},
    tail: {tenantId: '', app: '', eventType: '', stream: '', length: 0, events: []},
    confirm: {open: false, text: '', skipOption: false, skip: false, action: null},
    ticking: false,

    async start() {
      this.bridgeRuns = await this.answers('/bridge/stats');
      this.hubRuns = await this.answers('/admin/relay/metrics');
      this.route();
      window.addEventListener('hashchange', () => this.route());
      this.samples = [];
      this.tick();
      setInterval(() => this.tick(), REFRESH_MS);
    },

    /** Whether this process serves an API (200), or not at all (404: the role does not run here). */
    async answers(path) {
      try {
        await api('GET', path);
        this.signedIn = true;
        return true;
      } catch (e) {
        if (e.status !== 404) {
          this.fail(e);
        }
        return false;
      }
    },

    route() {
      const wanted = (location.hash || '#').substring(1);
      const views = ['tenants', 'backfills', 'relay', 'bridge', 'tail'];
      this.view = views.includes(wanted) ? wanted : (this.hubRuns ? 'tenants' : 'bridge');
      this.refreshView();
    },

    async tick() {
      if (this.ticking) {
        return; // the previous refresh is still waiting for its answers: skip a beat rather than pile up calls
      }
      this.ticking = true;
      try {
        if (this.hubRuns) {
          await this.sampleRelay();
        }
        await this.refreshView();
      } finally {
        this.ticking = false;
      }
    },

    async refreshView() {
      try {
        if (this.view === 'tenants' && this.hubRuns) {
          await this.loadTenants();
        } else if (this.view === 'backfills' && this.hubRuns) {
          await this.loadJobs();
        } else if (this.view === 'relay' && this.hubRuns) {
          await this.loadRelayLists();
        } else if (this.view === 'bridge' && this.bridgeRuns) {
          await this.loadBridge();
        } else if (this.view === 'tail' && this.tail.stream) {
          await this.loadTail();
        }
      } catch (e) {
        this.fail(e);
      }
    },

    fail(e) {
      this.error = e.status === 401
        ? 'not signed in (or the credentials changed): reload the page to log in again. ' + e.message
        : e.message;
    },

    // ---- tenants × applications
    async loadTenants() {
      const page = await api('GET', '/admin/tenants' + query({search: this.tenants.search,
        limit: this.tenants.limit, offset: this.tenants.offset}));
      this.tenants.total = page.total;
      this.tenants.applications = page.applications;
      this.tenants.rows = page.tenants;
    },
    pageTenants(direction) {
      this.tenants.offset = Math.max(0, this.tenants.offset + direction * this.tenants.limit);
      this.loadTenants().catch(e => this.fail(e));
    },
    tenantsRange() {
      const t = this.tenants;
      if (t.total === 0) {
        return 'no tenant';
      }
      return (t.offset + 1) + '–' + Math.min(t.total, t.offset + t.limit) + ' of ' + t.total + ' tenants';
    },
    askToggle(tenantId, app, enable) {
      this.ask((enable ? 'Enable ' : 'Disable ') + app + ' for tenant ' + tenantId + '?'
          + (enable ? ' Its history is sent to the stream unless you skip it.' : ' Live events to it stop at once.'),
        async skip => {
          const result = await api('POST', '/admin/organizations/' + enc(tenantId) + '/applications/' + enc(app) + '/toggle',
            {isEnabled: enable, skipHistoricalSync: enable && skip});
          this.notice = tenantId + ' / ' + app + ': ' + result.message + (result.jobId ? ' (job ' + result.jobId + ')' : '');
          await this.loadTenants();
        }, enable);
    },
    tailOf(tenantId, app) {
      this.tail.tenantId = tenantId;
      this.tail.app = app;
      this.tail.eventType = '';
      this.loadTail();
    },

    // ---- backfills
    async loadJobs() {
      this.jobs = (await api('GET', '/admin/sync/jobs?limit=50')).jobs;
    },
    syncBody(dryRun) {
      return {dryRun, sinceDate: this.sync.sinceDate || null, syncCredits: this.sync.credits,
        syncOrganizations: this.sync.organizations, syncAssignments: this.sync.assignments};
    },
    syncPath() {
      return '/admin/organizations/' + enc(this.sync.tenantId.trim()) + '/applications/' + enc(this.sync.appCode.trim())
        + '/sync-historical';
    },
    async dryRun() {
      try {
        const result = await api('POST', this.syncPath(), this.syncBody(true));
        this.sync.counts = result.counts;
        this.sync.total = result.total;
      } catch (e) {
        this.sync.counts = null;
        this.fail(e);
      }
    },
    askSync() {
      this.ask('Send the history of ' + this.sync.appCode + ' to tenant ' + this.sync.tenantId
          + (this.sync.sinceDate ? ' since ' + this.sync.sinceDate : ' (everything)') + ' again?', async () => {
        const result = await api('POST', this.syncPath(), this.syncBody(false));
        this.notice = 'backfill started: job ' + result.jobId;
        await this.loadJobs();
      });
    },
    percent(done, total) {
      if (total === null || total === undefined) {
        return 0;
      }
      return total === 0 ? 100 : Math.floor(100 * done / total);
    },

    // ---- relay
    async sampleRelay() {
      let m;
      try {
        m = await api('GET', '/admin/relay/metrics');
      } catch (e) {
        this.fail(e);
        return;
      }
      const now = Date.now() / 1000;
      const previous = this.samples[this.samples.length - 1];
      const throughput = previous ? Math.max(0, (m.eventsPublished - previous.events) / (now - previous.t)) : 0;
      this.samples.push({t: now, events: m.eventsPublished, throughput, pending: m.pending, lag: m.lagSeconds,
        errors: m.errorRate});
      if (this.samples.length > CHART_POINTS) {
        this.samples.shift();
      }
      this.relay.last = {throughput: Math.round(throughput), pending: m.pending, lagSeconds: m.lagSeconds,
        errorRate: m.errorRate};
      this.drawCharts();
    },
    drawCharts() {
      if (this.view !== 'relay') {
        return;
      }
      if (!this.charts) {
        this.charts = {
          throughput: chart(document.getElementById('chart-throughput'), 'events/s', '#2f6fb5'),
          pending: chart(document.getElementById('chart-pending'), 'pending', '#b5812f'),
          lag: chart(document.getElementById('chart-lag'), 'lag s', '#8a3fb5'),
          errors: chart(document.getElementById('chart-errors'), 'error rate', '#c0392b'),
        };
      }
      const t = this.samples.map(s => s.t);
      this.charts.throughput.setData([t, this.samples.map(s => s.throughput)]);
      this.charts.pending.setData([t, this.samples.map(s => s.pending)]);
      this.charts.lag.setData([t, this.samples.map(s => s.lag)]);
      this.charts.errors.setData([t, this.samples.map(s => s.errors)]);
    },
    async loadRelayLists() {
      const [lagging, parked] = await Promise.all([api('GET', '/admin/relay/tenants?limit=10'),
        api('GET', '/admin/relay/dead-letters?limit=200')]);
      this.relay.lagging = lagging.tenants;
      this.relay.deadLetters = parked.deadLetters;
      this.$nextTick(() => this.drawCharts());
    },
    askReplay(d) {
      this.ask('Replay parked change ' + d.changeId + ' of tenant ' + d.tenantId + ' (' + d.table + ')?', async () => {
        await api('POST', '/admin/relay/dead-letters/' + enc(d.changeId) + '/replay');
        this.notice = 'change ' + d.changeId + ' is queued again';
        await this.loadRelayLists();
      });
    },
    askReplayAll() {
      this.ask('Replay all ' + this.relay.deadLetters.length + ' parked changes?', async () => {
        const result = await api('POST', '/admin/relay/dead-letters/replay-all');
        this.notice = result.replayed + ' parked changes queued again';
        await this.loadRelayLists();
      });
    },
    askProcessNow() {
      this.ask('Run a relay poll now?', async () => {
        await api('POST', '/admin/relay/process-now');
        this.notice = 'relay poll triggered';
      });
    },

    // ---- bridge
    async loadBridge() {
      const [stats, failed, log, webhooks] = await Promise.all([api('GET', '/bridge/stats'),
        api('GET', '/bridge/failed'), api('GET', '/bridge/sync-log?limit=50'), api('GET', '/bridge/webhooks')]);
      this.bridge.stats = stats;
      this.bridge.failed = failed;
      this.bridge.log = log.entries;
      this.bridge.webhooks = webhooks;
    },
    askRetry(f) {
      this.ask('Retry failed item ' + f.id + ' (' + f.sourceSystem + ' ' + f.entityType + ' ' + f.sourceId
          + ') with fresh attempts?', async () => {
        await api('POST', '/bridge/failed/' + enc(f.id) + '/retry');
        this.notice = 'item ' + f.id + ' is queued again';
        await this.loadBridge();
      });
    },
    askRetryAll() {
      this.ask('Retry all ' + this.bridge.failed.length + ' failed items?', async () => {
        const result = await api('POST', '/bridge/failed/retry-all');
        this.notice = result.retried + ' items queued again';
        await this.loadBridge();
      });
    },
    askPollNow() {
      this.ask('Poll CRM and Finance now?', async () => {
        await api('POST', '/bridge/poll-now');
        this.notice = 'polled CRM and Finance';
        await this.loadBridge();
      });
    },

    // ---- live tail
    async loadTail() {
      if (!this.tail.tenantId.trim() || !this.tail.app.trim()) {
        this.error = 'live tail: enter a tenant and an application';
        return;
      }
      try {
        const tail = await api('GET', '/admin/streams/' + enc(this.tail.app.trim()) + '/' + enc(this.tail.tenantId.trim())
          + query({count: 100, eventType: this.tail.eventType.trim()}));
        this.tail.stream = tail.stream;
        this.tail.length = tail.length;
        this.tail.events = tail.events.slice().reverse();
      } catch (e) {
        this.tail.stream = '';
        this.tail.events = [];
        this.fail(e);
      }
    },

    // ---- confirmation of state-changing actions
    ask(text, action, skipOption = false) {
      this.confirm = {open: true, text, skipOption, skip: false, action};
    },
    async confirmed() {
      const {action, skip} = this.confirm;
      this.confirm.open = false;
      this.error = '';
      try {
        await action(skip);
      } catch (e) {
        this.fail(e);
      }
    },

    // ---- formatting
    ago(iso) {
      if (!iso) {
        return '';
      }
      const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
      if (s < 60) {
        return Math.round(s) + ' s ago';
      }
      if (s < 3600) {
        return Math.round(s / 60) + ' min ago';
      }
      if (s < 86400) {
        return Math.round(s / 3600) + ' h ago';
      }
      return iso.substring(0, 16).replace('T', ' ');
    },
    seconds(value) {
      const s = Number(value || 0);
      return s < 10 ? s.toFixed(1) + ' s' : Math.round(s) + ' s';
    },
  }));
});
