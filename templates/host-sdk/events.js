// The page's event handlers: on(), once(), off(), and emit() to run them; the payloads of the
// runtime's events, rebuilt from their documented fields.

var handlers = Object.create(null), // event name -> [{handler, once}]
  deliveries = [], // [event name, payload] emitted while another event is being delivered
  delivering;

var isEvent = (eventName) => hasOwn(BUILD.events, eventName) || BUILD.hostEvents.includes(eventName);

function on(eventName, handler, once) {
  if (!isEvent(eventName)) unknown("event", eventName);
  else if (fits("function", handler, eventName + " handler")) {
    (handlers[eventName] = handlers[eventName] || []).push({ handler: handler, once: once });
  }
}

// Without a handler, removes every handler of the event.
function off(eventName, handler) {
  if (!isEvent(eventName)) return unknown("event", eventName);
  var kept = (handlers[eventName] || []).filter((entry) => handler != null && entry.handler !== handler);
  handlers[eventName] = kept;
}

// Run to completion: an event emitted while another is being delivered (by one of its handlers)
// waits until that one has reached every handler, so that all handlers see events in one order.
function emit(eventName, payload) {
  deliveries.push([eventName, payload]);
  if (delivering) return;
  delivering = true;
  try {
    while (deliveries.length) deliver(...deliveries.shift());
  } finally {
    delivering = false; // even if the page broke console.error, which guarded() reports to
  }
}

// Each handler gets its own frozen copy of the payload, so that none can change what the next
// one sees. Payloads are flat (api.rs has no nested field): a shallow freeze is a deep one.
// A throwing handler is reported and never stops the others or the SDK.
function deliver(eventName, payload) {
  (handlers[eventName] || []).slice().forEach((entry) => {
    var current = handlers[eventName],
      at = current.indexOf(entry);
    if (at < 0) return; // removed by an earlier handler
    if (entry.once) current.splice(at, 1);
    guarded(entry.handler, [payload && Object.freeze({ ...payload })], eventName + " handler");
  });
}

// The payload of a runtime event, built from its documented fields only: a field of another
// type is dropped with a warning, unknown keys (`__proto__` too) are never copied. Without a
// usable required field the event means nothing: null. An event documented without payload
// gets none (undefined), whatever the runtime sent.
function payloadFrom(eventName, data) {
  var spec = BUILD.events[eventName],
    payload = {},
    complete = true;
  if (!spec) return;
  data = Object(data);
  fieldsOf(spec).forEach((field) => {
    var name = field.name,
      value = hasOwn(data, name) ? data[name] : undefined;
    var usable = (value !== undefined || field.required) && fits(field.type, value, eventName + "." + name);
    if (usable) payload[name] = value;
    else if (field.required) complete = false;
  });
  return complete ? payload : null;
}
