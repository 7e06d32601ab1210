#!/usr/bin/python3
"""Prints the text of a .docx as python-docx opens it: every part that holds text (the main document,
headers, footers, footnotes, endnotes), each after a line "== /word/part.xml", one line per paragraph
(tables included, in document order), with w:br as "\\n" and w:tab as "\\t" written out.

Usage: docx_text.py FILE.docx   (exits non-zero when python-docx cannot open the file)"""
import re
import sys

import docx
from docx.oxml.ns import qn

W_P, W_T, W_BR, W_TAB, W_CR = qn('w:p'), qn('w:t'), qn('w:br'), qn('w:tab'), qn('w:cr')
TEXT_PART = re.compile(r'^/word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml$')


def owner(el):
    """The paragraph an element belongs to: the nearest w:p above it."""
    a = el.getparent()
    while a is not None and a.tag != W_P:
        a = a.getparent()
    return a


def paragraph_text(p):
    out = []
    for el in p.iter(W_T, W_BR, W_CR, W_TAB):
        if owner(el) is not p:
            continue  # text of a nested paragraph (a text box) prints on its own line
        if el.tag == W_T:
            out.append(el.text or '')
        elif el.tag in (W_BR, W_CR):
            out.append('\\n')
        elif el.tag == W_TAB and el.getparent().tag != qn('w:tabs'):
            out.append('\\t')
    return ''.join(out)


def main():
    document = docx.Document(sys.argv[1])
    from lxml import etree
    parts = {}
    for part in document.part.package.iter_parts():
        name = str(part.partname)
        if TEXT_PART.match(name):
            element = getattr(part, '_element', None)
            if element is None:
                element = etree.fromstring(part.blob)
            parts[name] = element
    for name in sorted(parts, key=lambda n: (n != '/word/document.xml', n)):
        print('== ' + name)
        for p in parts[name].iter(W_P):
            print(paragraph_text(p))


if __name__ == '__main__':
    main()
