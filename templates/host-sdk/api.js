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
    USER_FIELDS.forEach((name, index) => (fields[name] = args[index]));
    call("login", userOrSbs && typeof userOrSbs == "object" ? userOrSbs : fields);
  },
  setLanguage: (locale) => call("set_language", locale),
  scriptTagVersion: () => scriptTagVersion,
};

user = businessUserFrom(config);

if (!api.scriptTagVersion) {
  // not when core.js runs twice
  // Every entry point is total: whatever the page passes, a mistake gets a console message and
  // never an exception; except get() before init() has completed, which the spec makes throw.
  Object.keys(publicApi).forEach((name) => {
    api[name] = function () {
      if (name == "get" && !state) throw new Error("TWTChatWidget.get() before init() completed");
      return guarded(publicApi[name], arguments, name + " failed");
    };
  });
  var queued = api._q || [];
  delete api._q;
  window.TWTChatWidget = api;
  queued.forEach((entry) => guarded(() => api[entry[0]].apply(api, entry[1]), [], "a queued call failed")); // [name, args]
  if (!config.asyncInit) init();
}
