#!/usr/bin/python3
"""Prints a workbook or a CSV file as JSON, as programs we did not write read it.

  table_read.py FILE.xlsx
      openpyxl (Debian's python3-openpyxl) opens the workbook:
      {"properties": {"title", "subject", "creator", "keywords", "description", "created", "company"},
       "sheets": [{"name", "freeze_panes", "auto_filter", "widths": {"A": 12.7, ...},
                   "charts": [{"type", "grouping", "series", "title", "anchor"}],
                   "rows": [[cell, ...], ...]}]}
      where a cell is null (empty) or {"t": python type name (str, int, float, bool, datetime) or formula,
      "v": the value (datetime as ISO text), "f": the number format, "bold": true/false}.
  table_read.py FILE.csv SEPARATOR
      python's csv module reads the file as UTF-8 (a byte order mark is dropped):
      {"rows": [[field, ...], ...]}

Exits non-zero when the file cannot be read."""
import csv
import json
import sys
import zipfile
from datetime import datetime
from xml.etree import ElementTree

import openpyxl
from openpyxl.utils import get_column_letter


def cell_json(cell):
    value = cell.value
    if value is None:
        return None
    return {
        't': 'formula' if cell.data_type == 'f' else type(value).__name__,
        'v': value.isoformat() if isinstance(value, datetime) else value,
        'f': cell.number_format,
        'bold': bool(cell.font and cell.font.b),
    }


def rich_text(title):
    """The plain text of a chart or axis title, or None."""
    try:
        return ''.join(run.t for p in title.tx.rich.p for run in (p.r or []))
    except AttributeError:
        return None


def chart_json(chart):
    anchor = getattr(chart.anchor, '_from', None)
    return {
        'type': type(chart).__name__,
        'grouping': getattr(chart, 'grouping', None),
        'series': len(chart.series),
        'title': rich_text(chart.title) if chart.title else None,
        'anchor': f'{get_column_letter(anchor.col + 1)}{anchor.row + 1}' if anchor else None,
    }


def company(path):
    """Company is in docProps/app.xml, which openpyxl does not read."""
    with zipfile.ZipFile(path) as z:
        if 'docProps/app.xml' not in z.namelist():
            return None
        root = ElementTree.fromstring(z.read('docProps/app.xml'))
    for element in root:
        if element.tag.endswith('}Company'):
            return element.text
    return None


def read_xlsx(path):
    workbook = openpyxl.load_workbook(path)
    p = workbook.properties
    out = {
        'properties': {
            'title': p.title, 'subject': p.subject, 'creator': p.creator, 'keywords': p.keywords,
            'description': p.description, 'created': p.created.isoformat() if p.created else None,
            'company': company(path),
        },
        'sheets': [],
    }
    for sheet in workbook.worksheets:
        out['sheets'].append({
            'name': sheet.title,
            'freeze_panes': sheet.freeze_panes,
            'auto_filter': sheet.auto_filter.ref,
            'widths': {letter: d.width for letter, d in sheet.column_dimensions.items() if d.customWidth},
            'charts': [chart_json(c) for c in sheet._charts],
            'rows': [[cell_json(c) for c in row] for row in sheet.iter_rows()],
        })
    return out


def read_csv(path, separator):
    with open(path, newline='', encoding='utf-8-sig') as f:
        return {'rows': [row for row in csv.reader(f, delimiter=separator, strict=True)]}


def main():
    path = sys.argv[1]
    out = read_csv(path, sys.argv[2]) if path.endswith('.csv') else read_xlsx(path)
    json.dump(out, sys.stdout, ensure_ascii=False, default=str)


if __name__ == '__main__':
    main()
