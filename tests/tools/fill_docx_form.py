#!/usr/bin/python3
"""Fills in a Word form Spegla made (plugins/offline_form/docx_form_writer.cpp) as a person would in Word:
through its content controls, with python-docx and lxml, and saves it under a new name.

Usage: fill_docx_form.py IN.docx OUT.docx ANSWERS.json

ANSWERS maps a field id to
  a string              a scalar field: the text a person types, or the label they pick in a drop-down
                        (the list item whose displayText matches; a date picker also gets its w:fullDate);
  a list of strings     a multiple choice: the labels of the options to tick (the others are unticked);
  a list of objects     a group: one object per row, column id -> text. Existing rows are filled, rows are
                        added by copying the last row (as Word's plus button does), surplus rows removed.
                        A row object with "_plain": true is added as a bare table row without controls, its
                        cells in column order (as Word's Tab in the last cell adds one).
Exits non-zero, with a message, when a field has no control in the document."""
import copy
import json
import sys

import docx
from docx.oxml.ns import qn

W14 = 'http://schemas.microsoft.com/office/word/2010/wordml'
W15 = 'http://schemas.microsoft.com/office/word/2012/wordml'
TAG_PREFIX = 'spegla:'


def w14(name):
    return '{%s}%s' % (W14, name)


def w15(name):
    return '{%s}%s' % (W15, name)


def tag_of(sdt):
    pr = sdt.find(qn('w:sdtPr'))
    if pr is None:
        return None
    tag = pr.find(qn('w:tag'))
    return None if tag is None else tag.get(qn('w:val'))


def controls(root):
    return [sdt for sdt in root.iter(qn('w:sdt')) if (tag_of(sdt) or '').startswith(TAG_PREFIX)]


class Ids:
    """New w:id values for controls copied with a row: above every id in the document."""

    def __init__(self, root):
        ids = [int(el.get(qn('w:val'))) for el in root.iter(qn('w:id')) if el.get(qn('w:val'), '').lstrip('-').isdigit()]
        self.next = max(ids + [0]) + 1

    def renumber(self, element):
        for el in element.iter(qn('w:id')):
            if el.getparent() is not None and el.getparent().tag == qn('w:sdtPr'):
                el.set(qn('w:val'), str(self.next))
                self.next += 1


def make_run(run_properties, text):
    """A w:r showing `text`, line breaks as w:br, with a copy of `run_properties` (no placeholder style)."""
    run = docx.oxml.OxmlElement('w:r')
    if run_properties is not None:
        rpr = copy.deepcopy(run_properties)
        for style in rpr.findall(qn('w:rStyle')):
            if style.get(qn('w:val')) == 'PlaceholderText':
                rpr.remove(style)
        run.append(rpr)
    for i, line in enumerate(text.split('\n')):
        if i > 0:
            run.append(docx.oxml.OxmlElement('w:br'))
        t = docx.oxml.OxmlElement('w:t')
        t.set('{http://www.w3.org/XML/1998/namespace}space', 'preserve')
        t.text = line
        run.append(t)
    return run


def set_control_text(sdt, text):
    """Types `text` into a control: a drop-down's item by its shown text, a date with its w:fullDate, a
    block-level control one paragraph per line, any other the text in one run."""
    pr = sdt.find(qn('w:sdtPr'))
    content = sdt.find(qn('w:sdtContent'))
    for flag in pr.findall(qn('w:showingPlcHdr')):
        pr.remove(flag)
    drop_down = pr.find(qn('w:dropDownList'))
    if drop_down is not None:
        for item in drop_down.findall(qn('w:listItem')):
            if text and item.get(qn('w:displayText')) == text:
                drop_down.set(qn('w:lastValue'), item.get(qn('w:value'), ''))
                break
    date = pr.find(qn('w:date'))
    if date is not None:
        if len(text) == 10 and text[4] == '-' and text[7] == '-':
            date.set(qn('w:fullDate'), text + 'T00:00:00Z')
        elif qn('w:fullDate') in date.attrib:
            del date.attrib[qn('w:fullDate')]
    paragraphs = content.findall(qn('w:p'))
    if paragraphs:  # block level: one paragraph per line, with the first one's paragraph properties
        ppr = paragraphs[0].find(qn('w:pPr'))
        first_run = paragraphs[0].find(qn('w:r'))
        rpr = first_run.find(qn('w:rPr')) if first_run is not None else None
        for p in paragraphs:
            content.remove(p)
        for line in text.split('\n'):
            p = docx.oxml.OxmlElement('w:p')
            if ppr is not None:
                p.append(copy.deepcopy(ppr))
            if line:
                p.append(make_run(rpr, line))
            content.append(p)
        return
    first_run = content.find('.//' + qn('w:r'))
    rpr = first_run.find(qn('w:rPr')) if first_run is not None else pr.find(qn('w:rPr'))
    for child in list(content):
        content.remove(child)
    content.append(make_run(rpr, text))


