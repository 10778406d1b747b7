// Overview: every pipeline with its state, events/s in (from the change of its source offsets), and links to its pages.
import { renderNav } from '/nav.js';
import { getJson } from '/api.js';

const REFRESH_MS = 5000;
const previous = new Map();

function term(dl, name, value, className) {
  const dt = document.createElement('dt');
  dt.textContent = name;
  const dd = document.createElement('dd');
  dd.textContent = value;
  if (className) {
    dd.className = className;
  }
  dl.append(dt, dd);
}

function format(n) {
  return Number(n).toLocaleString('en-US', { maximumFractionDigits: 1 });
}

function bytes(n) {
  if (n < 0) {
    return 'none yet';
  }
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return format(n) + ' ' + units[i];
}

function cores(n) {
  return Number(n).toFixed(2) + ' cores';
}

// The whole server: CPU (and the part no single pipeline used), heap, task slots (docs/server.md#resources-per-pipeline).
function server(r) {
  return 'Server: CPU ' + cores(r.cpuCores) + ' of ' + r.processors + ' (' + cores(r.sharedCpuCores) + ' shared: broker, checkpoints, JIT, GC)'
    + ' · heap ' + bytes(r.heapUsedBytes) + ' of ' + bytes(r.heapMaxBytes)
    + ' · task slots ' + r.taskSlotsUsed + ' of ' + r.taskSlots + ' in use';
}

function card(p, rate) {
  const section = document.createElement('section');
  section.className = 'card';
  section.dataset.pipeline = p.name;
  const h2 = document.createElement('h2');
  const a = document.createElement('a');
  a.href = '/dashboard.html?pipeline=' + encodeURIComponent(p.name);
  a.textContent = p.name;
  h2.append(a);
  section.append(h2);
  if (p.description) {
    const d = document.createElement('p');
    d.className = 'muted';
    d.textContent = p.description;
    section.append(d);
  }
  const dl = document.createElement('dl');
  term(dl, 'Status', p.state, 'state state-' + p.state);
  term(dl, 'Events/s in', rate === null ? '…' : format(rate));
  term(dl, 'Events in', format(p.eventsIn));
  term(dl, 'Results stored', format(p.resultsOut));
  term(dl, 'Dead letters', format(p.deadLetters));
  term(dl, 'Late events', format(p.lateEvents));
  if (p.resources) {
    term(dl, 'CPU', cores(p.resources.cpuCores));
    term(dl, 'State', bytes(p.resources.stateBytes) + ' in ' + p.taskSlots + (p.taskSlots === 1 ? ' slot' : ' slots'));
  }
  if (p.failure) {
    term(dl, 'Failure', p.failure);
  }
  section.append(dl);
  const links = document.createElement('div');
  links.className = 'links';
  const q = '?pipeline=' + encodeURIComponent(p.name);
  for (const [text, path] of [['Dashboards', '/dashboard.html'], ['Pipeline', '/pipeline.html'], ['Streams', '/streams.html'],
    ['Dead letters', '/dead-letters.html'], ['Alerts', '/alerts.html']]) {
    const l = document.createElement('a');
    l.href = path + q;
    l.textContent = text;
    links.append(l);
  }
  section.append(links);
  return section;
}

async function refresh() {
  const error = document.getElementById('error');
  try {
    const body = await getJson('/api/v1/pipelines');
    const now = performance.now();
    const cards = [];
    for (const p of body.pipelines) {
      const before = previous.get(p.name);
      const rate = before ? Math.max(0, (p.eventsIn - before.eventsIn) / ((now - before.at) / 1000)) : null;
      previous.set(p.name, { eventsIn: p.eventsIn, at: now });
      cards.push(card(p, rate));
    }
    const list = document.getElementById('pipelines');
    list.replaceChildren(...cards);
    if (cards.length === 0) {
      const none = document.createElement('p');
      none.className = 'muted';
      none.textContent = 'No pipeline runs. Deploy one with: sluice deploy pipeline.yaml';
      list.append(none);
    }
    // Low disk space on the data directory: the warning, or that new input is refused (docs/reliability.md).
    const disk = document.getElementById('disk');
    disk.hidden = !body.disk || body.disk.level === 'OK';
    disk.textContent = disk.hidden ? '' : body.disk.detail;
    const machine = document.getElementById('server');
    machine.hidden = !body.resources;
    machine.textContent = body.resources ? server(body.resources) : '';
    document.getElementById('updated').textContent = 'Updated ' + new Date().toLocaleTimeString() + '.';
    error.hidden = true;
  } catch (e) {
    error.textContent = 'Cannot read the pipelines: ' + e.message;
    error.hidden = false;
  }
}

renderNav('overview');
refresh();
window.setInterval(refresh, REFRESH_MS);
