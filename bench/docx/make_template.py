#!/usr/bin/python3
"""Writes the benchmark's utvecklingsplan with python-docx: the four Skolverket questions as long texts and
an action table whose row repeats per action. Two forms of the same document:
  utvecklingsplan.docx         docxtemplater's tags, which Spegla's docx plugin reads
  utvecklingsplan-docxtpl.docx the same in docxtpl's Jinja2 tags ({%tr %} rows of their own)
Usage: make_template.py OUTDIR"""
import sys

from docx import Document


def build(path, tag, loop_open, loop_close, cell):
    d = Document()
    d.add_heading('Utvecklingsplan', 0)
    p = d.add_paragraph('Enhet: ')
    p.add_run(tag('enhet')).bold = True
    d.add_paragraph('Period: ' + tag('period') + '   Arbetslag: ' + tag('arbetslag'))
    for title, key in [('Var är vi?', 'nulage'), ('Vart ska vi?', 'mal'), ('Hur gör vi?', 'arbetssatt'),
                       ('Hur blev det?', 'resultat')]:
        d.add_heading(title, 1)
        d.add_paragraph(tag(key))
    d.add_heading('Åtgärder', 1)
    t = d.add_table(rows=2, cols=3)
    for i, h in enumerate(['Vad', 'Vem', 'När']):
        t.rows[0].cells[i].text = h
    c = t.rows[1].cells
    c[0].text = loop_open + cell('vad')
    c[1].text = cell('vem')
    c[2].text = cell('nar') + loop_close
    d.save(path)
    return d


out = sys.argv[1] if len(sys.argv) > 1 else '.'
build(f'{out}/utvecklingsplan.docx', lambda k: '{' + k + '}', '{#atgarder}', '{/atgarder}', lambda k: '{' + k + '}')
jinja = f'{out}/utvecklingsplan-docxtpl.docx'
doc = build(jinja, lambda k: '{{ ' + k + ' }}', '', '', lambda k: '{{ a.' + k + ' }}')
table = doc.tables[0]
last = table.add_row()
last.cells[0].text = '{%tr endfor %}'
first = table.add_row()
first.cells[0].text = '{%tr for a in atgarder %}'
table._tbl.tr_lst[1].addprevious(first._tr)
doc.save(jinja)
