// Run as a child process by test/unit/fonts.test.ts: fontconfig reads FONTCONFIG_FILE once per process, so a process
// of its own is the only way to render with no system fonts visible. Loads the project's TypeScript by transpiling
// it on require; prints, for each transformation in argv, the rendered text layer's dark pixels and ink width.
const fs = require('node:fs');
const ts = require('typescript');

require.extensions['.ts'] = (module, filename) => {
  const { outputText } = ts.transpileModule(fs.readFileSync(filename, 'utf8'), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } });
  module._compile(outputText, filename);
};

const sharp = require('sharp');
const { parseTransformation } = require('../../shared/transform/grammar/parse.ts');
const { render } = require('../../shared/transform/render.ts');

(async () => {
  const white = await sharp({ create: { width: 800, height: 120, channels: 3, background: '#ffffff' } }).png().toBuffer();
  const results = [];
  for (const tr of process.argv.slice(2)) {
    const out = await render(white, parseTransformation(`${tr}:f-png,lo-true`), { accept: '', autoAvif: false, defaultQuality: 80, maxInputPixels: 1e8 });
    const { data, info } = await sharp(out.image.body).greyscale().raw().toBuffer({ resolveWithObject: true });
    let ink = 0;
    let right = -1;
    for (let i = 0; i < data.length; i++) {
      if (data[i] < 128) {
        ink++;
        right = Math.max(right, i % info.width);
      }
    }
    results.push({ tr, ink, right });
  }
  process.stdout.write(JSON.stringify(results));
})().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error));
  process.exit(1);
});
