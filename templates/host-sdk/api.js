// window.TWTChatWidget: the public API, installed onto the snippet's stub (whose queue is
// replayed in order), then the automatic init() unless asyncInit.

var publicApi = {
  init: init,
  on: (eventName, handler) => on(eventName, handler),
  once: (eventName, handler) => on(eventName, handler, true),
  off: off,
  call: call,
  get: get,
  // login(sbs, sbs_mm, ranstr, name, nickname, email, phone) or login({sbs, ...})
  login: function (userOrSbs) {
    var args = arguments,
      fields = {};
    BUILD.loginFields.forEach((name, index) => (fields[name] = args[index]));
    call("login", userOrSbs && typeof userOrSbs == "object" ? userOrSbs : fields);
  },
  logout: () => call("logout"),
  setLanguage: (locale) => call("set_language", locale),
  scriptTagVersion: () => scriptTagVersion,
};

user = configuredUser = businessUserFrom(config);

// A call the stub queued: [name, arguments].
var replay = (entry) => guarded(() => api[entry[0]].apply(api, entry[1]), [], "a queued call");

// The stub's queue is an array until core.js has run; then it forwards (below), so a second copy
// of core.js leaves the first alone.
if (!api._q || api._q.map) {
  // Every entry point is total: whatever the page passes, a mistake gets a console message and
  // never an exception; except get() before init() has completed, which the spec makes throw.
  Object.keys(publicApi).forEach((name) => {
    api[name] = function () {
      if (name == "get" && !state) throw new Error("TWTChatWidget.get() before init() completed");
      return guarded(publicApi[name], arguments, name);
    };
  });
  var queued = api._q || [];
  // Stub functions the page kept a reference to push here: they now run at once.
  api._q = { push: replay };
  window.TWTChatWidget = api;
  queued.forEach(replay);
  // A destroy the page queued before core.js arrived stands: no automatic start after it.
  if (!config.asyncInit && phase == "idle") init();
}
