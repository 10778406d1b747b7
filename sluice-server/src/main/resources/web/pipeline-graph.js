// The pipeline page: the graph sources -> views -> sinks with events per second, lag per partition, checkpoints,
// freshness per table and the Flink operators. The server pushes the pipeline's status every second (SSE).
import { renderNav } from './nav.js';
import { subscribe } from './api.js';

const pipeline = new URLSearchParams(window.location.search).get('pipeline');
const number = new Intl.NumberFormat('en-US');
const rateFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
const KIND_COLOUR = {
  source: '#1f5fbf', reference: '#6b7785', view: '#7a4fbf', sink: '#1b7a3d', 'dead-letters': '#b3261e', 'late-events': '#8a5a00',
};
let chart = null;
let layoutKey = '';

function showError(text) {
  const box = document.getElementById('error');
  box.textContent = text;
  box.hidden = !text;
}

function rate(value) {
  return value < 0 ? 'n/a' : rateFormat.format(value) + '/s';
}

function count(value) {
  return value < 0 ? 'n/a' : number.format(value);
}

function duration(millis) {
  if (millis < 0) {
    return 'none yet';
  }
  if (millis < 1000) {
    return millis + ' ms';
  }
  const seconds = millis / 1000;
  if (seconds < 120) {
    return rateFormat.format(seconds) + ' s';
  }
  if (seconds < 7200) {
    return rateFormat.format(seconds / 60) + ' min';
  }
  if (seconds < 172800) {
    return rateFormat.format(seconds / 3600) + ' h';
  }
  return rateFormat.format(seconds / 86400) + ' days';
}

function cell(row, text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) {
    td.className = className;
  }
  row.append(td);
  return td;
}

/**
 * Columns: sources first, each view one right of the furthest thing it reads, each sink right of its view; the
 * dead-letter and late-event outputs under the first views, so that no edge crosses a node.
 */
function layout(nodes) {
  const depth = new Map();
  const byId = new Map(nodes.map((n) => [n.id, n]));
  function depthOf(node) {
    if (depth.has(node.id)) {
      return depth.get(node.id);
    }
    depth.set(node.id, 0);
    let d = 0;
    if (node.kind === 'view') {
      for (const input of node.inputs) {
        const from = byId.get(input);
        if (from) {
          d = Math.max(d, depthOf(from) + 1);
        }
      }
      d = Math.max(d, 1);
    } else if (node.kind === 'dead-letters' || node.kind === 'late-events') {
      d = 1;
    }
    depth.set(node.id, d);
    return d;
  }
  nodes.forEach(depthOf);
  nodes.filter((n) => n.kind === 'sink').forEach((n) => {
    const view = byId.get(n.inputs[0]);
    depth.set(n.id, (view ? depth.get(view.id) : 1) + 1);
  });
  const columns = new Map();
  const order = (n) => (n.kind === 'dead-letters' || n.kind === 'late-events' ? 2 : n.kind === 'sink' ? 1 : 0);
  [...nodes].sort((a, b) => order(a) - order(b)).forEach((n) => {
    const d = depth.get(n.id);
    if (!columns.has(d)) {
      columns.set(d, []);
    }
    columns.get(d).push(n.id);
  });
  const positions = new Map();
  for (const [d, ids] of columns) {
    ids.forEach((id, i) => positions.set(id, { x: d * 260, y: i * 110 }));
  }
  return positions;
}

function label(node) {
  const lines = [`{name|${node.name}}`, `{kind|${node.kind}}`];
  if (node.kind === 'source') {
    lines.push(`in ${rate(node.inPerSecond)} · out ${rate(node.outPerSecond)}`);
  } else if (node.kind === 'sink') {
    lines.push(`in ${rate(node.inPerSecond)}`);
  } else if (node.kind === 'view') {
    lines.push(`out ${rate(node.outPerSecond)}`);
  } else if (node.kind !== 'reference') {
    lines.push(`${count(node.recordsIn)} stored`);
  }
  return lines.join('\n');
}

