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

-- Links and images typed into the text follow the rule of the document page
-- (app/core/urls.py), so that the files handed to institutions carry no active content:
-- a link leads to the web (http, https), to an e-mail or to a heading of the document;
-- an image is a raster picture inside the file. The document's own media files arrive
-- here already as data: URIs; any other image (another site, a page of this site, an
-- SVG) would be fetched or run by the reader's office suite. Whatever is refused stays
-- as its text. Addresses are read as a browser reads them: tabs and line breaks
-- anywhere, controls and spaces at the ends do not count.
local LINK_SCHEMES = { http = true, https = true, mailto = true }

-- Declared type of a data: image → the first bytes its content must start with.
local RASTER_MAGIC = {
  ["image/png"] = { "\137PNG\r\n\26\n" },
  ["image/jpeg"] = { "\255\216\255" },
  ["image/gif"] = { "GIF87a", "GIF89a" },
  ["image/webp"] = { "RIFF" },
}

local function normalised(url)
  url = url:gsub("[\t\n\r]", "")
  url = url:gsub("^[%c ]+", ""):gsub("[%c ]+$", "")
  return url
end

local function allowed_as_written(url)
  url = normalised(url)
  local scheme = url:match("^(%a[%w+.-]*):")
  if scheme then
    return LINK_SCHEMES[scheme:lower()] == true
  end
  return url:sub(1, 1) == "#"
end

-- Judged as typed and once more with its %-escapes decoded ("java%09script:"), as some
-- office suites read it.
local function link_allowed(url)
  local decoded = url:gsub("%%(%x%x)", function(hex)
    return string.char(tonumber(hex, 16))
  end)
  return allowed_as_written(url) and allowed_as_written(decoded)
end

local function starts_with_one_of(data, prefixes)
  for _, prefix in ipairs(prefixes) do
    if data:sub(1, #prefix) == prefix then
      return true
    end
  end
  return false
end

local function raster_data(url)
  url = normalised(url)
  local declared = url:match("^data:([%w/.+-]+);base64,")
  local magic = declared and RASTER_MAGIC[declared:lower()]
  if not magic then
    return false
  end
  local fetched, _, contents = pcall(pandoc.mediabag.fetch, url)
  if not fetched or type(contents) ~= "string" then
    return false
  end
  if declared:lower() == "image/webp" then
    return contents:sub(1, 4) == "RIFF" and contents:sub(9, 12) == "WEBP"
  end
  return starts_with_one_of(contents, magic)
end

local function as_text(content)
  local inlines = { pandoc.Str("[") }
  for _, inline in ipairs(content) do
    inlines[#inlines + 1] = inline
  end
  inlines[#inlines + 1] = pandoc.Str("]")
  return inlines
end

function Link(el)
  if link_allowed(el.target) then
    return nil
  end
  return el.content
end

function Image(el)
  if raster_data(el.src) then
    return nil
  end
  return as_text(el.caption)
end
