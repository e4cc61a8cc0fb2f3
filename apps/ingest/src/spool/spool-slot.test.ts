import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claimSpoolSlot, LOCK_FILE } from './spool-slot.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'spool-slot-test-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

describe('spool slots', () => {
  it('gives concurrent holders different slots and hands a released one to the next', async () => {
    const a = await claimSpoolSlot(root);
    const b = await claimSpoolSlot(root);
    expect(path.basename(a.dir)).toBe('slot-0');
    expect(path.basename(b.dir)).toBe('slot-1');
    await a.release();
    const c = await claimSpoolSlot(root);
    expect(c.dir).toBe(a.dir);
    await b.release({ remove: true });
    await c.release({ remove: true });
    // Nothing left: the directory goes too.
    await expect(readdir(root)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('adopts the slot of a dead holder (a SIGKILLed process), with what it left', async () => {
    const dir = path.join(root, 'slot-0');
    await mkdir(dir);
    await writeFile(path.join(dir, LOCK_FILE), JSON.stringify({ pid: await deadPid(), host: os.hostname() }));
    await writeFile(path.join(dir, 'segment-000000000001.log'), 'left behind');
    const slot = await claimSpoolSlot(root);
    expect(slot.dir).toBe(dir);
    expect(await readdir(dir)).toContain('segment-000000000001.log');
    await slot.release();
  });

  it('does not take the slot of a live holder, nor one locked from another host', async () => {
    await mkdir(path.join(root, 'slot-0'));
    await writeFile(path.join(root, 'slot-0', LOCK_FILE), JSON.stringify({ pid: process.ppid, host: os.hostname() }));
    await mkdir(path.join(root, 'slot-1'));
    await writeFile(path.join(root, 'slot-1', LOCK_FILE), JSON.stringify({ pid: 1, host: 'another-host' }));
    const slot = await claimSpoolSlot(root);
    expect(path.basename(slot.dir)).toBe('slot-2');
    await slot.release();
  });

  it('refuses a directory other users may write to (whoever writes the spool writes engagement in anyone’s name)', async () => {
    const open = path.join(root, 'db');
    await mkdir(open);
    await chmod(open, 0o777);
    await expect(claimSpoolSlot(open)).rejects.toThrow('writable by other users');
  });

  it('takes a lock naming its own pid (the previous incarnation, as a container restarted as pid 1 is)', async () => {
    await mkdir(path.join(root, 'slot-0'));
    await writeFile(path.join(root, 'slot-0', LOCK_FILE), JSON.stringify({ pid: process.pid, host: os.hostname(), started: 'earlier' }));
    const slot = await claimSpoolSlot(root);
    expect(path.basename(slot.dir)).toBe('slot-0');
    await slot.release();
  });
});
