/* TWT dev runtime: the runtime side of the host-sdk bridge (docs/bridge-protocol.md) for
   development and tests. One script for launcher.html, panel.html and card.html; the page says
   which surface it is with <html data-surface="...">. Test hooks: window.TWTDevRuntime
   (docs/dev-runtime.md). No inline script or style is needed, so it runs under a strict CSP. */
(function () {
  "use strict";

  var root = document.documentElement;
  var surface = root.getAttribute("data-surface");
  var host = null; // the host-sdk's origin, learnt from its `init` message
  var outbox = []; // messages sent before `init` arrived
  var REJECT_KEY = "twt-dev-runtime-reject";
  var memRejects = {};

  var COPY = {
    en: {
      title: "Support",
      greeting: "Hi! How can we help you today?",
      open: "Chat with us",
      minimize: "Minimize",
      placeholder: "Type a message…",
      send: "Send",
      card: "Questions? We are online.",
      close: "Close",
    },
    "zh-cn": {
      title: "在线客服",
      greeting: "您好！今天有什么可以帮您？",
      open: "联系我们",
      minimize: "最小化",
      placeholder: "输入消息…",
      send: "发送",
      card: "有问题？我们在线。",
      close: "关闭",
    },
    "zh-tw": {
      title: "線上客服",
      greeting: "您好！今天有什麼可以幫您？",
      open: "聯絡我們",
      minimize: "最小化",
      placeholder: "輸入訊息…",
      send: "傳送",
      card: "有問題嗎？我們在線上。",
      close: "關閉",
    },
    ja: {
      title: "サポート",
      greeting: "こんにちは！ご用件をお聞かせください。",
      open: "チャットで相談",
      minimize: "最小化",
      placeholder: "メッセージを入力…",
      send: "送信",
      card: "ご質問はありますか？オンラインで対応中です。",
      close: "閉じる",
    },
    ko: {
      title: "고객 지원",
      greeting: "안녕하세요! 무엇을 도와드릴까요?",
      open: "채팅 상담",
      minimize: "최소화",
      placeholder: "메시지를 입력하세요…",
      send: "보내기",
      card: "궁금한 점이 있으신가요? 지금 상담 가능합니다.",
      close: "닫기",
    },
    de: {
      title: "Support",
      greeting: "Hallo! Wie können wir Ihnen helfen?",
      open: "Chatten Sie mit uns",
      minimize: "Minimieren",
      placeholder: "Nachricht eingeben…",
      send: "Senden",
      card: "Fragen? Wir sind online.",
      close: "Schließen",
    },
    fr: {
      title: "Assistance",
      greeting: "Bonjour ! Comment pouvons-nous vous aider ?",
      open: "Discutez avec nous",
      minimize: "Réduire",
      placeholder: "Écrivez un message…",
      send: "Envoyer",
      card: "Des questions ? Nous sommes en ligne.",
      close: "Fermer",
    },
    pt: {
      title: "Suporte",
      greeting: "Olá! Como podemos ajudar?",
      open: "Fale conosco",
      minimize: "Minimizar",
      placeholder: "Digite uma mensagem…",
      send: "Enviar",
      card: "Dúvidas? Estamos online.",
      close: "Fechar",
    },
    ru: {
      title: "Поддержка",
      greeting: "Здравствуйте! Чем мы можем помочь?",
      open: "Напишите нам",
      minimize: "Свернуть",
      placeholder: "Введите сообщение…",
      send: "Отправить",
      card: "Есть вопросы? Мы на связи.",
      close: "Закрыть",
    },
  };

  // Everything a test may want to assert on. Filled from the host's messages.
  var state = {
    surface: surface,
    hostOrigin: null,
    appid: null,
    locale: "en",
    theme: "light", // effective theme: light | dark
    themeSetting: "light", // as set on the host: light | dark | system
    visibility: null,
    launcher: null,
    referer: null,
    source_title: null,
    version: null,
    scriptTagVersion: null,
    identity: null, // visitor identity the host-sdk handed over in `init` (or null)
    visitor: null, // the visitor_auth_ready payload this frame sent
    lastLogin: null, // the business user received in `init`, accepted or not
    user: null, // the accepted business user
    connection: "disconnected",
    unread: 0,
    silent: false, // appid starting with "dev-silent": the frame never answers
    received: [], // every bridge message from the host: {type, data}
    sent: [], // every bridge message to the host: {twt, type, data}
    rejected: [], // {method, reason, ...} this frame rejected
  };

  // ---- one-shot rejections; kept in sessionStorage so that they survive the reload of login
  function loadRejects() {
    try {
      return JSON.parse(sessionStorage.getItem(REJECT_KEY)) || {};
    } catch (e) {
      return memRejects;
    }
  }
  function saveRejects(r) {
    memRejects = r;
    try {
      sessionStorage.setItem(REJECT_KEY, JSON.stringify(r));
    } catch (e) {}
  }
  function takeReject(method) {
    var r = loadRejects();
    if (!Object.prototype.hasOwnProperty.call(r, method)) return null;
    var reason = r[method];
    delete r[method];
    saveRejects(r);
    return reason;
  }

  // ---- bridge
  function send(type, data) {
    var m = { twt: 1, type: type };
    if (data !== undefined) m.data = data;
    state.sent.push(m);
    if (host) parent.postMessage(m, host);
    else outbox.push(m);
  }

  function rand(prefix) {
    return prefix + "-" + Math.random().toString(36).slice(2, 12);
  }

  function setConnection(status) {
    state.connection = status;
    send("connection_state_changed", { status: status });
    render();
  }

  function reject(method, reason, extra) {
    var r = Object.assign({ method: method, reason: reason }, extra);
    state.rejected.push(r);
    send("rejected", r);
  }

  var HANDLERS = {
    init: function (d) {
      [
        "appid",
        "locale",
        "visibility",
        "launcher",
        "identity",
        "referer",
        "source_title",
        "version",
        "scriptTagVersion",
      ].forEach(function (k) {
        if (d[k] !== undefined) state[k] = d[k];
      });
      state.theme = d.theme === "dark" ? "dark" : "light";
      state.themeSetting = d.themeSetting || state.theme;
      state.silent = /^dev-silent/.test(String(d.appid));
      render();
      if (state.silent) return;
      send("bridge_ready");
      if (surface !== "panel") return;

      send("runtime_mounted");
      // business user: accept unless a rejection is armed
      if (d.user && d.user.sbs) {
        state.lastLogin = d.user;
        var why = takeReject("login");
        if (why !== null) reject("login", why);
        else state.user = d.user;
      }
      // visitor: reuse what the host-sdk handed over, else resolve a new one
      var id = d.identity,
        reuse = !!(id && id.bs && id.bs_mm),
        bs = reuse ? id.bs : rand("dev-bs"),
        fk = (reuse && (id.fk_id || id.fkid)) || rand("dev-fk");
      state.visitor = {
        bs: bs,
        bs_mm: reuse ? id.bs_mm : rand("dev-sig"),
        fk_id: fk,
        fkid: fk,
        hasToken: true,
        source: reuse ? "initial" : "resolved",
        visitorUid: "dev-uid-" + bs.slice(-10),
      };
      send("visitor_auth_ready", state.visitor);
      setConnection("connecting");
      setTimeout(function () {
        setConnection("connected");
        send("session_connected", { status: "connected" });
        send("runtime_activated");
      }, 20);
    },
    set_language: function (d) {
      if (surface === "panel") {
        var why = takeReject("set_language");
        if (why !== null) return reject("set_language", why, { locale: d.locale });
      }
      state.locale = d.locale;
      render();
      if (surface === "panel") send("locale", { locale: d.locale });
    },
    set_theme: function (d) {
      state.theme = d.theme === "dark" ? "dark" : "light";
      state.themeSetting = d.themeSetting || state.theme;
      render();
    },
    visibility: function (d) {
      state.visibility = d.visibility;
      render();
    },
  };

  window.addEventListener("message", function (e) {
    var m = e.data;
    if (e.source !== parent || !m || m.twt !== 1 || typeof m.type !== "string") return;
    if (host === null) {
      if (m.type !== "init") return;
      host = state.hostOrigin = e.origin;
      outbox.splice(0).forEach(function (o) {
        parent.postMessage(o, host);
      });
    } else if (e.origin !== host) return;
    state.received.push({ type: m.type, data: m.data });
    var h = HANDLERS[m.type];
    if (h && Object.prototype.hasOwnProperty.call(HANDLERS, m.type)) h(m.data || {});
  });

  // ---- rendering: theme, language, status
  function each(sel, fn) {
    Array.prototype.forEach.call(document.querySelectorAll(sel), fn);
  }
  function render() {
    var c = COPY[state.locale] || COPY.en;
    root.lang = state.locale;
    root.setAttribute("data-theme", state.theme);
    root.setAttribute("data-locale", state.locale);
    each("[data-t]", function (el) {
      el.textContent = c[el.getAttribute("data-t")];
    });
    each("[data-t-placeholder]", function (el) {
      el.placeholder = c[el.getAttribute("data-t-placeholder")];
    });
    each("[data-t-label]", function (el) {
      el.title = c[el.getAttribute("data-t-label")];
      el.setAttribute("aria-label", el.title);
    });
    var status = {
      locale: state.locale,
      theme: state.themeSetting === state.theme ? state.theme : state.theme + " (" + state.themeSetting + ")",
      connection: state.connection,
      visitor: state.visitor ? state.visitor.fk_id + " (" + state.visitor.source + ")" : "—",
      user: state.user ? state.user.name || state.user.sbs : "—",
    };
    each("[data-s]", function (el) {
      el.textContent = status[el.getAttribute("data-s")];
    });
  }

  function click(id, fn) {
    var el = document.getElementById(id);
    if (el) el.addEventListener("click", fn);
  }
  click("open", function () {
    send("call", { method: "maximize" });
  });
  click("minimize", function () {
    send("call", { method: "minimize" });
  });
  click("card-open", function () {
    send("card", { show: false });
    send("call", { method: "maximize" });
  });
  click("card-close", function () {
    send("card", { show: false });
  });
  var form = document.getElementById("composer");
  if (form)
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var input = form.elements.message;
      if (!input.value) return;
      var li = document.createElement("li");
      li.textContent = input.value;
      document.getElementById("messages").appendChild(li);
      input.value = "";
    });

  // ---- test hooks
  window.TWTDevRuntime = {
    state: state,
    // Posts any message to the host: a runtime event by name (auth_closed, unread_count_changed,
    // session_disconnected, bootstrap_failed, ...) or a control message (call, card, locale).
    emit: function (type, payload) {
      if (type === "unread_count_changed" && payload) state.unread = payload.count;
      send(type, payload);
    },
    // Rejects the next "set_language" or "login" (survives the reload that login causes).
    rejectNext: function (method, reason) {
      var r = loadRejects();
      r[method] = reason || "rejected by TWTDevRuntime.rejectNext";
      saveRejects(r);
    },
    // Forgets armed rejections.
    reset: function () {
      saveRejects({});
    },
    // Asks the host to run a visibility method: maximize, minimize, hide, show, toggle.
    call: function (method) {
      send("call", { method: method });
    },
    // Asks the host to show (default) or hide the marketing card.
    showCard: function (show) {
      send("card", { show: show !== false });
    },
  };

  render();
})();
