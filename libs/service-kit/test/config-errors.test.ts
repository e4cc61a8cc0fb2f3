import { expect, it } from 'vitest';
import { startLeaf } from './support/fixture-apps.js';

// A bad setting must stop the app at start with a message naming the variable.
it.each([
  { variable: 'PORT', value: 'abc', reason: 'not a port number: "abc"' },
  { variable: 'SHUTDOWN_GRACE_MS', value: 'x', reason: 'Invalid number input: "x"' },
  { variable: 'LOG_LEVEL', value: 'loud', reason: 'Value "loud" not in choices' },
])('$variable=$value exits non-zero naming the variable', async ({ variable, value, reason }) => {
  const failure = await startLeaf({ [variable]: value }).then(
    async (app) => {
      await app.stop('SIGKILL');
      return undefined;
    },
    (e: Error) => e.message,
  );
  expect(failure, 'the app started').toBeDefined();
  const exitCode = Number(/exited with (\S+) before listening/.exec(failure!)?.[1]);
  expect(exitCode).toBeGreaterThan(0);
  // The reason arrives inside a JSON log line, its quotes escaped.
  const text = failure!.replaceAll('\\"', '"');
  expect(text).toContain(`failed to start: invalid configuration: ${variable} (`);
  expect(text).toContain(reason);
});
