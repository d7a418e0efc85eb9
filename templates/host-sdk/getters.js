// The getters of get(name): synchronous reads of the host's state.

var getters = {
  state: () => ({ visibility: state.visibility }),
  sdk_info: () => ({
    version: BUILD.version,
    scriptTagVersion: scriptTagVersion,
    compatibilityMode: "off",
    transport: "mixed",
  }),
  unread_count: () => state.unreadCount,
  theme: () => state.theme,
};

// The spec: get() throws until init() has completed.
function get(name) {
  if (!state) throw new Error("TWTChatWidget.get(" + describe(name) + "): init() must complete first");
  if (hasOwn(getters, name)) return getters[name]();
  warn("get: unknown getter " + describe(name));
}
