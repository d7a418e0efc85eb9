// window.TWTChatWidget: the public API, installed onto the snippet's stub (whose queue is
// replayed in order), then the automatic init() unless asyncInit.

var publicApi = {
  init: init,
  on: (eventName, handler) => on(eventName, handler, false),
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
  var queued = api._q || [];
  delete api._q;
  window.TWTChatWidget = Object.assign(api, publicApi);
  queued.forEach((entry) => guarded(publicApi[entry[0]], entry[1], entry[0] + " failed")); // [name, args]
  if (!config.asyncInit) init();
}
