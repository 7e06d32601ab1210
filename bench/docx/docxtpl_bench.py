#!/usr/bin/python3
"""docxtpl (Jinja2, autoescape on) renders TEMPLATE from DATA N times in one process; prints documents
per second. Usage: docxtpl_bench.py TEMPLATE DATA N [OUT]"""
import io
import json
import sys
import time

from docxtpl import DocxTemplate

template, data_path, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
data = json.load(open(data_path, encoding='utf-8'))
raw = open(template, 'rb').read()
start = time.perf_counter()
for _ in range(n):
    doc = DocxTemplate(io.BytesIO(raw))
    doc.render(data, autoescape=True)
    buffer = io.BytesIO()
    doc.save(buffer)
seconds = time.perf_counter() - start
if len(sys.argv) > 4:
    open(sys.argv[4], 'wb').write(buffer.getvalue())
print(f'docxtpl docs_per_s={n / seconds:.1f} bytes={len(buffer.getvalue())}')
