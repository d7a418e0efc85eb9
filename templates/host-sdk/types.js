// The types of api.rs, as the build spells them in BUILD.options and BUILD.events: a field is
// "name[:type][!]", its type string unless given, "!" when it is required; a type is string,
// boolean, number, integer, appid, locale, or the allowed values joined with "|".

var fieldsOf = (spec) =>
  spec.split(" ").map((field) => {
    var parts = field.replace("!", "").split(":");
    return { name: parts[0], type: parts[1] || "string", required: /!/.test(field) };
  });

// Types beyond typeof's own names ("string", "boolean", "function"), and enums ("a|b").
var typeChecks = {
  number: Number.isFinite, // no coercion: "12" is no number
  integer: (value) => value === (value | 0), // a whole number in CSS's (32-bit) range
  appid: (value) => typeof value == "string" && /^[\w-]+$/.test(value) && value.length <= BUILD.appidMaxLength,
  locale: (value) => !!normalizeLocale(value),
};

// Whether the value has the type; if not, a warning names `where`.
function fits(type, value, where) {
  var check = hasOwn(typeChecks, type) ? typeChecks[type] : (value) => typeof value == type || type.split("|").includes(value);
  if (check(value)) return true;
  warn(where + " " + describe(value) + " ignored: expected " + type);
}
