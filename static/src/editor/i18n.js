// Texts and settings come from the page as JSON data blocks: the server translates
// (the English catalogue covers every string the editor shows) and the CSP allows no
// inline script, while a block of type application/json is data, never executed.

export function readData (id) {
  const element = document.getElementById(id)
  return element ? JSON.parse(element.textContent) : null
}

// Fills gettext-style "%(name)s" placeholders, as the server's own strings use them.
export function format (template, values = {}) {
  return template.replace(/%\((\w+)\)s/g, (match, name) => (name in values ? String(values[name]) : match))
}

export function plural (count, one, other, values = {}) {
  return format(count === 1 ? one : other, { count, ...values })
}
