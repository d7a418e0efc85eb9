// The visitor identity the runtime resolved ({bs, bs_mm, fk_id}), kept in the host page's
// first-party storage because the runtime's own storage in a third-party frame may be
// partitioned or wiped (ITP). localStorage, or a cookie where localStorage throws.

var identityKey = () => "twt_identity_" + encodeURIComponent(config.appid);

function readIdentity() {
  try {
    return JSON.parse(localStorage.getItem(identityKey()));
  } catch (error) {
    try {
      var cookie = ("; " + document.cookie).split("; " + identityKey() + "=")[1];
      return JSON.parse(decodeURIComponent(cookie.split(";")[0]));
    } catch (error) {}
  }
}

// Stores an identity (in the cookie only where localStorage throws), or forgets it (null) in
// both places.
function storeIdentity(identity) {
  var text = identity ? JSON.stringify(identity) : "";
  try {
    identity ? localStorage.setItem(identityKey(), text) : localStorage.removeItem(identityKey());
    if (identity) return;
  } catch (error) {}
  document.cookie =
    identityKey() + "=" + encodeURIComponent(text) + ";path=/;SameSite=Lax;max-age=" + (identity ? 31536e3 : 0);
}
