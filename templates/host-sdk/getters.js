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

// Before init() has completed get() throws, as the spec says (api.js).
function get(name) {
  if (hasOwn(getters, name)) return getters[name]();
  unknown("getter", name);
}
