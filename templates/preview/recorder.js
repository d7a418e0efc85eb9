// Runs before the snippet: listens to every event of the API table through the snippet's queue,
// so that the first events (initialized, iframe_loaded) are recorded too. The page code below
// shows them; CSP violations are kept as well, for the page to show.
(() => {
  var data = JSON.parse(document.getElementById("twt-preview-data").textContent);
  var widget = (window.TWTChatWidget = window.TWTChatWidget || { _q: [] });
  widget.on = widget.on || ((...args) => widget._q.push(["on", args]));
  var preview = (window.twtPreview = { data: data, fired: [], violations: [], onFire: null });
  data.events.forEach((name) => {
    widget.on(name, (payload) => {
      var copy = null;
      try {
        copy = payload === undefined ? null : JSON.parse(JSON.stringify(payload));
      } catch (e) {
        copy = String(payload);
      }
      var entry = { name: name, payload: copy, at: new Date() };
      preview.fired.push(entry);
      if (preview.onFire) preview.onFire(entry);
    });
  });
  document.addEventListener("securitypolicyviolation", (e) => {
    preview.violations.push(e.effectiveDirective + " blocked " + (e.blockedURI || "inline"));
  });
})();
