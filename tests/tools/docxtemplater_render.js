// Renders TEMPLATE.docx with DATA.json into OUT.docx with docxtemplater, configured as Spegla's docx plugin
// behaves: loops over whole paragraphs, newlines as line breaks, control characters stripped, a missing
// value as empty text. On a template error prints every error's id and explanation and exits 1.
// Usage: node docxtemplater_render.js TEMPLATE DATA OUT   (NODE_PATH must reach the pinned node_modules)
const fs = require('fs');
const PizZip = require('pizzip');
const Docxtemplater = require('docxtemplater');

const [template, dataPath, out] = process.argv.slice(2);
try {
  const doc = new Docxtemplater(new PizZip(fs.readFileSync(template, 'binary')), {
    paragraphLoop: true,
    linebreaks: true,
    stripInvalidXMLChars: true,
    nullGetter: () => '',
    errorLogging: false,
  });
  doc.render(JSON.parse(fs.readFileSync(dataPath, 'utf8')));
  fs.writeFileSync(out, doc.getZip().generate({ type: 'nodebuffer', compression: 'DEFLATE' }));
} catch (e) {
  const errors = (e.properties && e.properties.errors) || [e];
  for (const error of errors) {
    const p = error.properties || {};
    console.log(`${p.file || ''}: ${p.id || 'error'}: ${p.explanation || error.message}`);
  }
  process.exit(1);
}
