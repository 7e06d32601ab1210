#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (fuzz/corpus/<target>/) from the shipped workflows and
templates, the test fixtures and the hand-made inputs below, and their dictionaries (fuzz/<target>.dict:
the workflow schema's names, the expression language's words, the template tags and WordprocessingML
elements, the API's field names). The files are committed; run this again after the workflows, the
schema or the templates change: `python3 fuzz/make_corpus.py`. Files it did not write (inputs libFuzzer
found and someone kept) are left alone."""

import glob
import io
import json
import os
import re
import shutil
import xml.etree.ElementTree as ET
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "fuzz", "corpus")
NS = "{urn:spegla:workflow:1}"


def put(target, name, content):
    path = os.path.join(CORPUS, target, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8")
    with open(path, "wb") as f:
        f.write(content)


def copy(target, source, name=None):
    put(target, name or os.path.basename(source), open(source, "rb").read())


# --- workflow_loader ---------------------------------------------------------------------------------

MINIMAL = open(os.path.join(ROOT, "tests", "fixtures", "xsd", "minimal-valid.xml"), encoding="utf-8").read()
KU8 = open(os.path.join(ROOT, "workflows", "ku8-larande-besok.xml"), encoding="utf-8").read()


def workflow_loader():
    for f in sorted(glob.glob(os.path.join(ROOT, "workflows", "*.xml"))):
        copy("workflow_loader", f)
    for f in sorted(glob.glob(os.path.join(ROOT, "tests", "fixtures", "loader", "*.xml"))):
        copy("workflow_loader", f, "loader-" + os.path.basename(f))
    for f in sorted(glob.glob(os.path.join(ROOT, "tests", "fixtures", "xsd", "*.xml"))):
        copy("workflow_loader", f, "xsd-" + os.path.basename(f))
    broken = {
        "broken-empty.xml": "",
        "broken-not-xml.xml": "{\"workflow\": true}",
        "broken-truncated.xml": KU8[:3000],
        "broken-unclosed.xml": MINIMAL.replace("</workflow>", ""),
        "broken-namespace.xml": MINIMAL.replace("urn:spegla:workflow:1", "urn:spegla:workflow:2"),
        "broken-bom.xml": "\ufeff" + MINIMAL,
        "broken-entities.xml": '<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>' + MINIMAL.split("?>", 1)[1].replace(
            "Minimalt arbetsflöde", "&b;"),
        "broken-deep.xml": '<workflow xmlns="urn:spegla:workflow:1" id="d" version="1">' + "<phases>" * 2000,
        "broken-version.xml": MINIMAL.replace('version="1"', 'version="99999999999999999999"'),
        "broken-duplicate-ids.xml": MINIMAL.replace(
            '<step id="klart" label="Klart" performers="rektor"/>',
            '<step id="klart" label="Klart" performers="rektor"/><step id="klart" label="Igen" performers="x"/>'),
        # Expressions and time rules in a small definition, for the mutations to work on.
        "small-rules.xml": """<?xml version="1.0" encoding="UTF-8"?>
<workflow xmlns="urn:spegla:workflow:1" id="regler" version="2">
  <title>Regler</title>
  <roles>
    <role id="rektor" label="Rektor" min="1" max="1"/>
    <role id="observator" label="Observatör" min="2" pool="true"/>
  </roles>
  <forms>
    <form id="f" label="F">
      <access role="rektor" rights="edit"/>
      <field id="n" type="number" label="N"><range min="1" max="500"/></field>
      <field id="t" type="text" label="T" visible-if="n &gt; 2 and not ja"><pattern regex="[a-z]+@[a-z]+"/></field>
      <field id="ja" type="yesno" label="Ja"/>
      <field id="d" type="date" label="D"/>
      <field id="rader" type="group" label="Rader">
        <column id="dagar" type="number" label="Dagar"/>
        <column id="vem" type="person" role="observator" label="Vem"/>
      </field>
    </form>
  </forms>
  <phases>
    <phase id="start" label="Start">
      <step id="s" label="S" performers="rektor" forms="f">
        <due after="P2W" from="phase-start"/>
        <require message="Minst två.">assigned('observator') &gt;= 2 and sum(f.rader.dagar) &lt;= 10</require>
        <signoff role="rektor" label="Klart"/>
      </step>
    </phase>
    <phase id="slut" label="Slut" final="true">
      <step id="e" label="E" performers="rektor"/>
    </phase>
  </phases>
  <budgets>
    <budget id="b" label="B" unit="dagar" max="10" per="f.rader.vem">sum(f.rader.dagar)</budget>
  </budgets>
</workflow>
""",
    }
    for name, text in broken.items():
        put("workflow_loader", name, text)


# --- expression --------------------------------------------------------------------------------------

def expression():
    seen = set()
    for f in sorted(glob.glob(os.path.join(ROOT, "workflows", "*.xml"))):
        for el in ET.parse(f).iter():
            tag = el.tag.replace(NS, "")
            sources = []
            for attribute in ("visible-if", "when"):
                if el.get(attribute):
                    sources.append(el.get(attribute))
            if tag == "column" and el.get("value"):
                sources.append(el.get("value"))
            if tag in ("require", "budget") and el.text and el.text.strip():
                sources.append(el.text.strip())
            seen.update(sources)
    for i, source in enumerate(sorted(seen)):
        put("expression", "workflow-%02d" % i, source)
    # Every operator and function over the fuzz target's scope (fuzz/expression_fuzz.cpp).
    own = [
        "n + f.zero * 2 - big / 3 >= -n",
        "t + ' och ' + tom == 'x' or t != tom",
        "not b and nej or (n < 4 and n <= 4 and n > 1)",
        "d + p > date('2026-04-01') and d - p < today()",
        "days_between(d, today()) == 0 and d - date('2026-01-01') > 30",
        "far + p == far and huge + p != p and p + p == duration('P2M8W')",
        "count(rows.n) + sum(rows.n) + min(rows.n) + max(rows.n)",
        "min(rows.d) < max(g.d) and count(g.d) == 2",
        "max(rows.p) > min(rows.p)",
        "filled(rows.t) and empty(tom) and filled(none) and empty(wrong) and filled(nan)",
        "contains(rows.t, 'a') and contains(t, 'skola') and not contains(g.t, 'a')",
        "length(t) + length(tom) > 3",
        "assigned('rektor') >= 1 and assigned('observator') == 0",
        "started('ansokan') < today() and started('planering') == started('planering')",
        "-(-(-n)) * (1 + 2) / (3 - 3)",
        "1e308 * 10 + 0.5",
        "'\u00e5\u00e4\u00f6' + \"dubbla\"",
        "rows.b",
        "((((((((n))))))))",
        "n +",
        "count(",
        "Gamla_namn",
        "date('2026-02-30')",
        "duration('PT1H')",
        "unknown.field == 1",
    ]
    for i, source in enumerate(own):
        put("expression", "own-%02d" % i, source)


# --- docx_template -----------------------------------------------------------------------------------

W = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
     'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'


def document(body):
    return HEAD + "<w:document " + W + "><w:body>" + body + "<w:sectPr/></w:body></w:document>"


def para(text):
    return '<w:p><w:r><w:t xml:space="preserve">' + text + "</w:t></w:r></w:p>"


def docx(parts, method=zipfile.ZIP_DEFLATED):
    types = ('<?xml version="1.0" encoding="UTF-8"?>'
             '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             '<Default Extension="xml" ContentType="application/xml"/>'
             '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
             'officedocument.wordprocessingml.document.main+xml"/>'
             '<Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-'
             'officedocument.wordprocessingml.header+xml"/></Types>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as z:
        z.writestr(zipfile.ZipInfo("[Content_Types].xml", (2026, 1, 1, 0, 0, 0)), types)
        for name, content in parts.items():
            z.writestr(zipfile.ZipInfo(name, (2026, 1, 1, 0, 0, 0)), content)
    return out.getvalue()


def docx_template():
    # Two shipped templates and the test fixtures as whole .docx files ("PK..."): they are alike (made by
    # templates/make_templates.py and tests/fixtures/docx/make_fixtures.py), and 38 kB each.
    firsts = [sorted(glob.glob(os.path.join(ROOT, "templates", p, "*.docx")))[0]
              for p in ("ku8", "alp", "orebro", "pedagogcentrum", "sbs")]
    for f in firsts[:2]:
        copy("docx_template", f, "template-%s-%s" % (os.path.basename(os.path.dirname(f)), os.path.basename(f)))
    for name in ("letter.docx", "loops.docx", "broken.docx"):
        copy("docx_template", os.path.join(ROOT, "tests", "fixtures", "docx", name), "fixture-" + name)
    # The document.xml and first header of one template per process and of the fixtures as the XML form
    # (document, "\f", header).
    for f in firsts + [os.path.join(ROOT, "tests", "fixtures", "docx", n) for n in ("letter.docx", "loops.docx")]:
        with zipfile.ZipFile(f) as z:
            xml = z.read("word/document.xml")
            headers = [n for n in z.namelist() if re.match(r"word/header\d*\.xml$", n)]
            header = z.read(headers[0]) if headers else b""
        name = "xml-" + os.path.basename(os.path.dirname(f)) + "-" + os.path.basename(f)[:-5] + ".xml"
        put("docx_template", name, xml + (b"\f" + header if header else b""))
    # Small hand-made ones, one tag kind each, as XML and as tiny .docx files (stored and deflated).
    small = {
        "text": para("Namn: {namn}, {saknas}, {text}"),
        "split-runs": '<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>Hej {na</w:t></w:r><w:proofErr w:type="spellStart"/>'
                      '<w:r><w:t>m</w:t></w:r><w:r><w:rPr><w:i/></w:rPr><w:t>n} slut</w:t></w:r></w:p>',
        "section-inline": para("{#rader}{a}: {b}; {/rader}"),
        "section-paragraphs": para("{#rader}") + para("{a} {b}") + para("{#c}{.}{/c}") + para("{/rader}"),
        "inverted": para("{^nej}inget{/nej}{^rader}tomt{/rader}{#ja}ja{/ja}"),
        "object": para("{#skola}{enhet} {rektor} {namn}{/skola}"),
        "paragraph-loop": para("{-w:p lista}{.}{/lista}"),
        "table-rows": '<w:tbl><w:tr><w:tc><w:p><w:r><w:t>{#rader}{a}</w:t></w:r></w:p></w:tc>'
                      '<w:tc><w:p><w:r><w:t>{b}{/rader}</w:t></w:r></w:p></w:tc></w:tr></w:tbl>',
        "page-break": '<w:p><w:r><w:br w:type="page"/><w:t>{#rader}</w:t></w:r></w:p>' + para("{a}") +
                      para("{/rader}"),
        "unbalanced": para("{#rader}{a}") + para("{/lista}") + para("{namn"),
    }
    for name, body in small.items():
        put("docx_template", "xml-small-" + name + ".xml", document(body))
    header = HEAD + "<w:hdr " + W + ">" + para("{namn} {#lista}{.}{/lista}") + "</w:hdr>"
    put("docx_template", "xml-small-header.xml", document(small["text"]) + "\f" + header)
    put("docx_template", "zip-small-stored.docx",
        docx({"word/document.xml": document(small["section-inline"])}, zipfile.ZIP_STORED))
    put("docx_template", "zip-small-deflated.docx",
        docx({"word/document.xml": document(small["table-rows"]), "word/header1.xml": header}))


# --- api_json -----------------------------------------------------------------------------------------

def api_json():
    # The fixture (fuzz/api_json_fuzz.cpp): instance 1 in application, 2 in planning, unit 1, users
    # admin ulla rut anna olle ola petra. Each body is sent to every route the target calls.
    bodies = {
        "form-ansokan": {"fields": {"enhet": "Byskolan", "antal_barn": 24, "informerat_foraldrar": False,
                                    "verksamhetsformer": ["forskola", "fritidshem"],
                                    "kontakt_epost": "anna@byskolan.se", "informeras_nar": None}},
        "form-versions": {"fields": {"kontaktperson": "Anna B"}, "versions": {"kontaktperson": 1}},
        "form-planering-valid": {"fields": {"observationsomrade": "annat", "observationsomrade_annat": "Raster",
                                            "planeringsmoten": [{"datum": "2026-03-20", "deltagare": "Alla"}]}},
        "form-planering": {"fields": {"observationsomrade": "pedagog_barn", "problemformulering_preciserad":
                                      "Elevernas delaktighet.", "planeringsmoten": [
                                          {"datum": "2026-03-20", "deltagare": "Alla", "anteckningar": "x"},
                                          {"datum": "2026-02-30"}]}},
        "comment-field": {"body": "Kan @olle titta på detta?", "field": {"form": "ansokan", "field": "enhet"}},
        "comment-step": {"body": "Klart snart @anna", "step": "ansokan"},
        "restore": {"version": 1, "expected_version": 0},
        "reopen": {"reason": "Fel i ansökan"},
        "instance": {"workflow": "ku8-larande-besok", "unit_id": 1, "title": "Nytt besök"},
        "participant": {"role": "observator", "username": "olle"},
        "user": {"username": "nils", "name": "Nils", "email": "nils@example.se", "municipality_id": 1,
                 "global_role": "personal", "password": "ett-langt-losenord"},
        "user-patch": {"name": "Petra P", "municipality_id": None, "global_role": "forvaltning"},
        "unit": {"name": "Byskolan 2", "kind": "forskola"},
        "session": {"username": "admin", "password": "korrekt-hast-batteri"},
        "session-wrong": {"username": "anna", "password": "fel"},
    }
    for name, body in bodies.items():
        put("api_json", name + ".json", json.dumps(body, ensure_ascii=False))
    raw = {
        "not-json.json": "{\"fields\": {\"enhet\": ",
        "array.json": "[1, 2, 3]",
        "deep.json": "[" * 5000,
        "numbers.json": "{\"fields\": {\"antal_barn\": 1e999, \"enhet\": -0.0}, \"versions\": {\"enhet\": 2147483648}}",
        "escapes.json": "{\"body\": \"\\ud800 \\u0000 \\\"\", \"step\": \"\\u00e5\"}",
    }
    for name, text in raw.items():
        put("api_json", name, text)


# --- dictionaries -------------------------------------------------------------------------------------

def dictionary(target, comment, words):
    with open(os.path.join(ROOT, "fuzz", target + ".dict"), "w", encoding="utf-8") as f:
        f.write("# libFuzzer dictionary of the %s target (-dict=), written by fuzz/make_corpus.py: %s\n"
                % (target, comment))
        for word in sorted(set(words)):
            f.write('"%s"\n' % "".join(c if 0x20 <= ord(c) < 0x7f and c not in '"\\' else
                                       "".join("\\x%02X" % b for b in c.encode("utf-8")) for c in word))


def dictionaries():
    xsd = open(os.path.join(ROOT, "workflows", "schema", "workflow.xsd"), encoding="utf-8").read()
    names = set(re.findall(r'<xs:(?:element|attribute) name="([^"]+)"', xsd))
    values = set(re.findall(r'<xs:enumeration value="([^"]+)"', xsd))
    xml = ["<" + n for n in names] + ["</" + n + ">" for n in names] + [" " + n + '="' for n in names]
    xml += ['"' + v + '"' for v in values]
    xml += ["urn:spegla:workflow:1", 'xmlns="urn:spegla:workflow:1"', "<?xml version=\"1.0\"?>", "<![CDATA[",
            "]]>", "<!--", "-->", "<!DOCTYPE", "<!ENTITY", "&amp;", "&lt;", "&#x", "/>", "P1W", "P2M", "P1Y",
            "phase-start", "step-complete:", "step-start:", "manual", "docx", "xlsx"]
    dictionary("workflow_loader", "the workflow schema's elements, attributes and values", xml)

    expression = ["and", "or", "not", "true", "false", "==", "!=", "<=", ">=", "count(", "sum(", "min(",
                  "max(", "filled(", "empty(", "assigned('", "today()", "started('", "date('", "duration('",
                  "days_between(", "contains(", "length(", "'2026-03-02'", "'P4W'", "f.", "g.", "rows.",
                  "n", "t", "b", "d", "p", "far", "huge", "nan", "wrong", "tom", "nej", "zero", "big",
                  "none", "rektor", "observator", "ansokan", "planering", "1e308", "0.5"]
    dictionary("expression", "keywords, operators, functions and the target's names", expression)

    docx = ["{", "}", "{#", "{/", "{^", "{-w:p ", "{-w:tr ", "{.}", "namn", "text", "tom", "ja", "nej",
            "rader", "lista", "skola", "enhet", "rektor", "a", "b", "c", "<w:p>", "</w:p>", "<w:r>", "</w:r>",
            "<w:t>", "</w:t>", '<w:t xml:space="preserve">', "<w:tbl>", "</w:tbl>", "<w:tr>", "</w:tr>",
            "<w:tc>", "</w:tc>", "<w:sdt>", "<w:sdtContent>", "</w:sdtContent>", "<w:br/>",
            '<w:br w:type="page"/>', "<w:proofErr/>", "<w:bookmarkStart/>", "<w:rPr>", "<w:b/>", "<w:pPr>",
            "<w:body>", "</w:body>", "<w:sectPr/>", "<![CDATA[", "]]>", "<!--", "-->", "&amp;", "&#x7B;",
            "\f", "PK\x03\x04", "PK\x01\x02", "PK\x05\x06"]
    dictionary("docx_template", "template tags, the target's data names, WordprocessingML, ZIP signatures",
               docx)

    api = ["{", "}", "[", "]", ":", ",", "null", "true", "false", "\"\"", "\\u0000", "\\ud800", "1e999",
           "-0", "2147483648", "9223372036854775808", "\"fields\"", "\"versions\"", "\"body\"",
           "\"field\"", "\"form\"", "\"occurrence\"", "\"step\"", "\"version\"", "\"expected_version\"",
           "\"reason\"", "\"workflow\"", "\"unit_id\"", "\"title\"", "\"team_id\"", "\"role\"",
           "\"username\"", "\"name\"", "\"email\"", "\"municipality_id\"", "\"global_role\"",
           "\"password\"", "\"kind\"", "\"ansokan\"", "\"enhet\"", "\"antal_barn\"",
           "\"verksamhetsformer\"", "\"informerat_foraldrar\"", "\"kontakt_epost\"",
           "\"problemformulering\"", "\"planeringsmoten\"", "\"datum\"", "\"deltagare\"",
           "\"observationsomrade\"", "\"tid_avsatt\"", "\"2026-03-20\"", "\"ku8-larande-besok\"",
           "\"observator\"", "\"arbetslag\"", "\"olle\"", "\"anna\"", "\"admin\"", "\"personal\"",
           "\"administrator\"", "\"korrekt-hast-batteri\"", "@olle"]
    dictionary("api_json", "JSON syntax and the API's field names", api)


if __name__ == "__main__":
    dictionaries()
    workflow_loader()
    expression()
    docx_template()
    api_json()
    for target in sorted(os.listdir(CORPUS)):
        files = os.listdir(os.path.join(CORPUS, target))
        size = sum(os.path.getsize(os.path.join(CORPUS, target, f)) for f in files)
        print("%-16s %3d files %8d bytes" % (target, len(files), size))
