// A pipeline's dashboard, kept live by server push: the page subscribes to the dashboard's event stream, gets a
// snapshot of every panel, then one event per panel whenever the loader commits rows the panel reads. It never polls.
// Without ?dashboard= it lists the pipeline's dashboards.
import { renderNav } from '/nav.js';
import { getJson, subscribe } from '/api.js';
import * as echarts from '/webjars/echarts/5.3.1/dist/echarts.esm.min.js';
import { createTimeseriesPanel } from '/panels/timeseries-panel.js';
import { createBarPanel } from '/panels/bar-panel.js';
import { createTablePanel } from '/panels/table-panel.js';
import { createStatPanel } from '/panels/stat-panel.js';
import { createTopPanel } from '/panels/top-panel.js';
import { createMapPanel } from '/panels/map-panel.js';

const VISUALS = {
  timeseries: createTimeseriesPanel,
  bar: createBarPanel,
  table: createTablePanel,
  stat: createStatPanel,
  top: createTopPanel,
  map: createMapPanel,
};

// For tests and the browser console: the charting library, to inspect a chart with echarts.getInstanceByDom.
window.sluice = { echarts };

const params = new URLSearchParams(window.location.search);
const pipeline = params.get('pipeline');
const dashboard = params.get('dashboard');
const panels = new Map();

function showError(text) {
  const error = document.getElementById('error');
  error.textContent = text;
  error.hidden = false;
}

function formatTime(iso) {
  return iso ? new Date(iso).toLocaleTimeString() : '';
}

async function listDashboards() {
  document.getElementById('title').textContent = 'Dashboards of ' + pipeline;
  const body = await getJson('/api/v1/pipelines/' + encodeURIComponent(pipeline) + '/dashboards');
  if (body.dashboards.length === 1) {
    window.location.replace('/dashboard.html?pipeline=' + encodeURIComponent(pipeline)
      + '&dashboard=' + encodeURIComponent(body.dashboards[0].name));
    return;
  }
  const list = document.getElementById('list');
  if (body.dashboards.length === 0) {
    document.getElementById('lead').textContent = 'This pipeline has no dashboards. Add a dashboards: section to its file'
      + ' (see docs/pipeline-spec.md) and deploy it again.';
    return;
  }
  for (const d of body.dashboards) {
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.href = '/dashboard.html?pipeline=' + encodeURIComponent(pipeline) + '&dashboard=' + encodeURIComponent(d.name);
    a.textContent = d.title;
    li.append(a, ' – ' + d.panels.length + ' panels');
    list.append(li);
  }
  list.hidden = false;
}

function buildPanel(state) {
  const section = document.createElement('section');
  section.className = 'panel size-' + state.options.size;
  section.dataset.panel = state.id;
  section.dataset.visual = state.visual;
  section.dataset.updates = '0';
  section.setAttribute('aria-labelledby', 'title-' + state.id);
  const header = document.createElement('div');
  header.className = 'panel-header';
  const h2 = document.createElement('h2');
  h2.id = 'title-' + state.id;
  h2.textContent = state.title;
  h2.title = state.title;
  const updated = document.createElement('span');
  updated.className = 'panel-updated';
  header.append(h2, updated);
  const error = document.createElement('div');
  error.className = 'error';
  error.setAttribute('role', 'alert');
  error.hidden = true;
  const body = document.createElement('div');
  body.className = 'panel-body';
  section.append(header, error, body);
  const create = VISUALS[state.visual];
  const view = create(body, state);
  return { section, updated, error, body, view, updates: 0 };
}

function updatePanel(state) {
  const panel = panels.get(state.id);
  if (!panel) {
    return;
  }
  if (!state.evaluatedAt) {
    panel.updated.textContent = 'waiting for data…';
    return;
  }
  panel.updates += 1;
  panel.section.dataset.updates = String(panel.updates);
  panel.updated.textContent = 'updated ' + formatTime(state.evaluatedAt) + (state.truncated ? ' · first rows only' : '');
  if (state.error) {
    panel.error.textContent = state.error;
    panel.error.hidden = false;
    panel.body.hidden = true;
    return;
  }
  panel.error.hidden = true;
  panel.body.hidden = false;
  try {
    panel.view.update(state);
  } catch (e) {
    panel.error.textContent = 'Cannot show this result: ' + e.message;
    panel.error.hidden = false;
  }
}

function renderSnapshot(snapshot) {
  document.title = 'Sluice – ' + snapshot.title;
  document.getElementById('title').textContent = snapshot.title;
  document.getElementById('lead').textContent = 'Pipeline ' + snapshot.pipeline + '. Panels update when new results are stored.';
  const grid = document.getElementById('grid');
  for (const p of panels.values()) {
    p.view.dispose?.();
  }
  panels.clear();
  grid.replaceChildren();
  for (const state of snapshot.panels) {
    const panel = buildPanel(state);
    panels.set(state.id, panel);
    grid.append(panel.section);
    updatePanel(state);
  }
}

function setConnection(state) {
  const badge = document.getElementById('connection');
  if (state === 'open') {
    badge.textContent = 'live';
    badge.className = 'badge live';
  } else if (state === 'reconnecting') {
    badge.textContent = 'reconnecting…';
    badge.className = 'badge stale';
  }
}

function follow() {
  const url = '/api/v1/pipelines/' + encodeURIComponent(pipeline) + '/dashboards/' + encodeURIComponent(dashboard) + '/events';
  let close = null;
  close = subscribe(url, (event) => {
    if (event.type === 'snapshot') {
      renderSnapshot(event.dashboard);
    } else if (event.type === 'panel') {
      updatePanel(event.panel);
    } else if (event.type === 'reload') {
      // The pipeline was deployed again (its dashboards may have changed) or removed.
      close();
      window.setTimeout(start, 1000);
    }
  }, { onState: setConnection });
}

async function start() {
  try {
    if (dashboard) {
      // Fails with the server's reason (no such pipeline or dashboard) before the stream is opened.
      await getJson('/api/v1/pipelines/' + encodeURIComponent(pipeline) + '/dashboards/' + encodeURIComponent(dashboard));
      document.getElementById('error').hidden = true;
      follow();
    } else {
      await listDashboards();
    }
  } catch (e) {
    showError(e.message);
  }
}

renderNav('dashboards', pipeline);
if (!pipeline) {
  showError('Name a pipeline: /dashboard.html?pipeline=NAME. The overview lists them.');
} else {
  start();
}
window.addEventListener('resize', () => {
  for (const p of panels.values()) {
    p.view.resize?.();
  }
});
