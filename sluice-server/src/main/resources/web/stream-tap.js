// The Streams page: a live tap on any topic of the pipeline (source, dead letters, late events, results), pausable
// and filterable. The server runs one Kafka consumer per open tap and sends records as server-sent events, at most
// a bounded number per second and cut to a bounded size; closing the page closes the tap.
import { renderNav } from './nav.js';
import { getJson, subscribe } from './api.js';

const pipeline = new URLSearchParams(window.location.search).get('pipeline');
const MAX_ROWS = 500;
const records = [];
let paused = false;
let missedWhilePaused = 0;
let skipped = 0;
let closeTap = null;

function showError(text) {
  const box = document.getElementById('error');
  box.textContent = text;
  box.hidden = !text;
}

function matches(record, filter) {
  if (!filter) {
    return true;
  }
  const needle = filter.toLowerCase();
  return String(record.key ?? '').toLowerCase().includes(needle) || String(record.value ?? '').toLowerCase().includes(needle);
}

function cell(row, text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) {
    td.className = className;
  }
  row.append(td);
}

function renderRecords() {
  const filter = document.getElementById('filter').value.trim();
  const body = document.getElementById('records');
  body.replaceChildren();
  for (const r of records) {
    if (!matches(r, filter)) {
      continue;
    }
    const row = document.createElement('tr');
    cell(row, r.timestamp >= 0 ? new Date(r.timestamp).toISOString().replace('T', ' ').replace('Z', '') : '', 'nowrap');
    cell(row, String(r.partition), 'num');
    cell(row, String(r.offset), 'num');
    cell(row, r.key ?? '', 'value');
    cell(row, (r.value ?? 'null (tombstone)') + (r.truncated ? ' … (cut)' : ''), 'value');
    body.append(row);
  }
}

function renderNote(ready) {
  const parts = [];
  if (ready) {
    parts.push(`Reading ${ready.partitions} partition(s) of ${ready.topic} from the end, ${ready.isolation}: records of`
      + ` transactions that are not committed yet are shown too. At most ${ready.maxRecordsPerSecond} records a second`
      + ` and ${ready.maxValueBytes} bytes of each key and value reach this page.`);
  }
  if (skipped > 0) {
    parts.push(`${skipped} record(s) skipped over the rate limit.`);
  }
  if (paused && missedWhilePaused > 0) {
    parts.push(`${missedWhilePaused} record(s) arrived while paused and are not shown.`);
  }
  document.getElementById('note').textContent = parts.join(' ');
}

let lastReady = null;

function tap(topic) {
  if (closeTap) {
    closeTap();
    closeTap = null;
  }
  records.length = 0;
  skipped = 0;
  missedWhilePaused = 0;
  renderRecords();
  showError('');
  const live = document.getElementById('live');
  const url = `/api/v1/pipelines/${encodeURIComponent(pipeline)}/streams/${encodeURIComponent(topic)}/tap`;
  closeTap = subscribe(url, (data, type) => {
    if (type === 'ready') {
      lastReady = data;
      live.textContent = 'tapping ' + data.topic;
      live.className = 'badge live';
    } else if (type === 'record') {
      if (paused) {
        missedWhilePaused++;
      } else {
        records.unshift(data);
        if (records.length > MAX_ROWS) {
          records.length = MAX_ROWS;
        }
        renderRecords();
      }
    } else if (type === 'skipped') {
      skipped += data.records;
    } else if (type === 'failed') {
      showError((data.error ? data.error + ': ' : '') + (data.detail || ''));
    }
    renderNote(lastReady);
  }, {
    events: ['ready', 'record', 'skipped', 'failed'],
    onState: (state) => {
      if (state !== 'open') {
        live.textContent = state;
        live.className = 'badge stale';
      }
    },
  });
}

async function start() {
  renderNav('streams', pipeline);
  if (!pipeline) {
    showError('Name a pipeline: streams.html?pipeline=NAME');
    return;
  }
  document.getElementById('name').textContent = pipeline;
  const select = document.getElementById('topic');
  try {
    const answer = await getJson(`/api/v1/pipelines/${encodeURIComponent(pipeline)}/streams`);
    for (const topic of answer.topics) {
      const option = document.createElement('option');
      option.value = topic;
      option.textContent = topic;
      select.append(option);
    }
  } catch (e) {
    showError(e.message);
    return;
  }
  const wanted = new URLSearchParams(window.location.search).get('topic');
  if (wanted && [...select.options].some((o) => o.value === wanted)) {
    select.value = wanted;
  }
  select.addEventListener('change', () => tap(select.value));
  document.getElementById('filter').addEventListener('input', renderRecords);
  const pause = document.getElementById('pause');
  pause.addEventListener('click', () => {
    paused = !paused;
    pause.textContent = paused ? 'Resume' : 'Pause';
    pause.setAttribute('aria-pressed', String(paused));
    if (!paused) {
      missedWhilePaused = 0;
    }
    renderNote(lastReady);
  });
  document.getElementById('clear').addEventListener('click', () => {
    records.length = 0;
    renderRecords();
  });
  window.addEventListener('pagehide', () => {
    if (closeTap) {
      closeTap();
    }
  });
  if (select.value) {
    tap(select.value);
  }
}

start();
