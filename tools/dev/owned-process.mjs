// A server process the launcher starts for itself (the embedded Postgres, a redis-server): started
// and awaited until it logs that it is ready, and stopped with the signal its own docs call a
// clean shutdown, SIGKILL only if it hangs.
import { spawn } from 'node:child_process';

/**
 * Spawns command and resolves once a line of its output contains readyText; rejects with its
 * output when it exits first or is not ready within timeoutMs (and then it is killed: nothing
 * stays half-started).
 */
export function startOwnedProcess({ name, command, args, readyText, stopSignal = 'SIGTERM', timeoutMs = 60_000, spawnOptions = {} }) {
  // Its own process group: Ctrl-C in the terminal reaches the launcher only, which stops the apps
  // first and this server after them, instead of the database going away under draining apps.
  const child = spawn(command, args, { ...spawnOptions, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(stopSignal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };

  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${name} was not ready within ${timeoutMs / 1000} s:\n${output.trim()}`));
    }, timeoutMs);
    const onOutput = (chunk) => {
      output += chunk.toString();
      if (output.includes(readyText)) {
        clearTimeout(timer);
        // From here on its output is dropped (read, so that its pipes never fill up and block it).
        child.stdout.off('data', onOutput).resume();
        child.stderr.off('data', onOutput).resume();
        resolve();
      }
    };
    child.stdout.on('data', onOutput);
    child.stderr.on('data', onOutput);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`${name} could not be started: ${error.message}`));
    });
    void exited.then((status) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${status}) before it was ready:\n${output.trim()}`));
    });
  });

  return ready.then(() => ({ pid: child.pid, stop, exited }));
}
