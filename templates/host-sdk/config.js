// The configuration, read once while core.js runs: window.__twt, else the data- attributes of
// our own <script> tag (the snippet variant without inline code).

var ownScript = document.currentScript, // only available now, while core.js runs
  ownScriptData = (ownScript && ownScript.dataset) || {},
  api = Object(window.TWTChatWidget), // the snippet's stub (or a new object): it becomes the API
  config = Object.assign(
    {},
    window.__twt || {
      appid: ownScriptData.appid,
      theme: ownScriptData.theme,
      launcher: ownScriptData.launcher,
      zIndex: ownScriptData.zIndex,
      language: ownScriptData.language,
      asyncInit: ownScriptData.asyncInit != null && ownScriptData.asyncInit != "false",
    }
  ),
  // `?version=` of our script URL: what scriptTagVersion() and get("sdk_info") report.
  scriptTagVersion = (ownScript && new URL(ownScript.src, location.href).searchParams.get("version")) || "",
  // The page's CSP nonce, for our <style>.
  pageNonce = (ownScript && ownScript.nonce) || (document.querySelector("script[nonce]") || {}).nonce || "",
  USER_FIELDS = ["sbs", "sbs_mm", "ranstr", "name", "nickname", "email", "phone"],
  THEMES = ["light", "dark", "system"];
