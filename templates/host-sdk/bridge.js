// The postMessage bridge to our frames (docs/bridge-protocol.md): envelope {twt: 1, type, data},
// posted to the runtime origin only, and accepted only from our own frames on that origin.

function post(frame, type, data) {
  var target = frame.element.contentWindow;
  if (target) target.postMessage({ twt: 1, type: type, data: data }, BUILD.runtimeOrigin);
}

// Commands wait for the frame's bridge_ready in its queue; a failed frame gets none.
function send(frame, type, data) {
  if (frame.ready) post(frame, type, data);
  else if (!frame.failed) enqueue(frame.queue, [type, data], frame.surface);
}

// Queues are bounded (BUILD.queueLimit): past it the oldest entry goes, with one warning per
// queue, so that a frame that never answers cannot grow one without end.
function enqueue(queue, entry, what) {
  if (queue.push(entry) > BUILD.queueLimit) {
    queue.shift();
    if (!queue.overflowed) warn(what + " queue over " + BUILD.queueLimit + ": oldest dropped");
    queue.overflowed = true;
  }
}

function sendAll(type, data, except) {
  frames.forEach((frame) => frame != except && send(frame, type, data));
}

// What the host does when the runtime reports an event, before the page's handlers see it.
// Returning false keeps the event from the page.
var runtimeEvents = {
  bridge_ready: (payload, frame) => {
    clearTimeout(frame.readyTimer);
    frame.ready = true;
    frame.queue.splice(0).forEach((command) => post(frame, command[0], command[1]));
    return frame == panel; // only the panel's readiness is the page's business
  },
  visitor_auth_ready: (payload) => {
    if (payload.bs && payload.bs_mm) {
      storeIdentity({ bs: payload.bs, bs_mm: payload.bs_mm, fk_id: payload.fk_id || payload.fkid });
    }
  },
  unread_count_changed: (payload) => {
    state.unreadCount = payload.count;
  },
  auth_closed: (payload) => {
    if (payload.clearToken) storeIdentity(null);
    setVisibility("hidden");
  },
  bootstrap_failed: (payload) => {
    fail(payload); // hides, cleans up, then tells the page itself
    return false;
  },
};

// Requests of the runtime to the host.
var controls = {
  call: (data) => BUILD.runtimeMethods.includes(data.method) && call(data.method),
  card: (data) => container.toggleAttribute("data-twt-card", data.show === true),
  // The panel accepted a language: the other frames follow.
  locale: (data, frame) => {
    var locale = normalizeLocale(data.locale);
    if (locale) {
      state.locale = locale;
      sendAll("set_language", { locale: locale }, frame);
    }
  },
  rejected: (data) => warn("runtime rejected " + data.method + (data.reason ? ": " + data.reason : "")),
};

function receive(event) {
  var message = Object(event.data),
    type = message.type,
    payload,
    frame = frames.find((frame) => frame.element.contentWindow === event.source);
  var fromOurFrame = event.origin === BUILD.runtimeOrigin && frame && !frame.failed;
  if (!fromOurFrame || message.twt !== 1 || typeof type != "string") return;
  if (hasOwn(controls, type)) controls[type](Object(message.data), frame);
  else if (hasOwn(BUILD.events, type) && (payload = payloadFrom(type, message.data)) !== null) {
    if (!hasOwn(runtimeEvents, type) || runtimeEvents[type](payload, frame) !== false) emit(type, payload);
  }
}
