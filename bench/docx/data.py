#!/usr/bin/python3
"""Prints the benchmark's data: one utvecklingsplan with N actions (default 50), Swedish text with the
characters that need escaping (&, <, >, quotes). Usage: data.py [N]"""
import json
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 50
text = ('Arbetslaget har under läsåret arbetat med lösningsfokuserade samtal & "kollegialt lärande" '
        '<i klassrummet>. ' * 6).strip()
data = {
    'enhet': 'Kullingsbergsskolan', 'period': 'HT 2026 – VT 2027', 'arbetslag': 'Spår 3',
    'nulage': text, 'mal': text, 'arbetssatt': text, 'resultat': text,
    'atgarder': [{'vad': f'Åtgärd {i}: ' + text[:80], 'vem': f'Pedagog {i % 7}', 'nar': f'2027-0{1 + i % 9}-15'}
                 for i in range(n)],
}
json.dump(data, sys.stdout, ensure_ascii=False)
