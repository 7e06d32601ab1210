#!/usr/bin/python3
"""Checks that the workbooks of one benchmark run are readable and hold the same cells, so that a broken
file cannot post a good time: each opens with openpyxl (read-only), has the same sheets in the same order
as the first, its Översikt sheet has N + 1 rows (the header and one per instance), and every row of
Översikt, and the first ROWS rows of every other sheet, hold the same values as the first workbook's
(dates as dates, numbers as numbers, booleans as booleans; date-times compared to the second).
Usage: check_xlsx.py N REFERENCE.xlsx OTHER.xlsx...   (prints one line; exits 1 on a difference)"""
import datetime
import itertools
import sys

import openpyxl

OVERVIEW = "Översikt"
ROWS = 1000


def value(v):
    if isinstance(v, datetime.datetime):
        return (v + datetime.timedelta(microseconds=500000)).replace(microsecond=0)
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def rows(sheet, limit=None):
    for row in itertools.islice(sheet.iter_rows(values_only=True), limit):
        cells = [value(v) for v in row]
        while cells and cells[-1] is None:
            cells.pop()
        yield tuple(cells)


def main():
    n, paths = int(sys.argv[1]), sys.argv[2:]
    books = [openpyxl.load_workbook(p, read_only=True) for p in paths]
    reference = books[0]
    for path, book in zip(paths[1:], books[1:]):
        if book.sheetnames != reference.sheetnames:
            sys.exit(f"check: {path} has the sheets {book.sheetnames}, {paths[0]} {reference.sheetnames}")
    for name in reference.sheetnames:
        limit = None if name == OVERVIEW else ROWS
        count = 0
        for count, row in enumerate(itertools.zip_longest(*(rows(b[name], limit) for b in books)), 1):
            for path, other in zip(paths[1:], row[1:]):
                if other != row[0]:
                    sys.exit(f"check: row {count} of {name!r} differs: {paths[0]} {row[0]}, {path} {other}")
        if name == OVERVIEW and count != n + 1:
            sys.exit(f"check: {OVERVIEW!r} has {count} rows, not {n + 1}")
    print(f"check ok: {len(paths)} workbooks, {len(reference.sheetnames)} sheets the same, "
          f"{OVERVIEW} {n + 1} rows the same in each")


main()
