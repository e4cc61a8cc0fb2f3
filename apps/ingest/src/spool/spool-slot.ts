import { randomBytes } from 'node:crypto';
import { lstat, mkdir, open, readdir, readFile, rename, rm, rmdir, stat, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

// One spool directory belongs to one live process. Several ingest processes may share the spool
// root (the default, the same checkout's tests, pods on one host path): each claims a slot
// directory `slot-<n>` by its lock file; a restarted process adopts a slot whose holder is dead,
// which is how the spool of a SIGKILLed (or crashed, or OOM-killed) ingest gets replayed.

export const LOCK_FILE = 'lock';
/** Slots this process holds (a lock naming our own pid is otherwise our previous incarnation's). */
const heldHere = new Set<string>();
/** A lock file this young may still be being written by its creator. */
const FRESH_LOCK_MS = 10_000;

interface LockHolder {
  pid: number;
  host: string;
  /** /proc/<pid>/stat's start time (clock ticks since boot), so a reused pid is not taken for the holder. */
  started?: string;
}

export interface SpoolSlot {
  dir: string;
  /** Gives the slot up; with `remove`, deletes its directory too (nothing left in it to replay). */
  release(options?: { remove?: boolean }): Promise<void>;
}

async function processStart(pid: number): Promise<string | undefined> {
  try {
    const text = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Field 22; the command name (field 2) may hold spaces and parentheses, so count after its last ')'.
    return text.slice(text.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

async function isAlive(holder: LockHolder): Promise<boolean> {
  // A lock taken on another host cannot be checked from here: it stays the other host's.
  if (holder.host !== os.hostname()) return true;
  // Our own pid in a lock we do not hold yet: the previous incarnation (containers restart as pid 1).
  if (holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (holder.started === undefined) return true;
  const started = await processStart(holder.pid);
  return started === undefined || started === holder.started;
}

async function readHolder(file: string): Promise<LockHolder | undefined> {
  try {
    const holder = JSON.parse(await readFile(file, 'utf8')) as LockHolder;
    return typeof holder.pid === 'number' && typeof holder.host === 'string' ? holder : undefined;
  } catch {
    return undefined;
  }
}

async function tryLock(dir: string, me: LockHolder): Promise<boolean> {
  if (heldHere.has(dir)) return false;
  const file = path.join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(file, 'wx', 0o600);
      try {
        await handle.writeFile(JSON.stringify(me));
        await handle.sync();
      } finally {
        await handle.close();
      }
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = await readHolder(file);
    if (holder === undefined) {
      // Unreadable: a holder still writing it, or one that died between creating and writing it.
      const age = await stat(file).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (age < FRESH_LOCK_MS) return false;
    } else if (await isAlive(holder)) {
      return false;
    }
    // Stale: move it away (only one breaker wins the rename), check that what moved is the stale
    // lock and not a fresh one another process took meanwhile, then try to create ours.
    const moved = `${file}.stale-${randomBytes(4).toString('hex')}`;
    try {
      await rename(file, moved);
    } catch {
      continue;
    }
    const movedHolder = await readHolder(moved);
    if (movedHolder !== undefined && (movedHolder.pid !== holder?.pid || movedHolder.started !== holder?.started) && (await isAlive(movedHolder))) {
      await rename(moved, file).catch(() => {});
      return false;
    }
    await unlink(moved).catch(() => {});
  }
  return false;
}

/**
 * Refuses a directory another user owns, or (unless `shared`) may write to: whoever can write the
 * spool can make ingest store engagement in any user's name (a spool under a shared /tmp).
 * `shared`: INGEST_SPOOL_DIR itself, which may be root's and writable by all (a volume mount);
 * the directories below it are created by this user, mode 0700.
 */
export async function checkPrivate(dir: string, shared = false): Promise<void> {
  const info = await lstat(dir);
  const uid = process.getuid?.();
  if (!info.isDirectory()) throw new Error(`${dir} is not a directory`);
  if (uid !== undefined && info.uid !== uid && !(shared && info.uid === 0)) throw new Error(`${dir} belongs to another user (uid ${info.uid}); the spool must be this user's alone`);
  if (!shared && (info.mode & 0o022) !== 0) throw new Error(`${dir} is writable by other users (mode ${(info.mode & 0o777).toString(8)}); the spool must be this user's alone`);
}

/** Claims a slot under `root` (created if missing): the lowest-numbered free one, else a new one. */
export async function claimSpoolSlot(root: string): Promise<SpoolSlot> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await claimOnce(root);
    } catch (error) {
      // The directory went while we looked: a process sharing it removed it, empty, on its way out.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 3) throw error;
    }
  }
}

async function claimOnce(root: string): Promise<SpoolSlot> {
  await mkdir(root, { recursive: true, mode: 0o700 });
  await checkPrivate(root);
  const me: LockHolder = { pid: process.pid, host: os.hostname(), started: await processStart(process.pid) };
  const numbers = (await readdir(root))
    .map((name) => /^slot-(\d+)$/.exec(name))
    .filter((match) => match !== null)
    .map((match) => Number(match[1]))
    .sort((a, b) => a - b);
  const claimed = async (n: number): Promise<SpoolSlot | undefined> => {
    const dir = path.join(root, `slot-${n}`);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await checkPrivate(dir);
    if (!(await tryLock(dir, me))) return undefined;
    heldHere.add(dir);
    return {
      dir,
      async release(options = {}) {
        heldHere.delete(dir);
        if (!options.remove) {
          await unlink(path.join(dir, LOCK_FILE)).catch(() => {});
          return;
        }
        // Renamed away while still locked, so no other process can take the slot half-deleted.
        const gone = path.join(root, `.released-${randomBytes(4).toString('hex')}`);
        await rename(dir, gone);
        await rm(gone, { recursive: true, force: true });
        // The database's directory too, when nothing else is left in it (no other slot, no dead letters).
        await rmdir(root).catch(() => {});
      },
    };
  };
  for (const n of numbers) {
    const slot = await claimed(n);
    if (slot) return slot;
  }
  for (let n = (numbers.at(-1) ?? -1) + 1; n < (numbers.at(-1) ?? 0) + 1000; n++) {
    const slot = await claimed(n);
    if (slot) return slot;
  }
  throw new Error(`no free spool slot under ${root}`);
}
