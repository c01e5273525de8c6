// Run as a child process by test/unit/fonts.test.ts: fontconfig reads FONTCONFIG_FILE once per process, so a process
// of its own is the only way to render with no system fonts visible. Loads the project's TypeScript by transpiling
// it on require; prints, for each transformation in argv, the rendered text layer's dark pixels and ink width.
const fs = require('node:fs');
const ts = require('typescript');

require.extensions['.ts'] = (module, filename) => {
  const { outputText } = ts.transpileModule(fs.readFileSync(filename, 'utf8'), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } });
  module._compile(outputText, filename);
};

const { inkOf } = require('./ink.ts');
const { renderOptions } = require('./settings.ts');

(async () => {
  const results = [];
  for (const tr of process.argv.slice(2)) {
    results.push({ tr, ...(await inkOf(tr, renderOptions())) });
  }
  process.stdout.write(JSON.stringify(results));
})().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error));
  process.exit(1);
});
