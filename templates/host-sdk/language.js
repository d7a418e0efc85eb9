// Locales: the build's table (BUILD.locales, BUILD.localeAliases) and the same algorithm as the
// CLI's validator: trim, lower-case, "_" to "-", then drop subtags until a locale or alias matches.

function normalizeLocale(tag) {
  tag = typeof tag == "string" ? tag.trim().toLowerCase().replace(/_/g, "-") : "";
  // Without a "-" left, slice(0, -1) leaves one letter, which no locale or alias is: the next
  // round ends the loop.
  for (; tag; tag = tag.slice(0, tag.lastIndexOf("-"))) {
    if (BUILD.locales.includes(tag)) return tag;
    if (hasOwn(BUILD.localeAliases, tag)) return BUILD.localeAliases[tag];
  }
  return null;
}

// The first supported language of the browser, else "en" (the spec's fallback).
var browserLocale = () =>
  [...(navigator.languages || []), navigator.language].map(normalizeLocale).filter(Boolean)[0] || "en";
