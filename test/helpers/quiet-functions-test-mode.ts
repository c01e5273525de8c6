// Outside the Functions host, @azure/functions warns once per registered function that it runs in test mode.
// That is expected in every test that starts the local host; drop exactly those lines, keep every other warning.
const warn = console.warn.bind(console);
console.warn = (...args: unknown[]) => {
  if (typeof args[0] === 'string' && args[0].startsWith('WARNING: ') && args[0].includes('"@azure/functions" package')) return;
  warn(...args);
};
