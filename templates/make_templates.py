#!/usr/bin/python3
"""Writes the Word templates of the bundled processes' documents (docs/documents.md) with python-docx:
templates/<process>/<name>.docx. The .docx files beside this script are its output and are committed, so
that administrators can open them in Word; run it again after changing it:

    /usr/bin/python3 templates/make_templates.py [OUTDIR]      (default: the folder of this script)

The output is byte-for-byte the same on every run (fixed ZIP timestamps and document properties), which
tests/documents/templates_test.cpp checks.

Every template has the same frame: A4, Arial, Swedish proofing language; a page header "{enhet} ·
{process}" with {datum} on the right; a footer with the document's name and version and "Sida N av M"
(PAGE and NUMPAGES fields); the document's name ({dokument}) as title, the instance's title ({titel}) as
subtitle and a facts table (enhet, kommun, arbetslag, process, datum, version). Sections follow the forms
of the workflow, tables of group fields have a shaded header row that repeats on every page, and each
ends with the people taking part (one row per role) and, for plans, lines to sign.

Tags use only names that the engine puts in a document's data (docs/documents.md) for the forms its
<document> rule lists; tests/fixtures/documents/<process>-<name>.json has the data each is tested with.
"""
import io
import os
import sys
import zipfile
from datetime import datetime
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Twips

W = nsdecls('w')

# A4 with 2,2 cm side margins: the text is 16,6 cm wide.
PAGE_W, PAGE_H = 11906, 16838
MARGIN_SIDE, MARGIN_TOP, MARGIN_BOTTOM, MARGIN_HF = 1247, 1418, 1247, 709
TEXT_W = PAGE_W - 2 * MARGIN_SIDE  # 9412 twips

DARK = '1F3864'      # headings
ACCENT = '2E5C8A'    # second-level headings
GRAY = '595959'      # header, footer, guidance
RULE = 'BFBFBF'      # lines under the header and above the footer
BORDER = 'A6A6A6'    # table borders
HEAD_FILL = 'DCE6F1'  # header rows of tables
LABEL_FILL = 'F2F2F2'  # label cells of fact tables

FIXED_TIME = datetime(2026, 1, 1, 0, 0, 0)
ZIP_TIME = (2026, 1, 1, 0, 0, 0)


# ------------------------------------------------------------------------------------------------ styles

def _replace_props(style_el, ppr_xml, rpr_xml):
    """Gives a style exactly these paragraph and run properties, dropping the default template's (theme
    fonts and colours, borders, numbering) so that Word and LibreOffice show the same thing."""
    for tag in ('w:pPr', 'w:rPr'):
        old = style_el.find(qn(tag))
        if old is not None:
            style_el.remove(old)
    if ppr_xml is not None:
        style_el.append(parse_xml(f'<w:pPr {W}>{ppr_xml}</w:pPr>'))
    if rpr_xml is not None:
        style_el.append(parse_xml(f'<w:rPr {W}>{rpr_xml}</w:rPr>'))


def _run_props(size, bold=False, italic=False, color=None):
    xml = '<w:b/><w:bCs/>' if bold else ''
    xml += '<w:i/><w:iCs/>' if italic else ''
    xml += f'<w:color w:val="{color}"/>' if color else ''
    return xml + f'<w:sz w:val="{size}"/><w:szCs w:val="{size}"/>'


def _border(side, color, size=4, space=4):
    return f'<w:{side} w:val="single" w:sz="{size}" w:space="{space}" w:color="{color}"/>'


def setup_styles(doc):
    styles = doc.styles
    defaults = styles.element.find(qn('w:docDefaults'))
    rpr = defaults.find(qn('w:rPrDefault')).find(qn('w:rPr'))
    for child in list(rpr):
        rpr.remove(child)
    for xml in (f'<w:rFonts {W} w:ascii="Arial" w:hAnsi="Arial" w:eastAsia="Arial" w:cs="Arial"/>',
                f'<w:sz {W} w:val="20"/>', f'<w:szCs {W} w:val="20"/>',
                f'<w:lang {W} w:val="sv-SE" w:eastAsia="sv-SE" w:bidi="ar-SA"/>'):
        rpr.append(parse_xml(xml))
    ppr = defaults.find(qn('w:pPrDefault')).find(qn('w:pPr'))
    for child in list(ppr):
        ppr.remove(child)
    ppr.append(parse_xml(f'<w:spacing {W} w:after="120" w:line="264" w:lineRule="auto"/>'))

    keep = '<w:keepNext/><w:keepLines/>'
    _replace_props(styles['Normal'].element, None, None)
    _replace_props(styles['Title'].element, '<w:keepNext/><w:spacing w:before="0" w:after="40"/>',
                   _run_props(40, bold=True, color=DARK))
    _replace_props(styles['Subtitle'].element, '<w:spacing w:before="0" w:after="200"/>',
                   _run_props(24, color='404040'))
    _replace_props(styles['Heading 1'].element,
                   f'{keep}<w:pBdr>{_border("bottom", RULE, 4, 2)}</w:pBdr>'
                   '<w:spacing w:before="360" w:after="120"/><w:outlineLvl w:val="0"/>',
                   _run_props(28, bold=True, color=DARK))
    _replace_props(styles['Heading 2'].element, f'{keep}<w:spacing w:before="240" w:after="60"/>'
                   '<w:outlineLvl w:val="1"/>', _run_props(22, bold=True, color=ACCENT))
    _replace_props(styles['Heading 3'].element, f'{keep}<w:spacing w:before="160" w:after="40"/>'
                   '<w:outlineLvl w:val="2"/>', _run_props(20, bold=True, color='404040'))
    tabs = f'<w:tabs><w:tab w:val="clear" w:pos="4680"/><w:tab w:val="clear" w:pos="9360"/>' \
           f'<w:tab w:val="right" w:pos="{TEXT_W}"/></w:tabs>'
    _replace_props(styles['Header'].element,
                   f'<w:pBdr>{_border("bottom", RULE)}</w:pBdr>{tabs}<w:spacing w:after="0" w:line="240" '
                   'w:lineRule="auto"/>', _run_props(16, color=GRAY))
    _replace_props(styles['Footer'].element,
                   f'<w:pBdr>{_border("top", RULE)}</w:pBdr>{tabs}<w:spacing w:after="0" w:line="240" '
                   'w:lineRule="auto"/>', _run_props(16, color=GRAY))
    bullet = styles['List Bullet'].element
    _replace_props(bullet, '<w:numPr><w:numId w:val="1"/></w:numPr><w:spacing w:after="40"/>', None)

    def add(name, style_id, based_on, ppr_xml, rpr_xml):
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.element.set(qn('w:styleId'), style_id)
        style.element.append(parse_xml(f'<w:basedOn {W} w:val="{based_on}"/>'))
        style.element.append(parse_xml(f'<w:qFormat {W}/>'))
        _replace_props(style.element, ppr_xml, rpr_xml)

    add('Vägledning', 'Vagledning', 'Normal', '<w:spacing w:before="0" w:after="80"/>',
        _run_props(17, italic=True, color=GRAY))
    add('Tabelltext', 'Tabelltext', 'Normal',
        '<w:spacing w:before="20" w:after="20" w:line="240" w:lineRule="auto"/>', _run_props(19))
    add('Tabellrubrik', 'Tabellrubrik', 'Tabelltext', '<w:keepNext/>', _run_props(18, bold=True, color=DARK))


