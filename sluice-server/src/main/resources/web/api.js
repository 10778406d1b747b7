// The one way pages talk to the Sluice server: JSON requests and server-sent events.
// Authentication is handled here: with API keys configured the browser holds an HttpOnly session cookie
// (set by login.html); when the server answers 401 the page goes to the login form and comes back afterwards.

/** An error the server answered with: its status and its {"error", "detail"} body. */
export class ApiError extends Error {
  constructor(status, error, detail) {
    super(detail ? `${error}: ${detail}` : error);
    this.status = status;
    this.error = error;
    this.detail = detail;
  }
}

function toLogin() {
  const next = window.location.pathname + window.location.search;
  window.location.assign('/login.html?next=' + encodeURIComponent(next));
}

async function handle(response) {
  if (response.status === 401 && !window.location.pathname.endsWith('/login.html')) {
    toLogin();
  }
  const text = await response.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch (e) {
    body = null;
  }
  if (!response.ok) {
    throw new ApiError(response.status, (body && body.error) || `HTTP ${response.status}`,
      (body && body.detail) || text.slice(0, 300));
  }
  return body;
}

/** GETs JSON; throws ApiError with the server's reason when the answer is not 2xx. */
export async function getJson(url) {
  const response = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  return handle(response);
}

/** POSTs a JSON body and returns the JSON answer; throws ApiError when it is not 2xx. */
export async function postJson(url, body) {
  const response = await fetch(url, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(body),
  });
  return handle(response);
}

/**
 * Subscribes to server-sent events at url. onEvent(data, type) is called for every event: data is the parsed JSON
 * of the event (its text when it is not JSON), type the event name ('message' for unnamed events). Name further
 * event types in options.events; options.onState(state) hears 'open', 'reconnecting' and 'closed'.
 * Returns a function that closes the subscription. A lost connection is opened again after a short wait; when the
 * session has expired the page goes to the login form.
 */
export function subscribe(url, onEvent, options = {}) {
  const types = ['message', ...(options.events || [])];
  const onState = options.onState || (() => {});
  let source = null;
  let closed = false;
  let retry = null;

  function open() {
    source = new EventSource(url, { withCredentials: true });
    source.onopen = () => onState('open');
    for (const type of types) {
      source.addEventListener(type, (event) => {
        let data = event.data;
        try {
          data = JSON.parse(event.data);
        } catch (e) {
          // not JSON: hand over the text
        }
        onEvent(data, type);
      });
    }
    source.onerror = () => {
      if (closed || source.readyState !== EventSource.CLOSED) {
        if (!closed) {
          onState('reconnecting');
        }
        return;
      }
      // The server refused the stream (not 200) or went away: find out whether the session expired, then retry.
      onState('reconnecting');
      fetch('/api/v1/session', { credentials: 'same-origin' })
        .then((r) => r.json())
        .then((s) => {
          if (s.keysRequired && !s.authenticated) {
            toLogin();
          }
        })
        .catch(() => {});
      retry = window.setTimeout(() => {
        if (!closed) {
          open();
        }
      }, 2000);
    };
  }

  open();
  return () => {
    closed = true;
    if (retry) {
      window.clearTimeout(retry);
    }
    if (source) {
      source.close();
    }
    onState('closed');
  };
}
