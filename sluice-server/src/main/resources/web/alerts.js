// Alerts of one pipeline: firing, silences, recently resolved and history. Live: each notification the server pushes
// (server-sent events) reloads the overview once; nothing polls.
import { renderNav } from '/nav.js';
import { getJson, postJson, subscribe } from '/api.js';

const pipeline = new URLSearchParams(window.location.search).get('pipeline');
const base = '/api/v1/pipelines/' + encodeURIComponent(pipeline || '') + '/alerts';
let seen = new Set();
let reloading = null;

function cell(tr, text, className) {
  const td = document.createElement('td');
  td.textContent = text === null || text === undefined ? '' : String(text);
  if (className) {
    td.className = className;
  }
  tr.append(td);
  return td;
}

function time(iso) {
  return iso ? iso.replace('T', ' ').replace('Z', '') : '';
}

function fill(tableId, rows, render, emptyId) {
  const body = document.querySelector('#' + tableId + ' tbody');
  body.replaceChildren(...rows.map(render));
  if (emptyId) {
    document.getElementById(emptyId).hidden = rows.length > 0;
  }
}

function eventRow(e, withState) {
  const tr = document.createElement('tr');
  tr.dataset.alertId = e.alert_id;
  if (seen.size > 0 && !seen.has(e.alert_id)) {
    tr.className = 'new';
  }
  cell(tr, time(e.event_time));
  cell(tr, e.alert);
  cell(tr, e.alert_key);
  if (withState) {
    cell(tr, e.state, 'alert-state-' + e.state);
  }
  cell(tr, e.severity, 'severity-' + e.severity);
  cell(tr, e.message);
  if (withState) {
    const deliveries = (e.deliveries || []).join('; ');
    cell(tr, deliveries || 'dashboard only', deliveries.includes('gave-up') ? 'delivery-gave-up' : null);
  }
  return tr;
}

function silenceRow(s) {
  const tr = document.createElement('tr');
  cell(tr, s.alert);
  cell(tr, s.keyPattern);
  cell(tr, time(s.until));
  const td = document.createElement('td');
  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = 'Remove';
  button.setAttribute('aria-label', 'Remove the silence of ' + s.alert + ' ' + s.keyPattern);
  button.addEventListener('click', async () => {
    await request('DELETE', base + '/silences/' + encodeURIComponent(s.id));
    reload();
  });
  td.append(button);
  tr.append(td);
  return tr;
}

async function request(method, url) {
  const response = await fetch(url, { method, credentials: 'same-origin', headers: { Accept: 'application/json' } });
  if (!response.ok) {
    showError(new Error(method + ' ' + url + ' answered ' + response.status + ': ' + (await response.text()).slice(0, 300)));
  }
}

function showError(e) {
  const box = document.getElementById('error');
  box.textContent = e.message;
  box.hidden = false;
}

function render(o) {
  fill('firing', o.firing, (e) => eventRow(e, false), 'firing-empty');
  document.getElementById('firing-count').textContent = String(o.firing.length);
  fill('resolved', o.resolved, (e) => eventRow(e, false));
  fill('history', o.history, (e) => eventRow(e, true));
  fill('silences', o.silences, silenceRow, 'silences-empty');
  document.getElementById('counts').textContent = `${o.history.length} recent notifications; delivered ${o.deliveries.sent}, `
    + `given up ${o.deliveries.gave_up} since the server started.`;
  const select = document.getElementById('silence-alert');
  if (select.options.length === 0) {
    for (const name of ['*', ...o.alerts.map((a) => a.name)]) {
      const option = document.createElement('option');
      option.value = name;
      option.textContent = name === '*' ? 'every alert' : name;
      select.append(option);
    }
  }
  seen = new Set(o.history.map((e) => e.alert_id));
}

async function reload() {
  try {
    render(await getJson(base));
    document.getElementById('error').hidden = true;
  } catch (e) {
    showError(e);
  }
}

/** Coalesces bursts of notifications into one reload. */
function scheduleReload() {
  if (reloading === null) {
    reloading = window.setTimeout(() => {
      reloading = null;
      reload();
    }, 100);
  }
}

function start() {
  renderNav('alerts', pipeline);
  if (!pipeline) {
    showError(new Error('Open this page with ?pipeline=<name>.'));
    return;
  }
  document.getElementById('silence-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await postJson(base + '/silences', {
        alert: document.getElementById('silence-alert').value,
        key: document.getElementById('silence-key').value || '*',
        for: document.getElementById('silence-for').value,
      });
      reload();
    } catch (e) {
      showError(e);
    }
  });
  const live = document.getElementById('live');
  subscribe(base + '/stream', (data, type) => {
    if (type === 'alert') {
      scheduleReload();
    }
  }, {
    events: ['alert', 'ready'],
    onState: (state) => {
      live.textContent = state === 'open' ? 'live' : state;
      live.className = 'badge ' + (state === 'open' ? 'live' : 'stale');
      if (state === 'open') {
        reload();
      }
    },
  });
}

start();