function renderGraph(status) {
  const container = document.getElementById('graph');
  if (!chart) {
    chart = window.echarts.init(container, null, { renderer: 'canvas' });
    window.addEventListener('resize', () => chart.resize());
  }
  const positions = layout(status.nodes);
  const data = status.nodes.map((n) => ({
    id: n.id,
    name: n.id,
    x: positions.get(n.id).x,
    y: positions.get(n.id).y,
    symbol: 'roundRect',
    symbolSize: [200, 62],
    itemStyle: { color: '#ffffff', borderColor: KIND_COLOUR[n.kind] || '#4f5b69', borderWidth: 2 },
    label: {
      show: true, color: '#1b2430', fontSize: 12, lineHeight: 16, formatter: label(n),
      rich: { name: { fontWeight: 'bold', fontSize: 13 }, kind: { color: '#4f5b69', fontSize: 11 } },
    },
    tooltip: {
      formatter: `${n.kind} ${n.name}<br>records in ${count(n.recordsIn)}, out ${count(n.recordsOut)}`
        + `<br>in ${rate(n.inPerSecond)}, out ${rate(n.outPerSecond)}`,
    },
  }));
  const links = [];
  for (const n of status.nodes) {
    for (const input of n.inputs) {
      links.push({ source: input, target: n.id });
    }
  }
  const key = status.nodes.map((n) => n.id + ':' + n.inputs.join(',')).join('|');
  chart.setOption({
    animation: false,
    tooltip: { confine: true },
    series: [{
      type: 'graph',
      layout: 'none',
      roam: true,
      data,
      links,
      edgeSymbol: ['none', 'arrow'],
      edgeSymbolSize: 9,
      lineStyle: { color: '#6b7785', width: 1.5, curveness: 0 },
    }],
  }, { notMerge: key !== layoutKey });
  layoutKey = key;
}

function renderCheckpoints(status) {
  const c = status.checkpoints;
  const facts = [
    ['Completed', number.format(c.completed)],
    ['Failed', number.format(c.failed)],
    ['Last duration', duration(c.lastDurationMillis)],
    ['Last completed', c.lastAgeMillis < 0 ? 'none yet' : duration(c.lastAgeMillis) + ' ago'],
    ['Restarts', number.format(c.restarts)],
    ['Events in', number.format(status.eventsIn)],
    ['Processed', number.format(status.eventsIn - status.pipelineLag)],
    ['Dead letters', number.format(status.deadLetters)],
    ['Late events', number.format(status.lateEvents)],
    ['Dropped late', number.format(status.lateRecordsDropped)],
  ];
  const dl = document.getElementById('checkpoints');
  dl.replaceChildren();
  for (const [term, value] of facts) {
    const dt = document.createElement('dt');
    dt.textContent = term;
    const dd = document.createElement('dd');
    dd.textContent = value;
    dl.append(dt, dd);
  }
}

function renderTables(status) {
  const body = document.getElementById('tables');
  body.replaceChildren();
  for (const t of status.tables) {
    const row = document.createElement('tr');
    cell(row, t.name);
    cell(row, number.format(t.rowsLoaded), 'num');
    cell(row, t.newestEventTime || 'no row yet');
    cell(row, t.freshnessMillis < 0 ? 'n/a' : duration(t.freshnessMillis), 'num');
    cell(row, `${duration(t.delayP50Millis)} / ${duration(t.delayP99Millis)}`, 'num');
    body.append(row);
  }
}

function renderLag(status) {
  const body = document.getElementById('lag');
  body.replaceChildren();
  for (const p of status.partitionLag) {
    const row = document.createElement('tr');
    cell(row, p.consumer);
    cell(row, p.topic);
    cell(row, String(p.partition), 'num');
    cell(row, number.format(p.endOffset), 'num');
    cell(row, number.format(p.position), 'num');
    cell(row, p.committed < 0 ? 'none' : number.format(p.committed), 'num');
    cell(row, number.format(p.lag), p.lag > 0 ? 'num lag-positive' : 'num');
    body.append(row);
  }
}

function renderOperators(status) {
  const body = document.getElementById('operators');
  body.replaceChildren();
  for (const o of status.operators) {
    const row = document.createElement('tr');
    cell(row, o.name);
    cell(row, rate(o.inPerSecond), 'num');
    cell(row, rate(o.outPerSecond), 'num');
    cell(row, number.format(o.recordsIn), 'num');
    cell(row, number.format(o.recordsOut), 'num');
    body.append(row);
  }
}

function render(status) {
  document.getElementById('state').textContent = status.state;
  document.getElementById('state').className = 'state state-' + status.state;
  document.getElementById('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
  showError(status.failure ? 'The job is ' + status.state + ': ' + status.failure : '');
  renderGraph(status);
  renderCheckpoints(status);
  renderTables(status);
  renderLag(status);
  renderOperators(status);
}

function start() {
  renderNav('pipeline', pipeline);
  if (!pipeline) {
    showError('Name a pipeline: pipeline.html?pipeline=NAME');
    return;
  }
  document.getElementById('name').textContent = pipeline;
  const live = document.getElementById('live');
  subscribe(`/api/v1/pipelines/${encodeURIComponent(pipeline)}/live`, (data, type) => {
    if (type === 'status') {
      render(data);
    } else if (type === 'failed') {
      showError(data.detail || String(data));
    }
  }, {
    events: ['status', 'failed'],
    onState: (state) => {
      live.textContent = state === 'open' ? 'live' : state;
      live.className = 'badge ' + (state === 'open' ? 'live' : 'stale');
    },
  });
}

start();
