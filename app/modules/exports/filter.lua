-- Applied by pandoc to every DOCX and ODT export.

-- Quotations typed with typewriter quotes become «caporali», as in the PDF; pandoc's
-- own writers would print English quotes whatever the document's language.
function Quoted(el)
  if el.quotetype ~= "DoubleQuote" then
    return nil
  end
  local inlines = { pandoc.Str("«") }
  for _, inline in ipairs(el.content) do
    inlines[#inlines + 1] = inline
  end
  inlines[#inlines + 1] = pandoc.Str("»")
  return inlines
end

-- Markup typed into the text is text, as on the document page: the commonmark reader
-- still marks inline HTML as raw, and a raw fragment would reach the file (OOXML or
-- ODF markup) or vanish from it (HTML).
function RawInline(el)
  return pandoc.Str(el.text)
end

function RawBlock(el)
  return pandoc.Para({ pandoc.Str(el.text) })
end
