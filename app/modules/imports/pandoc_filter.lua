-- Shapes what pandoc reads from a DOCX or ODT into Markdown that Tavolo's renderer shows
-- as it is: pipe tables, footnotes and images, never raw HTML (the renderer prints HTML
-- as text). Without this, a figure or a table with merged cells would come out as HTML.

-- A figure becomes its image; the caption serves as the image's description when the
-- image has none of its own.
function Figure(figure)
  local caption = pandoc.utils.stringify(figure.caption.long or {})
  local out = {}
  for _, block in ipairs(figure.content) do
    local inlines = block.content or {}
    for _, inline in ipairs(inlines) do
      if inline.t == "Image" and #inline.caption == 0 and caption ~= "" then
        inline.caption = { pandoc.Str(caption) }
      end
    end
    table.insert(out, pandoc.Para(inlines))
  end
  return out
end

local function flat(cell)
  local inlines = pandoc.utils.blocks_to_inlines(cell.contents, { pandoc.Space() })
  inlines = inlines:walk({ LineBreak = function() return pandoc.Space() end })
  cell.contents = { pandoc.Plain(inlines) }
  return cell
end

-- Pipe tables have one line per cell and no merged cells: each cell keeps its text on
-- one line, and a merged cell is followed by empty ones so that every column stays put.
local function regrid(rows, width)
  local carried = {}
  for _, row in ipairs(rows) do
    local cells, column = {}, 1
    for _, cell in ipairs(row.cells) do
      while (carried[column] or 0) > 0 do
        carried[column] = carried[column] - 1
        table.insert(cells, pandoc.Cell({}))
        column = column + 1
      end
      local rowspan, colspan = cell.row_span, cell.col_span
      cell.row_span, cell.col_span = 1, 1
      table.insert(cells, flat(cell))
      for offset = 0, colspan - 1 do
        carried[column + offset] = rowspan - 1
        if offset > 0 then table.insert(cells, pandoc.Cell({})) end
      end
      column = column + colspan
    end
    while column <= width do
      if (carried[column] or 0) > 0 then carried[column] = carried[column] - 1 end
      table.insert(cells, pandoc.Cell({}))
      column = column + 1
    end
    row.cells = cells
  end
end

function Table(tbl)
  local width = #tbl.colspecs
  regrid(tbl.head.rows, width)
  for _, body in ipairs(tbl.bodies) do
    regrid(body.head, width)
    regrid(body.body, width)
  end
  regrid(tbl.foot.rows, width)
  return tbl
end
