// The preview page's behaviour: the event list, the state, the method buttons, the copy buttons,
// and the reload when twt-gen has rebuilt. No framework; text only goes in through textContent.
(() => {
  var preview = window.twtPreview;
  var byId = (id) => document.getElementById(id);
  var all = (selector) => Array.prototype.slice.call(document.querySelectorAll(selector));
  var widget = () => window.TWTChatWidget;
  var show = (value) => (value === undefined ? "undefined" : JSON.stringify(value));

  function refreshState() {
    all("[data-getter]").forEach((cell) => {
      try {
        cell.textContent = show(widget().get(cell.dataset.getter));
      } catch (e) {
        cell.textContent = "(throws: " + e.message + ")";
      }
    });
  }

  var counts = {};
  function record(entry) {
    counts[entry.name] = (counts[entry.name] || 0) + 1;
    all("[data-count]").forEach((cell) => {
      if (cell.dataset.count === entry.name) cell.textContent = String(counts[entry.name]);
    });
    var item = document.createElement("li");
    item.dataset.event = entry.name;
    var time = document.createElement("time");
    time.textContent = entry.at.toLocaleTimeString();
    var name = document.createElement("code");
    name.textContent = entry.name;
    item.append(time, " ", name, " ", entry.payload === null ? "" : show(entry.payload));
    byId("event-log").prepend(item);
    refreshState();
  }
  preview.fired.forEach(record);
  preview.onFire = record;
  refreshState();
  setInterval(refreshState, 1000);

  function report(what, run) {
    var text;
    try {
      text = what + " → " + show(run());
    } catch (e) {
      text = what + " threw " + e;
    }
    byId("result").textContent = text;
    refreshState();
  }

  all("[data-call]").forEach((button) => {
    button.addEventListener("click", () => {
      var name = button.dataset.call;
      var input = button.closest("tr").querySelector("input");
      if (!input) return report('call("' + name + '")', () => widget().call(name));
      var payload = input.value;
      if (input.dataset.kind === "json") {
        try {
          payload = JSON.parse(payload);
        } catch (e) {
          byId("result").textContent = "the payload of " + name + " is not JSON: " + e.message;
          return;
        }
      }
      report('call("' + name + '", ' + show(payload) + ")", () => widget().call(name, payload));
    });
  });

  all("[data-function]").forEach((button) => {
    button.addEventListener("click", () => {
      var name = button.dataset.function;
      report(name + "()", () => widget()[name]());
    });
  });

  all("[data-copy]").forEach((button) => {
    button.addEventListener("click", () => {
      var text = byId(button.dataset.copy).textContent;
      var done = () => (button.textContent = "Copied");
      var failed = () => (button.textContent = "Copy failed: select the text");
      if (navigator.clipboard) navigator.clipboard.writeText(text).then(done, failed);
      else failed();
    });
  });

  // twt-gen sends its state on connect and after each rebuild: a new good build reloads the
  // page; a failed one shows its diagnostics and leaves the running widget alone.
  var source = new EventSource("/events");
  source.onmessage = (message) => {
    var status = JSON.parse(message.data);
    if (status.build !== preview.data.build) {
      location.reload();
      return;
    }
    byId("connection").textContent = "Watching for changes.";
    byId("problems").hidden = !status.diagnostics;
    byId("problems").className = status.failed ? "failed" : "warnings";
    byId("problems-title").textContent = status.failed
      ? "The config is invalid: the widget below is the last good build"
      : "Warnings";
    byId("diagnostics").textContent = status.diagnostics || "";
  };
  source.onerror = () => {
    byId("connection").textContent = "Lost twt-gen preview (stopped?): this page no longer reloads.";
  };
})();
