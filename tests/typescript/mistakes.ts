// Mistakes an integrator could make, compiled against the generated twt-chat-widget.d.ts by
// tests/typescript.rs: tsc must report an error on exactly the lines whose comment starts with
// "error:", and on no other line. The other lines are correct uses, so that declarations
// rejecting everything fail too.

window.TWTChatWidget.call("maximize");
window.TWTChatWidget.call("maximise"); // error: no such method
window.TWTChatWidget.call("set_theme", "dark");
window.TWTChatWidget.call("set_theme", "blue"); // error: not a theme
window.TWTChatWidget.call("set_theme"); // error: the theme is missing
window.TWTChatWidget.call("hide", "now"); // error: hide takes no argument
window.TWTChatWidget.call("set_language", 7); // error: a locale is a string
window.TWTChatWidget.maximize(); // error: methods go through call()

window.TWTChatWidget.on("visibility_changed", (p) => p.visibility);
window.TWTChatWidget.on("visibility_changed", (p) => p.visible); // error: no such payload field
window.TWTChatWidget.on("visibilty_changed", () => {}); // error: no such event
window.TWTChatWidget.on("initialized"); // error: on() needs a handler
window.TWTChatWidget.once("unread_count_changed", (p) => p.count.toFixed(0));
window.TWTChatWidget.once("unread_count_changed", (p) => p.count.toUpperCase()); // error: a number
window.TWTChatWidget.on("auth_closed", (p) => p.closeCode === 4001);
window.TWTChatWidget.on("auth_closed", (p) => p.closeCode.toFixed(0)); // error: may be missing
window.TWTChatWidget.off("unread_count_changed");
window.TWTChatWidget.off("nope"); // error: no such event

const visibility: "maximized" | "minimized" | "hidden" = window.TWTChatWidget.get("state").visibility;
window.TWTChatWidget.get("nope"); // error: no such getter
const visible: boolean = window.TWTChatWidget.get("state").visible; // error: no such field
const unread: string = window.TWTChatWidget.get("unread_count"); // error: a number
const theme: "light" | "dark" | "system" = window.TWTChatWidget.get("theme");

window.TWTChatWidget.login("sbs", "sbs_mm", "ranstr", "Ada");
window.TWTChatWidget.login(42, "sbs_mm", "ranstr"); // error: sbs is a string
window.TWTChatWidget.login("sbs", "sbs_mm"); // error: ranstr is required
window.TWTChatWidget.login({ sbs: "s", sbs_mm: "m", ranstr: "r", email: "ada@example.com" });
window.TWTChatWidget.login({ appid: 42, sbs: "s", sbs_mm: "m", ranstr: "r" }); // error: no appid
window.TWTChatWidget.call("login", { sbs: "s", sbs_mm: "m", ranstr: "r" });
window.TWTChatWidget.call("login", { sbs: "s", sbs_mm: "m" }); // error: ranstr is required
window.TWTChatWidget.setLanguage("de");
window.TWTChatWidget.setLanguage(); // error: the locale is missing
window.TWTChatWidget.init(true); // error: init takes no argument
const version: string = window.TWTChatWidget.scriptTagVersion();

window.__twt = { appid: "acme", theme: "dark", launcher: "custom", zIndex: 10, asyncInit: true };
window.__twt = { appid: 42 }; // error: an appid is a string
window.__twt = { theme: "blue" }; // error: not a theme
window.__twt = { asyncInit: "false" }; // error: a boolean, not a string
window.__twt = { zIndex: "10" }; // error: a number, not a string
window.__twt = { appId: "acme" }; // error: misspelt option
TWTChatWidget.call("toggle");

export {};
