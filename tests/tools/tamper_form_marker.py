#!/usr/bin/python3
"""Changes one character of the Spegla marker in a form file, as someone editing it by hand would.

Usage: tamper_form_marker.py IN OUT. A .docx keeps its marker in docProps/custom.xml, a .xlsx in cell A1
of the hidden sheet "spegla"; the character changed is in the signed part, so the signature no longer fits.
"""
import shutil
import sys
import zipfile


def tamper(text):
    # The payload starts after "SPEGLA-FORM-1."; change its fifth character to another base64 one.
    at = text.index("SPEGLA-FORM-1.") + len("SPEGLA-FORM-1.") + 4
    return text[:at] + ("A" if text[at] != "A" else "B") + text[at + 1:]


def main(source, target):
    if source.endswith(".xlsx"):
        import openpyxl
        book = openpyxl.load_workbook(source)
        sheet = book["spegla"]
        sheet["A1"] = tamper(sheet["A1"].value)
        book.save(target)
        return
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "docProps/custom.xml":
                data = tamper(data.decode("utf-8")).encode("utf-8")
            zout.writestr(item, data)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