def label_beside(sdt):
    """The text of the runs after a check box in its paragraph: the option's label."""
    text = []
    sibling = sdt.getnext()
    while sibling is not None:
        for t in sibling.iter(qn('w:t')):
            text.append(t.text or '')
        sibling = sibling.getnext()
    return ''.join(text).strip()


def set_ticked(sdt, ticked):
    pr = sdt.find(qn('w:sdtPr'))
    checkbox = pr.find(w14('checkbox'))
    checked = checkbox.find(w14('checked'))
    checked.set(w14('val'), '1' if ticked else '0')
    for t in sdt.find(qn('w:sdtContent')).iter(qn('w:t')):
        t.text = '\u2612' if ticked else '\u2610'


def fill_group(root, field, rows, ids):
    section = next((s for s in controls(root) if tag_of(s) == TAG_PREFIX + field), None)
    if section is None:
        raise SystemExit('no repeating section spegla:%s' % field)
    content = section.find(qn('w:sdtContent'))
    items = [child for child in content if child.tag == qn('w:sdt')]
    table = section.getparent()
    while table is not None and table.tag != qn('w:tbl'):
        table = table.getparent()
    columns = [s for s in items[0].iter(qn('w:sdt')) if (tag_of(s) or '').startswith(TAG_PREFIX + field + '.')]
    column_ids = [tag_of(s)[len(TAG_PREFIX + field) + 1:] for s in columns]
    control_rows = [row for row in rows if not row.get('_plain')]
    plain_rows = [row for row in rows if row.get('_plain')]
    while len(items) < len(control_rows):
        added = copy.deepcopy(items[-1])
        ids.renumber(added)
        items[-1].addnext(added)
        items.append(added)
    for surplus in items[len(control_rows):]:
        content.remove(surplus)
    for item, row in zip(items, control_rows):
        for cell in item.iter(qn('w:sdt')):
            tag = tag_of(cell) or ''
            if tag.startswith(TAG_PREFIX + field + '.'):
                set_control_text(cell, row.get(tag[len(TAG_PREFIX + field) + 1:], ''))
    for row in plain_rows:
        tr = docx.oxml.OxmlElement('w:tr')
        for column in column_ids:
            tc = docx.oxml.OxmlElement('w:tc')
            p = docx.oxml.OxmlElement('w:p')
            text = row.get(column, '')
            if text:
                p.append(make_run(None, text))
            tc.append(p)
            tr.append(tc)
        table.append(tr)


def main():
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    document = docx.Document(sys.argv[1])
    with open(sys.argv[3], encoding='utf-8') as f:
        answers = json.load(f)
    root = document.element
    ids = Ids(root)
    for field, answer in answers.items():
        boxes = [s for s in controls(root) if (tag_of(s) or '').startswith(TAG_PREFIX + field + ':')]
        if isinstance(answer, list) and ((answer and isinstance(answer[0], dict)) or (not answer and not boxes)):
            fill_group(root, field, answer, ids)
        elif isinstance(answer, list):
            if not boxes:
                raise SystemExit('no check boxes spegla:%s:…' % field)
            for box in boxes:
                set_ticked(box, label_beside(box) in answer)
        else:
            control = next((s for s in controls(root) if tag_of(s) == TAG_PREFIX + field), None)
            if control is None:
                raise SystemExit('no control spegla:%s' % field)
            set_control_text(control, answer)
    document.save(sys.argv[2])


if __name__ == '__main__':
    main()
