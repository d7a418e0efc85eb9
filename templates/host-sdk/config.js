// The configuration, read once while core.js runs and checked like the CLI checks a config
// file: a value of the wrong type gets a warning and the option its default. window.__twt gives
// every option; the data- attributes of our own <script> tag (the snippet variant without
// inline code) win for the options they set.

var ownScript = document.currentScript || {}, // only available now, while core.js runs
  api = Object(window.TWTChatWidget), // the snippet's stub (or a new object): it becomes the API
  config = {},
  optionTypes = {},
  // `?version=` of our script URL (src reads back absolute): what scriptTagVersion() and
  // get("sdk_info") report.
  scriptTagVersion = (ownScript.src && new URL(ownScript.src).searchParams.get("version")) || "",
  // The page's CSP nonce, for our <style>.
  pageNonce = ownScript.nonce || (document.querySelector("script[nonce]") || {}).nonce || "";

fieldsOf(BUILD.options).forEach((option) => {
  var name = option.name,
    type = (optionTypes[name] = option.type),
    page = Object(window.__twt),
    attributes = ownScript.dataset || {},
    fromTag = hasOwn(attributes, name),
    value;
  try {
    value = fromTag ? attributes[name] : hasOwn(page, name) ? page[name] : null;
  } catch (error) {} // a getter of window.__twt that throws
  // data- attributes are text: there "true", "false" and digits stand for a boolean or an integer.
  if (fromTag && /^(boolean|integer)$/.test(type) && /^(true|false|-?\d+)$/.test(value)) value = JSON.parse(value);
  if (value != null && fits(type, value, (fromTag ? "data-" : "window.__twt.") + name)) config[name] = value;
});
