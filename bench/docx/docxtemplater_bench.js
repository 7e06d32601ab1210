// docxtemplater renders TEMPLATE from DATA N times in one process, with the options that match Spegla's
// docx plugin; prints documents per second. Usage: node docxtemplater_bench.js TEMPLATE DATA N [OUT]
const fs = require('fs');
const PizZip = require('pizzip');
const Docxtemplater = require('docxtemplater');

const [template, dataPath, n, out] = process.argv.slice(2);
const content = fs.readFileSync(template, 'binary');
const data = JSON.parse(fs.readFileSync(dataPath, 'utf8'));
const options = { paragraphLoop: true, linebreaks: true, stripInvalidXMLChars: true, nullGetter: () => '' };
let bytes;
const start = process.hrtime.bigint();
for (let i = 0; i < +n; i++) {
  const doc = new Docxtemplater(new PizZip(content), options);
  doc.render(data);
  bytes = doc.getZip().generate({ type: 'nodebuffer', compression: 'DEFLATE' });
}
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
if (out) fs.writeFileSync(out, bytes);
console.log(`docxtemplater docs_per_s=${(n / seconds).toFixed(1)} bytes=${bytes.length}`);