def setup_settings(doc):
    """Swedish number formats and theme language; no thumbnail from python-docx's sample document."""
    settings = doc.settings.element
    for tag, attr, value in (('w:themeFontLang', 'w:val', 'sv-SE'), ('w:decimalSymbol', 'w:val', ','),
                             ('w:listSeparator', 'w:val', ';')):
        el = settings.find(qn(tag))
        if el is not None:
            el.set(qn(attr), value)
    package = doc.part.package
    for r_id, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del package.rels[r_id]


# ------------------------------------------------------------------------------------------------ XML bits

def run_xml(text):
    return f'<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def para_xml(text, style='Tabelltext'):
    return f'<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr>{run_xml(text) if text else ""}</w:p>'


def field_runs(instruction, shown):
    """A Word field (PAGE, NUMPAGES) as Word writes it: begin, instruction, separate, result, end."""
    return [parse_xml(xml) for xml in (
        f'<w:r {W}><w:fldChar w:fldCharType="begin"/></w:r>',
        f'<w:r {W}><w:instrText xml:space="preserve"> {instruction} </w:instrText></w:r>',
        f'<w:r {W}><w:fldChar w:fldCharType="separate"/></w:r>',
        f'<w:r {W}><w:t>{shown}</w:t></w:r>',
        f'<w:r {W}><w:fldChar w:fldCharType="end"/></w:r>')]


def cell_xml(width, paragraphs, fill=None):
    shd = f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>' if fill else ''
    body = ''.join(paragraphs) or para_xml('')
    return f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{shd}</w:tcPr>{body}</w:tc>'


def row_xml(cells, header=False, height=None):
    props = ''
    if header:
        props += '<w:cantSplit/>'
    if height:
        props += f'<w:trHeight w:val="{height}"/>'
    if header:
        props += '<w:tblHeader/>'
    return f'<w:tr>{"<w:trPr>" + props + "</w:trPr>" if props else ""}{"".join(cells)}</w:tr>'


def table_xml(widths, rows):
    assert sum(widths) == TEXT_W, (widths, sum(widths))
    borders = ''.join(_border(side, BORDER, 4, 0)
                      for side in ('top', 'left', 'bottom', 'right', 'insideH', 'insideV'))
    grid = ''.join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    return (f'<w:tbl {W}><w:tblPr><w:tblW w:w="{TEXT_W}" w:type="dxa"/><w:tblInd w:w="0" w:type="dxa"/>'
            f'<w:tblBorders>{borders}</w:tblBorders><w:tblLayout w:type="fixed"/>'
            '<w:tblCellMar><w:top w:w="45" w:type="dxa"/><w:left w:w="85" w:type="dxa"/>'
            '<w:bottom w:w="45" w:type="dxa"/><w:right w:w="85" w:type="dxa"/></w:tblCellMar>'
            '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" w:lastColumn="0" '
            f'w:noHBand="0" w:noVBand="1"/></w:tblPr><w:tblGrid>{grid}</w:tblGrid>{"".join(rows)}</w:tbl>')


def dash(name):
    """A value, or a dash when it is empty."""
    return f'{{{name}}}{{^{name}}}–{{/{name}}}'


def or_text(name, text='Ej angivet.'):
    """A value, or a short text when it is empty."""
    return f'{{{name}}}{{^{name}}}{text}{{/{name}}}'


# ------------------------------------------------------------------------------------------------ a template

