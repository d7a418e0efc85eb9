// Console messages and the guard that keeps the page's exceptions away from the SDK (and ours
// away from the page). Every message starts with "[TWTChatWidget]" so integrators can filter.

var hasOwn = (object, key) => ({}).hasOwnProperty.call(object, key);

var log = (level, message, error) => console[level]("[TWTChatWidget] " + message, error || "");

var warn = (message) => log("warn", message);

// A value as a message can show it. Never throws: BigInts, symbols, cycles and hostile
// toString()s are all things a page can pass.
function describe(value) {
  try {
    return JSON.stringify(value) || String(value);
  } catch (error) {
    return typeof value;
  }
}

var unknown = (kind, name) => warn("unknown " + kind + " " + describe(name));

// Runs page code (a handler) or an action the page asked for; an exception is reported, never
// thrown on.
function guarded(run, args, what) {
  try {
    return run.apply(api, args);
  } catch (error) {
    log("error", what + " failed", error);
  }
}
