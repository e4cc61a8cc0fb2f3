// Adds lockfile entries for platform-specific optional packages that this registry mirror does not serve.
const fs = require('fs');
const file = process.argv[2];
const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
const platform = (name) => {
  const os = ['darwin', 'linux', 'win32', 'freebsd'].find((o) => name.includes(`-${o}-`));
  const tail = name.slice(name.indexOf(`-${os}-`) + os.length + 2);
  const cpu = { x64: 'x64', arm64: 'arm64', aarch64: 'arm64', armv7: 'arm', arm: 'arm' }[tail.split('-')[0]];
  const libc = tail.endsWith('-musl') ? ['musl'] : tail.endsWith('-gnu') || tail.endsWith('-gnueabihf') ? ['glibc'] : undefined;
  return { os: [os], cpu: [cpu], ...(libc ? { libc } : {}) };
};
let added = 0;
for (const pkg of Object.values(lock.packages)) {
  for (const [dep, version] of Object.entries(pkg.optionalDependencies ?? {})) {
    const at = `node_modules/${dep}`;
    if (lock.packages[at]) continue;
    lock.packages[at] = { version, ...(pkg.dev ? { dev: true } : {}), optional: true, ...platform(dep) };
    added++;
    console.log('added', at, JSON.stringify(lock.packages[at]));
  }
}
// keep keys sorted like npm writes them
const sorted = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
lock.packages = sorted;
fs.writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
console.log('added', added);
