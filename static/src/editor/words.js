// The same count as app/core/words.py, so that the number a writer sees while typing is
// the number the facilitators, the regional forms and the export see. Change both files
// together (tests/e2e/test_live_editing.py compares them).

// Letters and digits, joined by inner hyphens, dots or commas ("socio-sanitario",
// "1.234"); an apostrophe ends a word, as in Italian elision ("l'abitare" is two).
// Python's [^\W_] is "a letter or a number", which is what these classes say.
const WORD = /[\p{L}\p{N}]+(?:[-.,][\p{L}\p{N}]+)*/gu
const LINK_TARGET = /\]\([^)]*\)/g
const AUTOLINK = /<(?:https?|mailto):[^>\s]*>/gi
const FOOTNOTE_MARK = /\[\^[^\]\s]+\]:?/g
const LIST_MARKER = /^[ \t>]*\d{1,9}[.)](?=[ \t]|$)/gm
const FENCE = /^(```|~~~)/gm

export function countWords (markdown) {
  const text = markdown
    .replace(LINK_TARGET, ']')
    .replace(AUTOLINK, ' link ')
    .replace(FOOTNOTE_MARK, ' ')
    .replace(LIST_MARKER, ' ')
    .replace(FENCE, '')
  return (text.match(WORD) || []).length
}

// 'none' without a limit, 'ok' well under it, 'near' within the last tenth, 'over'.
export function limitStatus (words, limit) {
  if (!limit) return 'none'
  if (words > limit) return 'over'
  if (words >= limit * 0.9) return 'near'
  return 'ok'
}
