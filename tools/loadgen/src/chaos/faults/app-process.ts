// Faults on an app's process, on the port its callers hold (FaultMesh keeps each app's port for
// the run, as a pod behind a Service): kill -9 and start again, freeze with SIGSTOP and thaw with
// SIGCONT, or a graceful restart (SIGTERM, start again).
import { now, sleep, type FaultMesh } from '@feedmesh/faults';
import type { MeshApp } from '../fault-plan.js';
import type { MeasuredFault } from './measured-fault.js';

/** kill -9, down for `forMs` from the signal, then started again; ends when its /readyz answers 200. */
export async function killApp(mesh: FaultMesh, app: MeshApp, forMs: number): Promise<MeasuredFault> {
  const startMs = await mesh.kill(app);
  await sleep(Math.max(0, startMs + forMs - now()));
  const endMs = await mesh.start(app);
  return { startMs, endMs, detail: `down ${Math.round(endMs - startMs)} ms until ready` };
}

/** SIGSTOP for `forMs`, then SIGCONT: the process keeps its sockets but answers nothing meanwhile. */
export async function stopApp(mesh: FaultMesh, app: MeshApp, forMs: number): Promise<MeasuredFault> {
  const child = mesh.app(app).child;
  const startMs = now();
  child.kill('SIGSTOP');
  try {
    await sleep(forMs);
  } finally {
    child.kill('SIGCONT');
  }
  return { startMs, endMs: now(), detail: `frozen ${forMs} ms` };
}

/** SIGTERM (the app drains and exits), then started again on its port; ends when it is ready. */
export async function restartApp(mesh: FaultMesh, app: MeshApp, forMs: number): Promise<MeasuredFault> {
  const { atMs: startMs, exited } = mesh.signal(app, 'SIGTERM');
  const code = await exited;
  if (forMs > 0) await sleep(Math.max(0, startMs + forMs - now()));
  const endMs = await mesh.start(app);
  return { startMs, endMs, detail: `exited ${code}, ready again after ${Math.round(endMs - startMs)} ms` };
}
