// The XLSX export benchmark's peer: exceljs's streaming WorkbookWriter writing the cells that
// `spegla_xlsx_bench record` took from Spegla's export (the format is described in xlsx_bench.cpp).
// The cells are loaded into memory first (untimed); then the writer is timed from its creation to the end
// of commit(). Same sheets in the same order, text as strings (useSharedStrings false, as the shared peer
// runs it), numbers as numbers, booleans as booleans, dates and date-times as Dates with one number format
// each (useStyles on, which those formats need), no other styling. Each sheet is written whole and committed
// before the next: exceljs streams only one sheet at a time to its ZIP, so that is its best order.
// Prints `exceljs s=SECONDS cpu_s=SECONDS cells=N cells_per_s=R peak_mib=P loaded_mib=L` like the floor
// (cpu_s: user + system CPU time of the whole process, its helper threads included).
// Usage: node [--expose-gc] exceljs_bench.js CELLS OUT.xlsx
const fs = require('fs');
const ExcelJS = require('exceljs');

const EMPTY = 0, TEXT = 1, NUMBER = 2, DATE = 3, DATE_TIME = 4, BOOL = 5;  // CellType (table.h)
const DATE_FORMAT = 'yyyy-mm-dd', DATE_TIME_FORMAT = 'yyyy-mm-dd hh:mm';

function load(path) {
  const bytes = fs.readFileSync(path);
  const magic = 'SPEGLA-CELLS 1\n';
  if (bytes.toString('latin1', 0, magic.length) !== magic) throw new Error(`${path} is not a cells file`);
  let at = magic.length;
  const interned = new Map();  // repeated short texts (names of places, phases) share one string
  const u8 = () => bytes[at++];
  const u32 = () => { const v = bytes.readUInt32LE(at); at += 4; return v; };
  const f64 = () => { const v = bytes.readDoubleLE(at); at += 8; return v; };
  const text = () => {
    const n = u32();
    let s;
    if (n <= 64) {
      const key = bytes.toString('latin1', at, at + n);
      s = interned.get(key);
      if (s === undefined) { s = bytes.toString('utf8', at, at + n); interned.set(key, s); }
    } else {
      s = bytes.toString('utf8', at, at + n);
    }
    at += n + 1;  // and the NUL
    return s;
  };
  const sheets = [];
  let cells = 0;
  for (;;) {
    const kind = String.fromCharCode(u8());
    if (kind === 'E') break;
    if (kind === 'S') {
      const name = text();
      const columns = u32();
      const header = [];
      for (let c = 0; c < columns; c++) { u8(); header.push(text() || undefined); }
      cells += header.filter((label) => label !== undefined).length;
      sheets.push({ name, header, rows: [] });
    } else if (kind === 'R') {
      const sheet = sheets[u32()];
      u8();  // the style: no styling
      const count = u32();
      const values = new Array(count);
      let formats = null;  // [column, numFmt] of the date cells
      for (let c = 0; c < count; c++) {
        const type = u8();
        switch (type) {
          case EMPTY: continue;
          case TEXT: values[c] = text(); break;
          case NUMBER: values[c] = f64(); break;
          case DATE: values[c] = new Date(f64() * 86400000); (formats ||= []).push([c + 1, DATE_FORMAT]); break;
          case DATE_TIME: values[c] = new Date(f64() * 1000); (formats ||= []).push([c + 1, DATE_TIME_FORMAT]); break;
          case BOOL: values[c] = f64() !== 0; break;
          default: throw new Error(`unknown cell type ${type}`);
        }
        cells++;
      }
      sheet.rows.push({ values, formats });
    } else {
      throw new Error(`damaged cells file (record ${kind})`);
    }
  }
  return { sheets, cells };
}

async function write({ sheets }, out) {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: out, useSharedStrings: false, useStyles: true });
  for (const sheet of sheets) {
    const worksheet = workbook.addWorksheet(sheet.name);
    worksheet.addRow(sheet.header).commit();
    for (const { values, formats } of sheet.rows) {
      const row = worksheet.addRow(values);
      if (formats) for (const [column, numFmt] of formats) row.getCell(column).numFmt = numFmt;
      row.commit();
    }
    worksheet.commit();
  }
  await workbook.commit();
}

(async () => {
  const [cellsPath, out] = process.argv.slice(2);
  if (!cellsPath || !out) { console.error('usage: node exceljs_bench.js CELLS OUT.xlsx'); process.exit(2); }
  const loaded = load(cellsPath);
  if (global.gc) global.gc();
  const loadedMiB = process.memoryUsage().rss / 1048576;
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  await write(loaded, out);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  const peakMiB = process.resourceUsage().maxRSS / 1024;
  console.log(`exceljs s=${seconds.toFixed(3)} cpu_s=${((cpu.user + cpu.system) / 1e6).toFixed(3)} cells=${loaded.cells} cells_per_s=${(loaded.cells / seconds).toFixed(0)} ` +
    `peak_mib=${peakMiB.toFixed(1)} loaded_mib=${loadedMiB.toFixed(1)}`);
})().catch((e) => { console.error(`error: ${e.stack || e}`); process.exit(1); });