class Template:
    def __init__(self, title_hint):
        self.doc = Document()
        self.title_hint = title_hint
        setup_styles(self.doc)
        setup_settings(self.doc)
        section = self.doc.sections[0]
        section.page_width, section.page_height = Twips(PAGE_W), Twips(PAGE_H)
        section.left_margin = section.right_margin = Twips(MARGIN_SIDE)
        section.top_margin, section.bottom_margin = Twips(MARGIN_TOP), Twips(MARGIN_BOTTOM)
        section.header_distance = section.footer_distance = Twips(MARGIN_HF)

        header = section.header.paragraphs[0]
        header.style = self.doc.styles['Header']
        header.add_run('{enhet} · {process}\t{datum}')
        footer = section.footer.paragraphs[0]
        footer.style = self.doc.styles['Footer']
        footer.add_run('{dokument} · version {version}\tSida ')
        footer._p.extend(field_runs('PAGE', '1'))
        footer.add_run(' av ')
        footer._p.extend(field_runs('NUMPAGES', '1'))

        self.doc.add_paragraph('{dokument}', style='Title')
        self.doc.add_paragraph('{titel}', style='Subtitle')
        w = (1600, TEXT_W // 2 - 1600)
        facts = [('Enhet', '{enhet}', 'Kommun', '{kommun}'),
                 ('Arbetslag', dash('arbetslag'), 'Process', '{process}'),
                 ('Datum', '{datum}', 'Version', '{version}')]
        rows = [row_xml([cell_xml(w[0], [para_xml(a, 'Tabellrubrik')], LABEL_FILL), cell_xml(w[1], [para_xml(b)]),
                         cell_xml(w[0], [para_xml(c, 'Tabellrubrik')], LABEL_FILL), cell_xml(w[1], [para_xml(d)])])
                for a, b, c, d in facts]
        self._insert(table_xml([w[0], w[1], w[0], w[1]], rows))
        self.doc.add_paragraph('')

    def _insert(self, xml):
        self.doc.element.body.sectPr.addprevious(parse_xml(xml))

    def h1(self, text):
        self.doc.add_paragraph(text, style='Heading 1')

    def h2(self, text):
        self.doc.add_paragraph(text, style='Heading 2')

    def h3(self, text):
        self.doc.add_paragraph(text, style='Heading 3')

    def p(self, text):
        self.doc.add_paragraph(text)

    def guide(self, text):
        """A small italic line of guidance, as municipal templates have under some headings."""
        self.doc.add_paragraph(text, style='Vägledning')

    def bullets(self, items):
        for item in items:
            self.doc.add_paragraph(item, style='List Bullet')

    def section(self, name):
        """{#name} alone in a paragraph: the paragraphs (and tables) up to end_section(name) repeat for
        each occurrence of a repeating step's form, or show only when the value is filled in."""
        self.doc.add_paragraph(f'{{#{name}}}')

    def end_section(self, name):
        self.doc.add_paragraph(f'{{/{name}}}')

    def facts(self, rows, label_width=3300):
        """A table of label | value rows for short fields."""
        widths = (label_width, TEXT_W - label_width)
        self._insert(table_xml(list(widths), [
            row_xml([cell_xml(widths[0], [para_xml(label, 'Tabellrubrik')], LABEL_FILL),
                     cell_xml(widths[1], [para_xml(value)])]) for label, value in rows]))
        self.doc.add_paragraph('')

    def group(self, name, columns, empty):
        """A group field as a table: a shaded header row repeated on each page, and one row per row of the
        group (the section's tags stand in the first and the last cell). `columns`: (label, width, text)."""
        widths = [w for _, w, _ in columns]
        header = row_xml([cell_xml(w, [para_xml(label, 'Tabellrubrik')], HEAD_FILL)
                          for label, w, _ in columns], header=True)
        cells = []
        for i, (_, w, text) in enumerate(columns):
            if i == 0:
                text = f'{{#{name}}}' + text
            if i == len(columns) - 1:
                text = text + f'{{/{name}}}'
            cells.append(cell_xml(w, [para_xml(text)]))
        self._insert(table_xml(widths, [header, row_xml(cells)]))
        self.doc.add_paragraph(f'{{^{name}}}{empty}{{/{name}}}', style='Vägledning')

    def roles(self, roles):
        """Who takes part: one row per role of the workflow, with the names of its participants."""
        self.h1('Medverkande')
        widths = [3300, TEXT_W - 3300]
        header = row_xml([cell_xml(widths[0], [para_xml('Roll', 'Tabellrubrik')], HEAD_FILL),
                          cell_xml(widths[1], [para_xml('Namn', 'Tabellrubrik')], HEAD_FILL)], header=True)
        rows = [row_xml([cell_xml(widths[0], [para_xml(label)]), cell_xml(widths[1], [para_xml(dash(role))])])
                for label, role in roles]
        self._insert(table_xml(widths, [header] + rows))

    def signatures(self, rows, heading='Underskrifter'):
        """Lines to sign on paper: role, names, date and signature."""
        self.h1(heading)
        widths = [2900, 2900, 1500, TEXT_W - 7300]
        header = row_xml([cell_xml(w, [para_xml(t, 'Tabellrubrik')], HEAD_FILL)
                          for t, w in zip(('Roll', 'Namn', 'Datum', 'Underskrift'), widths)], header=True)
        body = [row_xml([cell_xml(widths[0], [para_xml(label)]), cell_xml(widths[1], [para_xml(dash(role))]),
                         cell_xml(widths[2], []), cell_xml(widths[3], [])], height=680)
                for label, role in rows]
        self._insert(table_xml(widths, [header] + body))

    def save(self, path):
        core = self.doc.core_properties
        core.title = self.title_hint
        core.subject = 'Mall för Spegla'
        core.author = 'Spegla'
        core.comments = 'Fylls i av Spegla (docx-pluginen) med taggar enligt docs/documents.md.'
        core.language = 'sv-SE'
        core.last_modified_by = 'Spegla'
        core.created = core.modified = FIXED_TIME
        core.revision = 1
        raw = io.BytesIO()
        self.doc.save(raw)
        # python-docx stamps each ZIP entry with the current time; rewrite them with a fixed one so that
        # the same script always gives the same bytes.
        out = io.BytesIO()
        with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as dst:
            for item in src.infolist():
                info = zipfile.ZipInfo(item.filename, ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                info.create_system = 3
                dst.writestr(info, src.read(item.filename))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'wb') as f:
            f.write(out.getvalue())


# ------------------------------------------------------------------------------------------------ KU8

KU8_ROLES = [('Rektor/förskolechef', 'rektor'), ('Arbetslag', 'arbetslag'), ('Observatörer', 'observator'),
             ('Utvecklingsledare', 'utvecklingsledare'), ('Skolutvecklare', 'skolutvecklare')]


def ku8_ansokan():
    t = Template('Ansökan om lärande besök')
    t.guide('Ansökningar om lärande besök görs löpande, när verksamheten har behov. Ansökan går till '
            'utvecklingsledargruppen, som återkopplar till arbetslaget.')
    t.h1('Förskola/skola och arbetslag')
    t.facts([('Förskola/skola', '{ansokan.enhet}'), ('Arbetslag', '{ansokan.arbetslag_namn}'),
             ('Verksamhetsformer som berörs', '{ansokan.verksamhetsformer}'),
             ('Antal barn/elever i gruppen', dash('ansokan.antal_barn')),
             ('Kontaktperson', '{ansokan.kontaktperson}'), ('E-postadress', '{ansokan.kontakt_epost}')])
    t.h1('Problemformulering')
    t.guide('Vad vill ni utveckla, och vad vill ni att observatörerna ska hjälpa er att se? '
            'Problemformuleringen diskuteras och preciseras under planeringsmötena.')
    t.p('{ansokan.problemformulering}')
    t.h2('Önskat observationsområde')
    t.p(or_text('ansokan.observationsomrade_onskat'))
    t.h2('Önskade datum eller veckor för besöket')
    t.guide('Observationsdagarna kan vara sammanhängande eller utspridda, högst fyra dagar.')
    t.p(or_text('ansokan.onskade_datum'))
    t.h1('Information till barn, elever och föräldrar')
    t.facts([('Har barn, elever och föräldrar informerats om observationerna?',
              '{ansokan.informerat_foraldrar}')], label_width=5600)
    t.section('ansokan.informeras_nar')
    t.h2('När och hur informerar ni barn, elever och föräldrar?')
    t.p('{ansokan.informeras_nar}')
    t.end_section('ansokan.informeras_nar')
    t.roles(KU8_ROLES)
    return t


def ku8_utvardering():
    t = Template('Utvärdering av det lärande besöket')
    t.guide('Arbetslaget utvärderar besöket utifrån de nya tankar och lärdomar det gett. Utvärderingen '
            'lämnas till kommunens skolutvecklare eller motsvarande.')
    t.h1('Vilka nya tankar har besöket gett oss?')
    t.p('{utvardering.nya_tankar}')
    t.h1('Vilka lärdomar har vi gjort?')
    t.p('{utvardering.lardomar}')
    t.h1('Vad tar vi med oss?')
    t.p(or_text('utvardering.ta_med_oss'))
    t.h1('Överlämning')
    t.facts([('Lämnas till kommunens skolutvecklare', dash('skolutvecklare')),
             ('Lämnad till skolutvecklare', dash('utvardering.lamnad_till_skolutvecklare'))])
    t.roles(KU8_ROLES)
    return t


def ku8_utvecklingsplan():
    t = Template('Utvecklingsplan')
    t.guide('Arbetslaget tar fram planen tillsammans med observatörerna utifrån Skolverkets modell för '
            'systematiskt kvalitetsarbete.')
    t.h1('1. Var är vi?')
    t.guide('Nuläget: vad visade observationerna och återkopplingen?')
    t.p('{utvecklingsplan.var_ar_vi}')
    t.h1('2. Vart ska vi?')
    t.guide('Målen: vad vill vi uppnå för barnen och eleverna?')
    t.p('{utvecklingsplan.vart_ska_vi}')
    t.h1('3. Hur gör vi?')
    t.guide('Arbetssätt och åtgärder: vad gör vi, vem gör det och när?')
    t.p('{utvecklingsplan.hur_gor_vi}')
    t.h2('Åtgärder')
    t.group('utvecklingsplan.atgarder', [('Vad', 5612, '{vad}'), ('Vem', 2400, '{vem}'), ('När', 1400, '{nar}')],
            'Inga åtgärder har registrerats.')
    t.h1('4. Hur blev det?')
    t.p(or_text('utvecklingsplan.hur_blev_det', 'Fylls i vid uppföljningsmötet.'))
    t.h1('Spridning')
    t.facts([('Skickad digitalt till utvecklare', dash('utvecklingsplan.skickad_till_utvecklare'))])
    t.roles(KU8_ROLES)
    t.signatures([('Rektor/förskolechef har tagit del av planen', 'rektor')], 'Underskrift')
    return t


def ku8_lardomar():
    t = Template('Sammanfattning av lärdomar')
    t.guide('KU8:s mall för sammanfattningen av ett lärande besök, skriven av observatörerna tillsammans '
            'med arbetslaget. Den kan spridas och publiceras på KU8.se och innehåller inga namn på barn, '
            'elever eller personal.')
    t.h1('{lardomar.rubrik}')
    t.h2('Utgångspunkt: vad ville arbetslaget utveckla?')
    t.p(or_text('lardomar.utgangspunkt'))
    t.h2('Så gick besöket till')
    t.p(or_text('lardomar.sa_gjorde_vi'))
    t.h2('Sammanfattning av lärdomar')
    t.p('{lardomar.sammanfattning}')
    t.h2('Tips till andra arbetslag')
    t.p(or_text('lardomar.tips'))
    t.h1('Publicering och dokumentation')
    t.facts([('Får publiceras på KU8.se', '{lardomar.publicera}'),
             ('Arbetslaget godkänner publiceringen', dash('lardomar.arbetslaget_godkanner')),
             ('Dokumentationen delgiven utvecklare', dash('lardomar.delgiven_utvecklare'))])
    t.roles(KU8_ROLES)
    return t


# ------------------------------------------------------------------------------------------------ Örebro

OREBRO_ROLES = [('Rektor/förskolechef', 'rektor'), ('Ledningsgrupp', 'ledningsgrupp'),
                ('Processledningsgrupp', 'processledning'), ('Kvalitetsutvecklare', 'kvalitetsutvecklare'),
                ('Kollegor från Centralt skolstöd', 'skolstod'),
                ('Samordnare, Kvalitetsutvecklargruppen', 'samordnare'),
                ('Enhetschef, Centralt skolstöd', 'enhetschef'), ('Berörd personal', 'personal')]


def orebro_kartlaggning():
    t = Template('Kartläggning och analys')
    t.guide('Kvalitetsutvecklarna kartlägger och analyserar verksamheten under samarbetets första fyra till '
            'fem veckor, utifrån utvecklingsarbetets syfte. Anteckningar om enskilda elever och medarbetare '
            'ingår inte i dokumentet.')
    t.h1('Genomförd kartläggning')
    t.group('kartlaggning.aktiviteter', [('Datum', 1400, '{datum}'), ('Typ av underlag', 3200, '{typ}'),
                                         ('Vad, var och med vilka', 4812, '{beskrivning}')],
            'Ingen kartläggning har registrerats.')
    t.h1('Analys utifrån utvecklingsarbetets syfte')
    t.p('{kartlaggning.analys}')
    t.h1('Styrkor i verksamheten')
    t.p(or_text('kartlaggning.styrkor'))
    t.h1('Utvecklingsområden')
    t.p('{kartlaggning.utvecklingsomraden}')
    t.h1('Relationer med personalen')
    t.guide('Hur har relationerna med den personal som ska delta i lärträffarna byggts?')
    t.p(or_text('kartlaggning.relationer'))
    t.roles(OREBRO_ROLES)
    return t


def orebro_arbetsplan():
    t = Template('Kvalitetsutvecklarnas arbetsplan')
    t.guide('Arbetsplanen anger mål och tillvägagångssätt för det kollegiala lärandet och gäller '
            'kvalitetsutvecklarnas arbete under samarbetet. Utvecklingsarbetet ägs av skolan, och skolans '
            'egna planer styr också.')
    t.facts([('Arbetsplanen gäller till och med', '{arbetsplan.planen_galler_till}')])
    t.h1('Utgångspunkter från kartläggningen')
    t.p('{arbetsplan.utgangspunkt}')
    t.h1('Mål för det kollegiala lärandet')
    t.group('arbetsplan.mal', [('Mål', 3600, '{mal}'),
                               ('Hur märker vi att vi närmar oss målet?', 5812, '{tecken}')],
            'Inga mål har registrerats.')
    t.h1('Tillvägagångssätt för det kollegiala lärandet')
    t.p('{arbetsplan.tillvagagangssatt}')
    t.h1('Skolans egna planer och dokument')
    t.guide('Planer och dokument som arbetet förhåller sig till.')
    t.p('{arbetsplan.skolans_planer}')
    t.h1('Uppföljning i processledningsgruppen')
    t.p(or_text('arbetsplan.uppfoljning'))
    t.roles(OREBRO_ROLES)
    t.signatures([('Rektor/förskolechef har tagit del av arbetsplanen', 'rektor'),
                  ('Samordnaren godkänner arbetsplanen', 'samordnare')])
    return t


# ------------------------------------------------------------------------------------------------ ALP

ALP_ROLES = [('Skolledare', 'skolledare'), ('Utvecklingsledare', 'utvecklingsledare'),
             ('Pedagoger i arbetslaget', 'pedagog'), ('Observatörer', 'observator'),
             ('ALP-projektledare', 'projektledare')]
ALP_AREAS = ['Pedagog – barn/ungdom', 'Pedagog – pedagog', 'Pedagog – ledning']


def alp_uppdrag():
    t = Template('Uppdrag till observatörerna')
    t.guide('Observatörerna är inte inspektörer som ska kontrollera och värdera verksamheten. De speglar, '
            'uppmuntrar och utmanar pedagogerna i deras utvecklingsarbete.')
    t.facts([('Mötet med pedagoger, skolledning och arbetslag', '{uppdrag.motesdatum}')])
    t.h1('Observationsområden')
    t.h2('Områden som vi vill få undersökta')
    t.p('{uppdrag.omraden}')
    t.h2('Gemensamma observationsområden')
    t.guide('Observeras vid varje lärande besök, utöver enhetens egna områden.')
    t.bullets(ALP_AREAS)
    t.h1('Frågeställningar')
    t.p('{uppdrag.fragestallningar}')
    t.h1('Mål med besöket')
    t.p('{uppdrag.mal}')
    t.h1('Bakgrund')
    t.p('{uppdrag.bakgrund}')
    t.h1('Individuella uppdrag')
    t.guide('Varje pedagog formulerar vad hon eller han vill att observatörerna ska titta på.')
    t.group('uppdrag.individuella_uppdrag',
            [('Pedagog', 1900, '{pedagog}'), ('Vad vill du att observatörerna ska titta på hos dig?', 3812,
                                              '{uppdrag}'),
             ('Lektion eller tillfälle', 1900, '{tillfalle}'), ('Ansvarig observatör', 1800, '{observator}')],
            'Inga individuella uppdrag har registrerats.')
    t.h1('Önskemål om besöket')
    t.p(or_text('uppdrag.onskemal'))
    t.roles(ALP_ROLES)
    return t


def alp_observationsanteckningar():
    t = Template('Observationsanteckningar')
    t.guide('Observatörernas anteckningar från lektionsbesök, samtal, konferenser och intervjuer. De kan '
            'gälla barn och personal och är bara för observatörerna. Inga namn på barn.')
    t.h1('Lektionsbesök')
    t.section('lektionsbesok')
    t.h2('Lektionsbesök {nr}: {datum}')
    t.facts([('Pedagog', '{pedagog}'), ('Klass/barngrupp', '{grupp}'), ('Ämne eller aktivitet', dash('amne')),
             ('Gemensamma observationsområden', '{omraden}'),
             ('Antal intervjuade barn/ungdomar', dash('antal_intervjuade'))])
    t.h3('Samtal före: planering, mål och gruppen')
    t.p('{samtal_fore}')
    t.h3('Kartläggning: vår förståelse av uppdraget')
    t.p(or_text('forstaelse'))
    t.h3('Uppdrag från pedagogen')
    t.p('{uppdrag_fran_pedagogen}')
    for field, area in (('iakttagelser_barn', ALP_AREAS[0]), ('iakttagelser_pedagog', ALP_AREAS[1]),
                        ('iakttagelser_ledning', ALP_AREAS[2])):
        t.section(field)
        t.h3('Passiva iakttagelser: ' + area[0].lower() + area[1:])
        t.p(f'{{{field}}}')
        t.end_section(field)
    t.h3('Intervjuer med barnen/ungdomarna')
    t.p(or_text('barnintervjuer'))
    t.end_section('lektionsbesok')
    t.guide('{^lektionsbesok}Inga lektionsbesök har registrerats.{/lektionsbesok}')
    t.h1('Samtal efter besöken')
    t.section('samtal_efter')
    t.h2('Samtal efter lektionsbesök {nr}: {datum}')
    t.h3('Observatörerna jämför sina bilder')
    t.p('{jamforda_bilder}')
    t.h3('Spegling: det vi såg och hörde')
    t.p('{spegling}')
    t.h3('Det positiva vi lyfter')
    t.p('{det_positiva}')
    t.facts([('Kreativa frågor vi ställde', '{kreativa_fragor}'),
             ('Andra frågor utifrån uppdraget', dash('egna_fragor'))])
    t.h3('Pedagogens egna tankar efter samtalet')
    t.p(or_text('pedagogens_reflektion'))
    t.end_section('samtal_efter')
    t.h1('Helhetsintryck')
    t.h2('Observerade konferenser')
    t.group('helhetsintryck.konferenser', [('Konferens', 2200, '{typ}'), ('Datum', 1400, '{datum}'),
                                           ('Iakttagelser', 5812, '{iakttagelser}')],
            'Inga konferenser har registrerats.')
    t.h2('Intervjuer')
    t.group('helhetsintryck.intervjuer', [('Intervju med', 1900, '{vem}'), ('Datum', 1400, '{datum}'),
                                          ('Antal', 900, '{antal}'), ('Vad framkom?', 5212, '{iakttagelser}')],
            'Inga intervjuer har registrerats.')
    t.h2('Observatörernas helhetsintryck')
    t.p('{helhetsintryck.sammanfattning}')
    t.roles(ALP_ROLES)
    return t


def alp_aterkoppling():
    t = Template('Återkoppling till arbetslaget')
    t.guide('Observatörsgruppens gemensamma bild och samtalet i arbetslaget. Skrivet på gruppnivå, utan namn '
            'på barn eller enskilda pedagoger: en spegling utan värdering.')
    t.h1('Observatörsgruppens gemensamma bild')
    for field, label in (('pedagog_barn', ALP_AREAS[0]), ('pedagog_pedagog', ALP_AREAS[1]),
                         ('pedagog_ledning', ALP_AREAS[2]),
                         ('svar_pa_uppdraget', 'Våra bilder utifrån enhetens frågeställningar'),
                         ('starka_sidor', 'Starka sidor'), ('omraden_att_utveckla', 'Områden att utveckla')):
        t.h2(label)
        t.p(f'{{gemensam_bild.{field}}}')
    t.h2('Mönster vi ser')
    t.p(or_text('gemensam_bild.monster'))
    t.h1('Dokumentation i arbetslaget')
    t.facts([('Datum för dokumentationsmötet', '{dokumentationsmote.datum}'),
             ('Deltagare', '{dokumentationsmote.deltagare}'),
             ('Antecknare', '{dokumentationsmote.antecknare}')])
    t.h2('Anteckningar från samtalet')
    t.p('{dokumentationsmote.anteckningar}')
    t.h2('Observatörernas återkoppling')
    t.p('{dokumentationsmote.aterkoppling}')
    t.h2('Förslag till dokumentation')
    t.p('{dokumentationsmote.forslag}')
    t.roles(ALP_ROLES)
    return t


def alp_larplan():
    t = Template('Lärplan')
    t.guide('Arbetslaget och utvecklingsledaren gör den gemensamma dokumentationen och lärplanen utifrån '
            'samtalet och observatörernas förslag. Utvecklingsledaren och skolledaren leder det fortsatta '
            'arbetet.')
    t.facts([('Lärplanen fastställd', '{larplan.faststalld}'),
             ('Datum för uppföljning', '{analys.uppfoljningsdatum}')])
    t.h1('Gemensam dokumentation av besöket')
    t.p('{larplan.gemensam_dokumentation}')
    t.h1('Lärplan')
    t.h2('Vad vill vi utveckla?')
    t.p('{larplan.utvecklingsomraden}')
    t.h2('Hur ser det ut när vi har lyckats?')
    t.p('{larplan.mal}')
    t.h2('Hur ska vi lära oss det?')
    t.guide('Litteratur, kollegiala samtal, auskultationer, handledning, kurser.')
    t.p('{larplan.larande}')
    t.h2('Hur märker vi att vi är på väg?')
    t.p(or_text('larplan.tecken'))
    t.h1('Analys och åtgärder')
    t.guide('Vad fungerar? Vad vill vi ha annorlunda? Hur kan vi göra då? Hur ser det ut då?')
    t.h2('Gemensam konstruktiv analys')
    t.p('{analys.analys}')
    t.h2('Förslag till förändringar')
    t.p('{analys.forslag}')
    t.h2('Åtgärder: vem gör vad och när')
    t.group('analys.atgarder', [('Vad', 5612, '{vad}'), ('Vem', 2400, '{vem}'), ('När', 1400, '{nar}')],
            'Inga åtgärder har registrerats.')
    t.roles(ALP_ROLES)
    t.signatures([('Skolledare', 'skolledare'), ('Utvecklingsledare', 'utvecklingsledare')])
    return t


# ------------------------------------------------------------------------------------------------ SBS

SBS_ROLES = [('Rektor/skolledare', 'rektor'), ('Processledare', 'processledare'),
             ('Processledarstöd, Högskolan Dalarna', 'handledare'), ('Deltagare i modulgrupperna', 'deltagare'),
             ('Huvudman/förvaltning', 'huvudman')]


def sbs_atgardsplan():
    t = Template('Åtgärdsplan')
    t.guide('Skolans åtgärdsplan inom Samverkan för bästa skola, den del som modularbetet bidrar till. '
            'Planen följs upp vid B-träffarna och revideras varje termin.')
    t.facts([('Senast reviderad', '{atgardsplan.senast_reviderad}')])
    t.h1('Vad ska utvecklingsarbetet leda till för eleverna?')
    t.p('{atgardsplan.mal}')
    t.h1('Åtgärder')
    t.group('atgardsplan.atgarder', [('Vad', 4612, '{vad}'), ('Vem', 2000, '{vem}'), ('När', 1400, '{nar}'),
                                     ('Status', 1400, dash('status'))],
            'Inga åtgärder har registrerats.')
    t.roles(SBS_ROLES)
    t.signatures([('Rektor/skolledare', 'rektor'), ('Huvudmannen har tagit del av planen', 'huvudman')])
    return t


def sbs_traffplan():
    t = Template('Träffplan')
    t.guide('Terminens träffar i processledarstödet. Högskolans handledare föreslår datum; rektor avsätter '
            'tid och bokar lokaler.')
    t.facts([('Aktuell termin', '{traffplan.termin}'), ('Terminsstart', '{traffplan.terminsstart}'),
             ('Terminsslut', '{traffplan.terminsslut}')])
    t.h1('Kommande träffar')
    t.group('traffplan.traffar',
            [('Termin', 900, '{termin}'),
             ('Datum', 1450, '{datum}{#alternativa_datum} (alternativt {alternativa_datum}){/alternativa_datum}'),
             ('Tid', 1250, '{tid}'), ('Träff', 2300, '{typ}'), ('Vilka deltar', 1700, '{malgrupp}'),
             ('Plats', 1812, '{plats}')],
            'Inga träffar har registrerats.')
    t.roles(SBS_ROLES)
    return t


def sbs_overenskommelse():
    t = Template('Överenskommelse')
    t.guide('Vad kommer vi överens om, och hur? Dels mellan modulgrupperna, dels inom varje grupp.')
    t.facts([('Gäller från', '{overenskommelse.galler_fran}'),
             ('Hur och när följs överenskommelsen upp?', dash('overenskommelse.uppfoljning'))])
    t.h1('Mellan grupper')
    t.guide('Till exempel gemensamma tider, hur grupperna delar erfarenheter och hur modulen följs.')
    t.group('overenskommelse.mellan_grupper', [('Vad', 3000, '{vad}'), ('Hur', 6412, '{hur}')],
            'Inga överenskommelser mellan grupperna har registrerats.')
    t.h1('I gruppen')
    t.guide('Till exempel närvaro, förberedelse, samtalsklimat och dokumentation.')
    t.group('overenskommelse.i_gruppen', [('Modulgrupp', 2000, '{modulgrupp}'), ('Vad', 2600, '{vad}'),
                                          ('Hur', 4812, '{hur}')],
            'Inga överenskommelser i grupperna har registrerats.')
    t.roles(SBS_ROLES)
    t.signatures([('Processledare', 'processledare'), ('Rektor/skolledare', 'rektor')])
    return t


# ------------------------------------------------------------------------------------------------ Pedagogcentrum

PC_ROLES = [('Rektor/förskolechef', 'rektor'), ('Verksamhetsutvecklare', 'verksamhetsutvecklare'),
            ('Samordnare/utvecklare, Pedagogcentrum', 'samordnare')]


def pedagogcentrum_traffplan():
    t = Template('Bekräftelse och träffplan')
    t.guide('Pedagogcentrum bekräftar enhetens plats i gruppen och lämnar läsårets träffplan med ca fem '
            'centrala träffar.')
    t.facts([('Grupp', '{bekraftelse.grupp}'), ('Enheten har fått plats i gruppen', '{bekraftelse.plats_bekraftad}'),
             ('Läsårets första centrala träff', '{bekraftelse.forsta_traff}'),
             ('Läsårets sista centrala träff', '{bekraftelse.sista_traff}')])
    t.h1('Centrala träffar')
    t.group('bekraftelse.traffplan', [('Datum', 1500, '{datum}'), ('Tid och plats', 3400, '{tid_plats}'),
                                      ('Tema', 4512, '{tema}')],
            'Inga träffar har registrerats.')
    t.guide('Verksamhetsutvecklarna ska vara utsedda senast till den första träffen. Enhetens uppföljning '
            'av läsåret lämnas senast tre veckor efter den sista träffen.')
    t.roles(PC_ROLES)
    return t


def pedagogcentrum_utvecklingsplan():
    t = Template('Enhetens utvecklingsplan')
    t.guide('Enhetens plan för läsårets deltagande i Pedagogcentrums övergripande utvecklingsarbete: '
            'utvecklingsområdet, verksamhetsutvecklarnas uppdrag och den organisatoriska plats där det som '
            'förmedlas på träffarna tas emot, omsätts och följs upp.')
    t.h1('Utvecklingsområde och läsår')
    t.facts([('Förskola/skola', '{anmalan.enhet}'), ('Skolform', '{anmalan.skolform}'),
             ('Prioriterat utvecklingsområde', '{anmalan.utvecklingsomrade}'),
             ('Arbetsform', '{anmalan.arbetsform}'), ('Läsår', '{anmalan.lasar}'),
             ('Deltog förra läsåret', '{anmalan.fortsatter}'), ('Rektors e-postadress', '{anmalan.kontakt_epost}')])
    t.h2('Varför detta område? Koppling till enhetens systematiska kvalitetsarbete')
    t.p('{anmalan.koppling_ska}')
    t.h2('Vad vill enheten uppnå under läsåret?')
    t.p(or_text('anmalan.forvantningar'))
    t.section('anmalan.fran_forra_lasaret')
    t.h2('Vad tar enheten med från förra läsårets uppföljning?')
    t.p('{anmalan.fran_forra_lasaret}')
    t.end_section('anmalan.fran_forra_lasaret')
    t.h1('Verksamhetsutvecklarnas uppdrag')
    t.facts([('Verksamhetsutvecklare', dash('verksamhetsutvecklare')),
             ('Avsatt tid per verksamhetsutvecklare', '{uppdrag.tid_per_manad} timmar per månad'),
             ('Hur tiden frigörs', dash('uppdrag.tid_hur'))])
    t.h2('Mandat')
    t.p('{uppdrag.mandat}')
    t.h2('Varför just dessa personer?')
    t.p(or_text('uppdrag.urval'))
    t.h1('Enhetens utvecklingsorganisation')
    t.guide('Arbetsgrupper och mötesforum som tar emot, omsätter och systematiskt följer upp den kunskap som '
            'förmedlas på de centrala träffarna.')
    t.h2('Mötesforum')
    t.group('organisation.motesforum', [('Forum', 2300, '{forum}'), ('Hur ofta', 1500, dash('frekvens')),
                                        ('Hur tas kunskapen från träffarna emot och omsätts här?', 5612, '{hur}')],
            'Inga mötesforum har registrerats.')
    t.h2('Arbetsgrupper')
    t.group('organisation.arbetsgrupper', [('Arbetsgrupp', 2300, '{namn}'), ('Deltagare', 2800, dash('deltagare')),
                                           ('Uppgift', 4312, dash('uppgift'))],
            'Inga arbetsgrupper har registrerats.')
    t.h2('Hur följer vi systematiskt upp det som prövas?')
    t.p('{organisation.systematisk_uppfoljning}')
    t.h2('Rektors roll i utvecklingsarbetet')
    t.p('{organisation.rektors_roll}')
    t.facts([('Rektor deltar på de centrala träffarna', '{organisation.rektor_deltar_traffar}')])
    t.roles(PC_ROLES)
    t.signatures([('Rektor/förskolechef fastställer planen', 'rektor')], 'Underskrift')
    return t


TEMPLATES = {
    'ku8/ansokan.docx': ku8_ansokan,
    'ku8/utvardering.docx': ku8_utvardering,
    'ku8/utvecklingsplan.docx': ku8_utvecklingsplan,
    'ku8/lardomar.docx': ku8_lardomar,
    'orebro/kartlaggning.docx': orebro_kartlaggning,
    'orebro/arbetsplan.docx': orebro_arbetsplan,
    'alp/uppdrag.docx': alp_uppdrag,
    'alp/observationsanteckningar.docx': alp_observationsanteckningar,
    'alp/aterkoppling.docx': alp_aterkoppling,
    'alp/larplan.docx': alp_larplan,
    'sbs/atgardsplan.docx': sbs_atgardsplan,
    'sbs/traffplan.docx': sbs_traffplan,
    'sbs/overenskommelse.docx': sbs_overenskommelse,
    'pedagogcentrum/traffplan.docx': pedagogcentrum_traffplan,
    'pedagogcentrum/utvecklingsplan.docx': pedagogcentrum_utvecklingsplan,
}


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    for name, make in TEMPLATES.items():
        make().save(os.path.join(out_dir, name))


if __name__ == '__main__':
    main()
