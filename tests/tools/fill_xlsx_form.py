#!/usr/bin/python3
"""Fills in an Excel form made by Spegla as a person would, with openpyxl (Debian's python3-openpyxl).

  fill_xlsx_form.py IN.xlsx OUT.xlsx ANSWERS.json

ANSWERS maps a field id to
  - a string or a number: the answer of a scalar field, typed into its cell in the "Svar" column. Like
    Excel, the cell's number format decides what is stored: a text cell ("@") keeps the text; a date cell
    gets a date (the text is ISO, "2026-03-01"); any other cell gets a number when the text is one ("3,5"
    or "3.5"), else the text. A choice, yes/no or person is given as the text shown in its list.
  - a list of strings: the labels of the options of a multiple choice field to mark with "x"; the other
    options are cleared.
  - a list of objects (column id -> string or number): the rows of a group, written on the group's sheet
    from its first row on, typed per cell as above; the rows below them are cleared.
The form sheet's hidden column D holds each row's key (the field id; "<field id>:<option value>" for an
option), column E a group's sheet name; a group sheet's hidden row 1 holds its column ids, row 2 is the header of its table.
Exits non-zero with a message when a field is not in the form."""
import datetime
import json
import sys

import openpyxl

FORM_SHEET = 'Formulär'
ANSWER, KEY, SHEET = 2, 4, 5  # columns B, D, E (openpyxl counts from 1)
ID_ROW, FIRST_ROW = 1, 3


def is_date_format(number_format):
    fmt = (number_format or '').lower()
    return fmt != 'general' and fmt != '@' and 'y' in fmt and 'd' in fmt


def typed(cell, value):
    """`value` as Excel stores what a person types into `cell`."""
    if value is None or value == '':
        return None
    if isinstance(value, (int, float)):
        return value
    if cell.number_format == '@':
        return value
    if is_date_format(cell.number_format):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            return value
    try:
        return float(value.strip().replace(',', '.'))
    except ValueError:
        return value


def put(cell, value):
    stored = typed(cell, value)
    number_format = cell.number_format
    cell.value = stored
    cell.number_format = number_format  # openpyxl would set its own format for a date


def fill_group(workbook, sheet_name, rows):
    sheet = workbook[sheet_name]
    ids = {}
    for cell in sheet[ID_ROW]:
        if cell.value:
            ids[str(cell.value)] = cell.column
    last = max(sheet.max_row, FIRST_ROW + len(rows) - 1)
    for index in range(FIRST_ROW, last + 1):
        row = rows[index - FIRST_ROW] if index - FIRST_ROW < len(rows) else {}
        for column_id, column in ids.items():
            put(sheet.cell(index, column), row.get(column_id))


def main():
    source, target, answers_path = sys.argv[1:4]
    with open(answers_path, encoding='utf-8') as f:
        answers = json.load(f)
    workbook = openpyxl.load_workbook(source)
    form = workbook[FORM_SHEET]
    rows = {}
    for row in range(1, form.max_row + 1):
        key = form.cell(row, KEY).value
        if key is not None:
            rows.setdefault(str(key), row)
    for field_id, answer in answers.items():
        if field_id not in rows:
            sys.exit(f'the form has no field {field_id!r}')
        row = rows[field_id]
        if form.cell(row, SHEET).value:
            fill_group(workbook, form.cell(row, SHEET).value, answer)
        elif isinstance(answer, list):
            prefix = field_id + ':'
            for key, option_row in rows.items():
                if key.startswith(prefix):
                    label = str(form.cell(option_row, 1).value or '').strip()
                    form.cell(option_row, ANSWER).value = 'x' if label in answer else None
        else:
            put(form.cell(row, ANSWER), answer)
    workbook.save(target)


if __name__ == '__main__':
    main()
