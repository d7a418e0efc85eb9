// The visitor identity the runtime resolved ({bs, bs_mm, fk_id}), kept in the host page's
// first-party storage because the runtime's own storage in a third-party frame may be
// partitioned or wiped (ITP): localStorage, or a cookie where localStorage refuses.

// An appid is [\w-] only (types.js): nothing in it needs escaping in a key or cookie name.
var identityKey = () => "twt_identity_" + config.appid;

// localStorage first; the cookie holds the identity when localStorage could not.
function readIdentity() {
  var stored;
  try {
    stored = localStorage.getItem(identityKey());
  } catch (error) {}
  try {
    var cookie = ("; " + document.cookie).split("; " + identityKey() + "=")[1];
    return JSON.parse(stored || decodeURIComponent(cookie.split(";")[0])); // no cookie: throws
  } catch (error) {
    return null; // nothing stored
  }
}

// Stores an identity, or forgets it (null) in both places. When localStorage refuses (blocked,
// or its quota full) the cookie keeps the identity, and no older copy may stay in localStorage
// to shadow it.
function storeIdentity(identity) {
  var text = identity ? JSON.stringify(identity) : "";
  try {
    localStorage.removeItem(identityKey());
    if (identity) localStorage.setItem(identityKey(), text);
    text = ""; // kept in localStorage: no cookie
  } catch (error) {}
  var cookie =
    identityKey() +
    "=" +
    encodeURIComponent(text) +
    ";path=/;SameSite=Lax;max-age=" +
    (text ? 31536e3 : 0);
  // Plain, then Secure over it: Secure wherever the browser keeps it (https pages; loopback
  // while developing in Chrome and Firefox). Where it refuses Secure (http pages; WebKit even on
  // http://localhost, a secure context) the plain write stands, also a deletion.
  document.cookie = cookie;
  document.cookie = cookie + ";Secure";
}
